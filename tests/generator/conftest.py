"""Helpers for breaking a copy of the content in known places."""

from __future__ import annotations

from pathlib import Path

from generator.content.loader import load_content
from generator.errors import ContentError, Problem

ELEVATORS = Path("topics/2022/old-building-elevators.yml")


def edit(path: Path, old: str, new: str) -> int:
    """Replace the single occurrence of `old` in `path`; return its 1-based line number."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    start = text.index(old) + len(old) - len(old.lstrip("\n"))
    return text[:start].count("\n") + 1


def problems_of(content: Path) -> list[Problem]:
    """The problems load_content reports for `content` (the test fails if it reports none)."""
    try:
        load_content(content)
    except ContentError as exc:
        return exc.problems
    raise AssertionError("content loaded without problems")


def messages(content: Path) -> list[str]:
    """Problems as the CLI prints them, with the content folder prefix stripped."""
    return [str(p).split("content/", 1)[-1] for p in problems_of(content)]
