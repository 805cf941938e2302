"""Reading frame files: chunks with spreadsheet row numbers, encodings, XLSX, clear errors."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from generator.errors import ContentError
from generator.sheets.columns import MappingError
from survey.fieldwork.frame import FrameError, load_mapping, read_chunks, text_encoding

TEXT = "编号,电话,区\n1,13800138000,东城区\n\n2,13800138001,西城区\n"


def test_chunks_number_rows_as_a_spreadsheet_does_blank_lines_included(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(TEXT, encoding="utf-8")
    chunks = list(read_chunks(path, rows=2))
    assert [c["row"].tolist() for c in chunks] == [[2, 3], [4]]
    assert chunks[1][["contact_id", "phone", "district", "street"]].values.tolist() == [
        ["2", "13800138001", "西城区", ""]
    ]


def test_small_gb18030_files_are_not_taken_for_another_encoding() -> None:
    assert text_encoding("区,size\n东城区,5\n".encode("gb18030")) == "gb18030"
    assert text_encoding("区\n东城区\n".encode()) == "utf-8"
    assert text_encoding(b"\xef\xbb\xbf" + "区\n".encode()) == "utf-8-sig"


def test_an_xlsx_is_read_in_chunks_with_numbers_as_people_typed_them(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编号", "手机", "区", "备注"])
    sheet.append([101, 13800138000, "东城区", None])
    sheet.append([102, 13800138001.0, "西城区", 2.5])
    book.save(tmp_path / "f.xlsx")
    chunks = list(read_chunks(tmp_path / "f.xlsx", rows=1))
    assert [c.iloc[0].tolist() for c in chunks] == [
        [2, "101", "13800138000", "东城区", "", ""],
        [3, "102", "13800138001", "西城区", "", "2.5"],
    ]


def test_an_xlsx_with_blank_or_repeated_header_cells_is_read_like_a_csv(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编号", "电话", None, "区", None, "备注", "备注"])
    sheet.append(["A1", "13800138000", "x", "东城区", "y", "一", "二"])
    book.save(tmp_path / "f.xlsx")
    (chunk,) = read_chunks(tmp_path / "f.xlsx")
    assert chunk.iloc[0].to_dict() == {
        "row": 2,
        "contact_id": "A1",
        "phone": "13800138000",
        "district": "东城区",
        "street": "",
        "Unnamed: 2": "x",
        "Unnamed: 4": "y",
        "备注": "一",
        "备注.1": "二",
    }


def test_unreadable_files_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(FrameError, match=r"应为 \.csv 或 \.xlsx"):
        list(read_chunks(tmp_path / "f.pdf"))
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(FrameError, match="文件为空"):
        list(read_chunks(tmp_path / "empty.csv"))
    (tmp_path / "f.csv").write_text("编号,电话,区\n", encoding="utf-8")
    with pytest.raises(FrameError, match=r"f\.csv：按 utf-16 读取失败"):  # no BOM: UnicodeError
        list(read_chunks(tmp_path / "f.csv", encoding="utf-16"))
    (tmp_path / "bad.xlsx").write_text("not a workbook", encoding="utf-8")
    with pytest.raises(FrameError, match="无法按 Excel 文件读取"):
        list(read_chunks(tmp_path / "bad.xlsx"))
    (tmp_path / "cols.csv").write_text("编号,号码\n1,2\n", encoding="utf-8")
    with pytest.raises(MappingError, match="电话（phone）、区（district）"):
        list(read_chunks(tmp_path / "cols.csv"))


def test_a_comma_at_the_end_of_every_line_leaves_each_value_in_its_column(
    tmp_path: Path,
) -> None:
    path = tmp_path / "f.csv"
    path.write_text("编号,电话,区\n1,13800138000,东城区,\n2,13800138001,西城区\n", "utf-8")
    (chunk,) = read_chunks(path)
    assert chunk[["contact_id", "phone", "district"]].values.tolist() == [
        ["1", "13800138000", "东城区"],
        ["2", "13800138001", "西城区"],
    ]
    path.write_text("编号,电话,区\n1,13800138000,东城区,\n2,13800138001,西城区,备注\n", "utf-8")
    with pytest.raises(FrameError, match=r"f\.csv：第 3 行比表头多一列（“备注”）"):
        list(read_chunks(path))


def test_an_unclosed_quote_is_named_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text('编号,电话,区\n"1,13800138000,东城区\n', encoding="utf-8")
    with pytest.raises(FrameError, match=r"f\.csv：第 2 行的双引号没有配对"):
        list(read_chunks(path))


def test_a_mapping_file_may_name_only_frame_fields(tmp_path: Path) -> None:
    path = tmp_path / "m.yml"
    path.write_text("号码: phone\n", encoding="utf-8")
    assert load_mapping(path) == {"号码": "phone"}
    path.write_text("号码: mobile\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"m\.yml:1"):
        load_mapping(path)
