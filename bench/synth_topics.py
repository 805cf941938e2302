"""Synthetic content for the build benchmark: N topics made by varying the shipped ones."""

from __future__ import annotations

import re
import shutil
from pathlib import Path


def make_content(source: Path, target: Path, count: int) -> Path:
    """Copy `source` content to `target` with `count` topics, cycling through the shipped ones."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("topics"))
    originals = sorted((source / "topics").glob("*/*.yml"))
    for i in range(count):
        original = originals[i % len(originals)]
        text = original.read_text(encoding="utf-8")
        slug = f"{original.stem}-{i:03d}"
        text = re.sub(r"^slug: .*$", f"slug: {slug}", text, count=1, flags=re.M)
        text = re.sub(r"^title: (.*)$", rf"title: \1（第 {i} 号）", text, count=1, flags=re.M)
        folder = target / "topics" / original.parent.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{slug}.yml").write_text(text, encoding="utf-8")
    return target
