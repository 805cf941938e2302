"""Excel exports as analysts get them: title blocks, cover sheets, serial-number times."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from generator.content.loader import Content
from generator.monitor.columns import RECEIVED_AT, REQUEST_ID
from generator.monitor.importer import import_file
from generator.monitor.reading import InputError
from generator.monitor.store import read_records
from generator.monitor.workbook import WorkbookError, sheet_rows
from tests.generator.monitor.conftest import HEADER

COLUMNS = HEADER.strip().split(",")
ROWS = [
    ["W1", "2026-01-05 08:30:00", "投诉", "城乡建设", "东城区", "东华门街道", "楼道飞线充电"],
    ["W2", "2026-01-05 09:10:00", "咨询", "住房", "朝阳区", "八里庄街道", "老楼加装电梯"],
]


def _save(path: Path, rows: Sequence[Sequence[object]], cover: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    if cover:  # a sheet of notes first, the records on the second
        sheet.append(["本表由 12345 系统导出，仅供内部使用"])
        sheet = book.create_sheet("工单明细")
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def _imported(path: Path, content: Content, store: Path) -> tuple[list[str], list[str]]:
    result = import_file(path, content.directory, store)
    assert (len(result.rejects), result.stored) == (0, 2), result.rejects
    stored = read_records(store).sort_values(REQUEST_ID)
    return stored[REQUEST_ID].tolist(), stored[RECEIVED_AT].astype("str").tolist()


def test_a_title_block_a_cover_sheet_and_a_totals_row_do_not_stop_an_import(
    tmp_path: Path, content: Content
) -> None:
    rows = [["12345市民服务热线工单明细（2026年1月）"], ["导出时间：2026-02-01"], [], COLUMNS]
    path = _save(tmp_path / "a.xlsx", [*rows, *ROWS, ["合计", None, None, None, None, None, 2]])
    book = openpyxl.load_workbook(path)
    book.active.merge_cells("A1:G1")  # type: ignore[union-attr]
    book.save(path)
    result = import_file(path, content.directory, tmp_path / "store")
    assert (result.read, result.stored, result.skipped, len(result.rejects)) == (2, 2, 1, 0)
    covered = _save(tmp_path / "b.xlsx", [COLUMNS, *ROWS], cover=True)
    assert _imported(covered, content, tmp_path / "other")[0] == ["W1", "W2"]


def test_times_as_serial_numbers_date_cells_and_chinese_text_are_read(
    tmp_path: Path, content: Content
) -> None:
    serial = (dt.datetime(2026, 1, 5, 8, 30) - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    rows = [
        [2026010500001, serial, *ROWS[0][2:]],  # number id, General-format serial time
        [2026010500002.0, "2026年1月5日", *ROWS[1][2:]],
    ]
    path = _save(tmp_path / "a.xlsx", [COLUMNS, *rows])
    assert _imported(path, content, tmp_path / "store") == (
        ["2026010500001", "2026010500002"],
        ["2026-01-05 08:30:00", "2026-01-05 00:00:00"],
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([COLUMNS], r"^a\.xlsx：只有表头，没有记录"),
        ([], r"^a\.xlsx：工作簿中没有数据"),
        (
            [["单号", "时间"], ["1", "2"]],
            r"^a\.xlsx（工作表 “Sheet”）：前 20 行中没有符合要求的表头，第 1 行：找不到这些必需的列",
        ),
    ],
)
def test_a_workbook_without_records_is_reported_with_the_file(
    tmp_path: Path, content: Content, rows: list[list[str]], message: str
) -> None:
    path = _save(tmp_path / "a.xlsx", rows)
    with pytest.raises(InputError, match=message):
        import_file(path, content.directory, tmp_path / "store")
    assert not (tmp_path / "store" / "records").exists() or not any(
        (tmp_path / "store" / "records").iterdir()
    )


def test_a_csv_saved_under_an_excel_name_is_refused_with_what_to_do(
    tmp_path: Path, content: Content
) -> None:
    path = tmp_path / "export.xls"
    path.write_text(HEADER, encoding="utf-8")
    with pytest.raises(
        InputError, match=r"^export\.xls：无法作为 Excel 工作簿.*另存为 \.xlsx 或 CSV"
    ):
        import_file(path, content.directory, tmp_path / "store")


def test_serial_times_count_from_the_workbooks_own_epoch(tmp_path: Path, content: Content) -> None:
    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904  # old Mac Excel: serial 0 is 1904-01-01
    sheet = book.active
    assert sheet is not None
    sheet.append(COLUMNS)
    for row in ROWS:
        when = dt.datetime.fromisoformat(row[1]) - dt.datetime(1904, 1, 1)
        sheet.append([row[0], when.total_seconds() / 86400, *row[2:]])
    book.save(tmp_path / "mac.xlsx")
    assert _imported(tmp_path / "mac.xlsx", content, tmp_path / "store")[1] == [
        "2026-01-05 08:30:00",
        "2026-01-05 09:10:00",
    ]


def test_an_imported_workbook_is_closed_not_left_to_the_garbage_collector(tmp_path: Path) -> None:
    """openpyxl's read-only workbook holds its file open until closed, and it sits in a
    reference cycle: each import left its file open until a garbage collection (a ResourceWarning
    in a later test; an open handle per file in a long-running process)."""
    path = tmp_path / "a.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["工单编号", "受理时间", "诉求性质", "问题分类", "区", "街乡镇"])
    sheet.append(["X1", "2024-03-01 08:00", "投诉", "住房", "东城区", "东华门街道"])
    book.save(path)
    empty = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    gc.disable()  # what a collection would close is not what this test is about
    try:
        assert len(list(sheet_rows(path, None).rows)) == 1
        with pytest.raises(WorkbookError):
            sheet_rows(empty, None)
        assert _open_files(tmp_path) == []
    finally:
        gc.enable()


def _open_files(folder: Path) -> list[str]:
    """Files under `folder` this process holds open (Linux: /proc/self/fd)."""
    targets = []
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):  # the listing's own descriptor is gone by now
            targets.append(str(fd.readlink()))
    return [t for t in targets if t.startswith(str(folder))]
