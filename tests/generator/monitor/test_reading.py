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
