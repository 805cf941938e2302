"""Reading exports into raw text frames."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.monitor.columns import READ_PROBLEM, REQUEST_ID, ROW
from generator.monitor.reading import (
    InputError,
    RaggedRowsError,
    detect_encoding,
    file_format,
    read_batches,
)
from tests.generator.monitor.conftest import HEADER, write_gb18030


def test_utf8_gb18030_and_a_bom_are_told_apart() -> None:
    text = HEADER + "A1,2024-03-01,投诉,住房,东城区,东华门街道,老楼加装电梯进度太慢了\n" * 20
    assert detect_encoding(text.encode("utf-8")) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"
    assert detect_encoding(text.encode("gb18030")) == "gb18030"
    assert detect_encoding(text.encode("gbk")) == "gb18030"  # GBK ⊂ GB18030


def test_unknown_file_types_are_refused() -> None:
    with pytest.raises(InputError, match="不支持的文件类型"):
        file_format(Path("records.json"))


def test_a_gb18030_csv_is_read_as_text_with_spreadsheet_row_numbers(tmp_path: Path) -> None:
    path = write_gb18030(
        tmp_path / "x.csv", "A1,2024-03-01,投诉,住房,东城区,东华门街道,\n\nA2,,,,,,\n"
    )
    (batch,) = list(read_batches(path))
    assert batch.column(ROW).to_pylist() == [2, 3, 4]
    assert batch.column(REQUEST_ID).to_pylist() == ["A1", "", "A2"]
    assert batch.column("district").to_pylist() == ["东城区", "", ""]


def test_rows_with_the_wrong_number_of_fields_are_reread_exactly(tmp_path: Path) -> None:
    body = "A1,2024-03-01,投诉,住房,东城区,东华门街道,x\nA2,2024-03-01,投诉\nA3,2024-03-01,投诉,住房,东城区,东华门街道,x,多余\n"
    path = write_gb18030(tmp_path / "x.csv", body)
    with pytest.raises(RaggedRowsError):
        list(read_batches(path))
    (batch,) = list(read_batches(path, exact=True))
    assert batch.column(ROW).to_pylist() == [2, 3, 4]
    assert batch.column(READ_PROBLEM).to_pylist() == [
        "",
        "列数不对：应为 7 列，实际 3 列",
        "列数不对：应为 7 列，实际 8 列",
    ]


def test_a_wrong_encoding_given_by_hand_is_reported(tmp_path: Path) -> None:
    path = write_gb18030(tmp_path / "x.csv", "A1,2024-03-01,投诉,住房,东城区,东华门街道,老楼\n")
    with pytest.raises(InputError, match="读取失败"):
        list(read_batches(path, encoding="utf-8"))


ROWS = (
    "R1,2026-01-05 08:30:00,投诉,城乡建设,东城区,东华门街道,楼道飞线充电\n"
    "R2,2026-01-05 09:10:00,咨询,住房,朝阳区,八里庄街道,老楼加装电梯\n"
)


def _ids_and_rows(path: Path) -> tuple[list[str], list[int]]:
    (batch,) = list(read_batches(path))
    return batch.column(REQUEST_ID).to_pylist(), batch.column(ROW).to_pylist()


def test_excel_unicode_text_utf16_with_tabs_is_read(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"  # Excel: 另存为 → Unicode 文本 (*.txt)
    path.write_bytes((HEADER + ROWS).replace(",", "\t").replace("\n", "\r\n").encode("utf-16"))
    assert detect_encoding(path.read_bytes()) == "utf-16"
    assert _ids_and_rows(path) == (["R1", "R2"], [2, 3])


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_bare_carriage_return_line_ends_are_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "export.csv"  # old Mac line ends, as some export tools still write
    path.write_bytes((HEADER + ROWS).replace("\n", "\r").encode(encoding))
    assert _ids_and_rows(path) == (["R1", "R2"], [2, 3])


def test_a_title_block_above_the_header_is_skipped_and_rows_keep_their_numbers(
    tmp_path: Path,
) -> None:
    title = "12345市民服务热线工单明细（2026年1月）,,,,,,\n导出时间：2026-02-01 09:00\n\n"
    path = tmp_path / "export.csv"
    path.write_bytes((title + HEADER + ROWS).encode("gb18030"))
    assert _ids_and_rows(path) == (["R1", "R2"], [5, 6])


def test_a_header_without_a_line_end_is_a_file_with_no_records(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(HEADER.strip(), encoding="utf-8")
    assert list(read_batches(path)) == []


def test_a_cell_longer_than_the_csv_modules_limit_is_read_exactly_too(tmp_path: Path) -> None:
    text = "楼道飞线充电" * 30_000  # 180,000 characters: over csv's default 131,072
    path = tmp_path / "export.csv"
    path.write_text(HEADER + f"R1,2026-01-05,投诉,住房,东城区,东华门街道,{text}\nR2,x\n", "utf-8")
    (batch,) = list(read_batches(path, exact=True))
    assert batch.column("text").to_pylist()[0] == text
    assert batch.column(READ_PROBLEM).to_pylist() == ["", "列数不对：应为 7 列，实际 2 列"]


def test_columns_missing_from_every_delimiters_split_are_named_with_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "export.csv"
    path.write_text("单号;时间;区\n1;2;3\n", encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r"^export\.csv：前 20 行中没有符合要求的表头，第 1 行：找不到这些必需的列.*文件的列为：单号、时间、区",
    ):
        list(read_batches(path))


def test_a_header_below_the_searched_rows_is_reported_with_the_row_looked_at(
    tmp_path: Path,
) -> None:
    path = tmp_path / "export.csv"
    path.write_text("说明\n" * 20 + HEADER + ROWS, encoding="utf-8")
    with pytest.raises(
        InputError, match=r"^export\.csv：前 20 行中没有符合要求的表头，第 1 行：找不到"
    ):
        list(read_batches(path))
