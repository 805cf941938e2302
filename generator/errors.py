"""The project's errors; the CLI alone turns them into exit codes (as mkdocs `exceptions.py`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in the content, located so an editor can open the file and fix it."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class YitiError(Exception):
    """Base class: anything the CLI reports as a clean message rather than a traceback."""


class ContentError(YitiError):
    """The content has problems; carries all of them so one run reports everything."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
