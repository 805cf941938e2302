"""Rows of an Excel export (.xlsx) as text, the way the CSV reader gives them.

Exports made or touched in Excel differ from a bare table in ways a spreadsheet user never
sees: a title block above the header (found by `layout.find_header`), a cover sheet before the
data, times stored as serial numbers (46027.35 is 2026-01-05 08:30) or as date cells, work-order
numbers stored as numbers. Each cell becomes the text a CSV export of the same sheet would hold,
so the checks that follow are the same for every format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.datetime import from_excel

from generator.errors import YitiError
from generator.monitor.columns import RECEIVED_AT
from generator.monitor.layout import HEADER_SEARCH_ROWS, Layout, NoHeaderError, find_header

# Serial numbers Excel can show as dates: 1 is 1900-01-01, 2958465 is 9999-12-31.
_SERIALS = (1, 2958465)


class WorkbookError(YitiError):
    """The workbook cannot be opened, or no sheet holds a header."""


@dataclass(frozen=True)
class SheetRows:
    """The sheet that holds the records: its layout and its rows after the header."""

    sheet: str
    layout: Layout
    rows: Iterator[list[str]]  # each row's cells in the layout's columns, as text


def sheet_rows(path: Path, mapping: dict[str, str] | None) -> SheetRows:
    """The first sheet whose first rows hold a header, and its record rows as text."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors for a damaged file
        raise WorkbookError(
            f"{path.name}：无法作为 Excel 工作簿（.xlsx）打开（{exc}）；"
            "如果是旧版 .xls 或其他格式，请在 Excel 中另存为 .xlsx 或 CSV 后再导入"
        ) from exc
    try:
        sheet, layout = _header_sheet(book, path, mapping)
    except BaseException:
        book.close()
        raise
    return SheetRows(sheet.title, layout, _records(book, sheet, layout))


def _header_sheet(book: Any, path: Path, mapping: dict[str, str] | None) -> tuple[Any, Layout]:
    """The first sheet whose first rows hold a header, with its layout."""
    first_error: YitiError | None = None
    for sheet in book.worksheets:
        head = [
            _texts(row) for row in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)
        ]
        try:
            return sheet, find_header(head, mapping)
        except YitiError as exc:
            first_error = first_error or exc
    if first_error is None or isinstance(first_error, NoHeaderError):
        raise WorkbookError(f"{path.name}：工作簿中没有数据（各工作表都是空的）")
    names = "、".join(f"“{s.title}”" for s in book.worksheets)
    raise WorkbookError(f"{path.name}（工作表 {names}）：{first_error}")


def _records(book: Any, sheet: Any, layout: Layout) -> Iterator[list[str]]:
    """Every row below the header, in the layout's columns; blank rows stay (they keep row
    numbers true), and trailing empty rows Excel keeps formatted are dropped by the checks.
    The workbook is closed once the rows are read (or the reading stops): a read-only
    workbook holds its file open, in a reference cycle only a collection would free."""
    where = [layout.header.index(h) for h in layout.found]
    times = {i for i, h in zip(where, layout.found, strict=True) if layout.found[h] == RECEIVED_AT}
    try:
        for values in sheet.iter_rows(min_row=layout.skip + 2, values_only=True):
            cells = [values[i] if i < len(values) else None for i in where]
            yield [
                _time_text(v, book.epoch) if i in times else _text(v)
                for i, v in zip(where, cells, strict=True)
            ]
    finally:
        book.close()


def _texts(values: tuple[Any, ...]) -> list[str]:
    return [_text(v) for v in values]


def _text(value: Any) -> str:
    """A cell as a CSV export would spell it: 2026010500001 not 2026010500001.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _time_text(value: Any, epoch: dt.datetime) -> str:
    """A time cell as text: a date cell as itself, a serial number as the time it stands for
    (counted from the workbook's epoch: 1900, or 1904 in workbooks from old Mac Excel)."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and _SERIALS[0] <= value <= _SERIALS[1]:
        # Serials hold a fraction of a day: round to the second (…:29.999 is …:30).
        when = from_excel(value, epoch) + dt.timedelta(microseconds=500_000)
        return _text(when.replace(microsecond=0))
    return _text(value)
