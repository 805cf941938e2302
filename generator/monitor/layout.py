"""Where the table starts in an export: its column separator and its header row.

Real exports are not always a bare table: a title and an export time often sit above the
header, and Excel's "Unicode text" (Unicode 文本) separates columns with tabs. The header is
the first of the first HEADER_SEARCH_ROWS rows that names every required field (by the same
rules as `mapping.resolve_headers`); rows above it are skipped, and row numbers stay as a
spreadsheet shows them (the header is row `skip + 1`).
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.errors import YitiError
from generator.monitor.mapping import MappingError, resolve_headers

HEADER_SEARCH_ROWS = 20  # a title block is a few rows; a header further down is not searched
# Tried in this order; the first that yields a header wins (commas are by far the most common).
DELIMITERS = (",", "\t", ";", "|")
CELL_LIMIT = (1 << 31) - 1  # characters in one cell: the csv module's largest limit


class NoHeaderError(YitiError):
    """The file has no non-empty row in which to look for a header."""


@dataclass(frozen=True)
class Layout:
    """Where the records are: `skip` rows above the header, then the header, then records."""

    skip: int
    header: list[str]
    found: dict[str, str]  # source header → field
    delimiter: str = ","
    records_follow: bool = True  # False when nothing at all follows the header

    @property
    def first_row(self) -> int:
        """The spreadsheet number of the first record row."""
        return self.skip + 2


def find_header(rows: Iterable[list[str]], mapping: dict[str, str] | None) -> Layout:
    """The header among the first rows: the first that names every required field.

    Raises the MappingError of the first non-empty row when no row qualifies (its message
    lists that row's columns), or NoHeaderError when every row is empty.
    """
    first_error: MappingError | None = None
    for index, row in enumerate(itertools.islice(rows, HEADER_SEARCH_ROWS)):
        if not any(cell.strip() for cell in row):
            continue
        try:
            return Layout(index, row, resolve_headers(row, mapping))
        except MappingError as exc:
            where = f"前 {HEADER_SEARCH_ROWS} 行中没有符合要求的表头，第 {index + 1} 行："
            first_error = first_error or MappingError(where + str(exc))
    if first_error is None:
        raise NoHeaderError("文件为空或没有表头")
    raise first_error


def csv_layout(path: Path, encoding: str, mapping: dict[str, str] | None) -> Layout:
    """The layout of a CSV (or tab-separated text) file, trying each delimiter in turn.

    When none yields a header, the error is that of the delimiter that splits the first
    non-empty row into the most columns: the one the file most likely uses.
    """
    failures: list[tuple[int, MappingError]] = []
    for delimiter in DELIMITERS:
        rows = _first_rows(path, encoding, delimiter)
        try:
            found = find_header(rows, mapping)
        except MappingError as exc:
            width = max((len(r) for r in rows if any(c.strip() for c in r)), default=0)
            failures.append((width, exc))
            continue
        follow = len(rows) > found.skip + 1
        return Layout(found.skip, found.header, found.found, delimiter, follow)
    raise max(failures, key=lambda failure: failure[0])[1]


def _first_rows(path: Path, encoding: str, delimiter: str) -> list[list[str]]:
    """The first rows (one more than searched, to know whether any follows the header),
    split at `delimiter`, with any line end (LF, CRLF, CR)."""
    with path.open(encoding=encoding, newline="") as handle, long_cells():
        return list(
            itertools.islice(csv.reader(handle, delimiter=delimiter), HEADER_SEARCH_ROWS + 1)
        )


@contextmanager
def long_cells() -> Iterator[None]:
    """Let the csv module read cells of any length (its default stops at 131,072 characters),
    as Arrow's reader does: a long complaint text is no reason to refuse a row."""
    previous = csv.field_size_limit(CELL_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(previous)
