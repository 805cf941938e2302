"""`import_file` end to end: export file → store, rejects file, idempotence."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from generator.content.loader import Content
from generator.monitor.columns import REASON, REQUEST_ID, ROW, TEXT
from generator.monitor.importer import import_file
from generator.monitor.reading import InputError
from generator.monitor.store import part_files, read_records
from tests.generator.monitor.conftest import HEADER, write_gb18030

MESSY = (
    "A1,2024-02-29 23:59:59,投诉,住房,东城区,东华门街道,老楼加装电梯进度慢\n"
    'A2,2024/3/1 8:30,咨询,住房,朝阳区,八里庄街道,"物业费，怎么交"\n'
    "A3,2024-02-30 10:00:00,投诉,住房,东城区,东华门街道,x\n"
    "\n"
    "A4,2024-03-01 08:00:00,吐槽,,火星区,x,y\n"
    "A1,2024-03-02 08:00:00,投诉,住房,东城区,东华门街道,重复\n"
    "A5,2024-03-02 08:00:00,投诉,住房,东城区,八里庄街道,错区\n"
)


def test_a_gb18030_export_with_bad_rows_stores_the_good_and_explains_the_rest(
    tmp_path: Path, content: Content
) -> None:
    path = write_gb18030(tmp_path / "export.csv", MESSY)
    result = import_file(
        path, content.directory, tmp_path / "store", rejects_file=tmp_path / "r.csv"
    )
    assert (result.read, result.stored, result.already_stored, result.skipped) == (6, 2, 0, 1)
    stored = read_records(tmp_path / "store")
    assert stored[REQUEST_ID].tolist() == ["A1", "A2"]
    assert stored[TEXT].tolist() == ["老楼加装电梯进度慢", "物业费，怎么交"]
    assert result.rejects_file == tmp_path / "r.csv"
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "行号,原因,诉求编号,受理时间,诉求性质,问题分类,区,街乡镇,诉求内容",
        "4,受理时间“2024-02-30 10:00:00”无法识别（应如 2025-03-01 08:30:00）,A3,2024-02-30 10:00:00,投诉,住房,东城区,东华门街道,x",
        "6,诉求性质“吐槽”应为 咨询、求助、投诉、举报、建议 之一；缺少问题分类；区“火星区”不在名录中,A4,2024-03-01 08:00:00,吐槽,,火星区,x,y",
        "7,诉求编号重复：与第 2 行相同，保留第一次出现的那行,A1,2024-03-02 08:00:00,投诉,住房,东城区,东华门街道,重复",
        "8,街乡镇“八里庄街道”不在东城区的名录中,A5,2024-03-02 08:00:00,投诉,住房,东城区,八里庄街道,错区",
    ]


def test_importing_the_same_file_twice_counts_nothing_twice(
    tmp_path: Path, content: Content
) -> None:
    path = write_gb18030(tmp_path / "export.csv", MESSY)
    import_file(path, content.directory, tmp_path / "store")
    again = import_file(path, content.directory, tmp_path / "store")
    assert (again.stored, again.already_stored) == (0, 2)
    assert len(part_files(tmp_path / "store")) == 1
    assert len(read_records(tmp_path / "store")) == 2
    assert not list((tmp_path / "store" / "records").glob(".*"))  # no staging file left


def test_request_ids_already_stored_by_another_file_are_skipped(
    tmp_path: Path, content: Content
) -> None:
    first = write_gb18030(tmp_path / "a.csv", "B1,2024-03-01,投诉,住房,东城区,东华门街道,\n")
    second = write_gb18030(
        tmp_path / "b.csv",
        "B1,2024-03-05,投诉,住房,东城区,东华门街道,改过\nB2,2024-03-05,咨询,住房,东城区,东华门街道,\n",
    )
    import_file(first, content.directory, tmp_path / "store")
    result = import_file(second, content.directory, tmp_path / "store")
    assert (result.stored, result.already_stored, len(result.rejects)) == (1, 1, 0)
    stored = read_records(tmp_path / "store").sort_values(REQUEST_ID)
    assert stored[REQUEST_ID].tolist() == ["B1", "B2"]
    assert stored[TEXT].isna().tolist() == [True, True]  # the first B1 is kept as it was


def test_xlsx_and_parquet_exports_are_imported(tmp_path: Path, content: Content) -> None:
    rows = pd.DataFrame(
        {
            "工单编号": ["X1", "X2"],
            "受理时间": pd.to_datetime(["2024-03-01 08:00", "2024-03-16 00:00"]),
            "诉求性质": ["投诉", "建议"],
            "问题分类": ["住房", "城乡建设"],
            "区": ["东城区", "东城区"],
            "街乡镇": ["东华门街道", "景山街道"],
        }
    )
    rows.to_excel(tmp_path / "a.xlsx", index=False)
    rows.assign(工单编号=["P1", "P2"]).to_parquet(tmp_path / "b.parquet")
    for name in ("a.xlsx", "b.parquet"):
        result = import_file(tmp_path / name, content.directory, tmp_path / "store")
        assert (result.stored, len(result.rejects)) == (2, 0), result.rejects
    stored = read_records(tmp_path / "store").sort_values(REQUEST_ID)
    assert stored[REQUEST_ID].tolist() == ["P1", "P2", "X1", "X2"]
    assert str(stored["received_at"].iloc[3]) == "2024-03-16 00:00:00"


def test_a_failed_write_leaves_the_store_as_it_was(
    tmp_path: Path, content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write_gb18030(tmp_path / "a.csv", "C1,2024-03-01,投诉,住房,东城区,东华门街道,\n")
    import_file(first, content.directory, tmp_path / "store")
    before = sorted(p.name for p in (tmp_path / "store" / "records").iterdir())

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("generator.monitor.store.pq.ParquetWriter.write_table", broken)
    second = write_gb18030(tmp_path / "b.csv", "C2,2024-03-01,投诉,住房,东城区,东华门街道,\n")
    with pytest.raises(OSError, match="disk full"):
        import_file(second, content.directory, tmp_path / "store")
    assert sorted(p.name for p in (tmp_path / "store" / "records").iterdir()) == before
    assert read_records(tmp_path / "store")[REQUEST_ID].tolist() == ["C1"]


def test_a_file_with_only_a_header_is_reported(tmp_path: Path, content: Content) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(HEADER, encoding="utf-8")
    with pytest.raises(InputError, match="只有表头"):
        import_file(path, content.directory, tmp_path / "store")


FORMULAS = ('=HYPERLINK("http://evil.example","点我")', "+1", "-1", "@SUM(A1:A9)", "\tx", "\rx")


def test_rejected_cells_a_spreadsheet_would_run_are_neutralised_and_the_rest_kept_as_read(
    tmp_path: Path, content: Content
) -> None:
    rows = [[f"F{i}", "2024-03-01 08:00", "吐槽", "住房", "东城区", "东华门街道", text]
            for i, text in enumerate(FORMULAS)]  # fmt: skip
    rows.append(["=1+1", "2024/3/1 8:00", "@投诉", "-住房", "+东城区", "东华门街道", " 原样 "])
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER.strip().split(","), *rows])
    import_file(path, content.directory, tmp_path / "store", rejects_file=tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle))[1:]
    assert [row[-1] for row in written[:-1]] == ["'" + text for text in FORMULAS]
    assert written[-1][2:] == [
        "'=1+1",
        "2024/3/1 8:00",
        "'@投诉",
        "'-住房",
        "'+东城区",
        "东华门街道",
        " 原样 ",
    ]


def test_a_repeated_row_is_rejected_with_its_text_as_the_file_spelled_it(
    tmp_path: Path, content: Content
) -> None:
    body = (
        "D1,2024-03-01 08:00:00,投诉,住房,东城区,东华门街道,第一次\n"
        "D1,2024/3/2 8:00,投诉,住房,东城区,东华门街道,=再次\n"
    )
    path = write_gb18030(tmp_path / "export.csv", body)
    import_file(path, content.directory, tmp_path / "store", rejects_file=tmp_path / "r.csv")
    lines = (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].endswith(",D1,2024/3/2 8:00,投诉,住房,东城区,东华门街道,'=再次")


def test_blank_rows_and_totals_rows_are_skipped_and_counted_not_rejected(
    tmp_path: Path, content: Content
) -> None:
    body = (
        "E1,2024-03-01 08:00:00,投诉,住房,东城区,东华门街道,x\n"
        ",,,,,,\n"
        "\n"
        "E2,2024-03-01 09:00:00,投诉,住房,东城区,东华门街道,y\n"
        "小计,,,,,,2\n"
        "合计：2 条\n"  # a short row: read exactly, still a totals row
        ",,\n"
    )
    path = write_gb18030(tmp_path / "export.csv", body)
    result = import_file(path, content.directory, tmp_path / "store")
    assert (result.read, result.stored, result.skipped, len(result.rejects)) == (2, 2, 5, 0)


def test_a_file_of_only_blank_and_totals_rows_is_reported(tmp_path: Path, content: Content) -> None:
    path = write_gb18030(tmp_path / "export.csv", "\n,,,,,,\n合计,,,,,,0\n")
    with pytest.raises(InputError, match="只有表头，没有记录（只有空行、合计行或重复的表头）"):
        import_file(path, content.directory, tmp_path / "store")
    assert not list((tmp_path / "store" / "records").glob("*"))


def test_a_typo_in_the_year_is_rejected_not_stretching_the_tables_to_that_year(
    tmp_path: Path, content: Content
) -> None:
    body = (
        "Y1,2026-01-05 08:30:00,投诉,住房,东城区,东华门街道,x\n"
        "Y2,2206-01-05 08:30:00,投诉,住房,东城区,东华门街道,x\n"
        "Y3,1900-01-01 00:00:00,投诉,住房,东城区,东华门街道,x\n"
    )
    path = write_gb18030(tmp_path / "export.csv", body)
    result = import_file(path, content.directory, tmp_path / "store")
    assert result.stored == 1
    window = r"”不在 1987-01-01 到 \d{4}-\d{2}-\d{2} 之间，请检查年份$"
    reasons = result.rejects["reason"].tolist()
    assert [re.sub(window, "", r) for r in reasons] == [
        "受理时间“2206-01-05 08:30:00",
        "受理时间“1900-01-01 00:00:00",
    ]


def test_a_row_listed_twice_is_stored_once_and_only_a_conflicting_repeat_is_rejected(
    tmp_path: Path, content: Content
) -> None:
    body = (
        "G1,2024-03-01 08:00:00,投诉,住房,东城区,东华门街道,\n"
        "G1,2024/3/1 8:00, 投诉,住房,东城区,东华门街道,\n"  # the same record, spelled apart
        "G1,2024-03-01 08:00:00,投诉,住房,东城区,东华门街道,改过\n"
        "G2,2024-03-01 09:00:00,投诉,住房,东城区,东华门街道,y\n"
        "G2,2024-03-01 09:00:00,投诉,住房,东城区,东华门街道,y\n"
    )
    path = write_gb18030(tmp_path / "export.csv", body)
    result = import_file(path, content.directory, tmp_path / "store")
    assert (result.read, result.stored, result.copies) == (5, 2, 2)
    assert result.rejects[ROW].tolist() == [4]
    assert result.rejects[REASON].tolist() == ["诉求编号重复：与第 2 行相同，保留第一次出现的那行"]


def test_a_work_order_number_in_full_width_digits_is_the_same_request(
    tmp_path: Path, content: Content
) -> None:
    place = "2024-03-01 08:00:00,投诉,住房,东城区,东华门街道,x"
    first = write_gb18030(tmp_path / "a.csv", f"2026010500002,{place}\n")
    again = write_gb18030(tmp_path / "b.csv", f"２０２６０１０５００００２,{place}\nＢ７,{place}\n")
    import_file(first, content.directory, tmp_path / "store")
    result = import_file(again, content.directory, tmp_path / "store")
    assert (result.stored, result.already_stored) == (1, 1)
    assert sorted(read_records(tmp_path / "store")[REQUEST_ID]) == ["2026010500002", "B7"]


def test_a_record_whose_text_starts_like_a_totals_row_is_still_rejected_for_its_time(
    tmp_path: Path, content: Content
) -> None:
    body = "H1,,投诉,住房,东城区,东华门街道,合计收费不合理\n,,,,,,合计 1 条\n"
    path = write_gb18030(tmp_path / "export.csv", body)
    result = import_file(path, content.directory, tmp_path / "store")
    assert (result.read, result.skipped) == (1, 1)
    assert result.rejects[REASON].tolist() == ["缺少受理时间"]


def test_two_exports_joined_end_to_end_keep_the_second_header_out_of_the_records(
    tmp_path: Path, content: Content
) -> None:
    first = HEADER + "J1,2024-03-01 08:00:00,投诉,住房,东城区,东华门街道,x\n"
    second = "\ufeff" + HEADER + "J2,2024-03-02 08:00:00,投诉,住房,东城区,东华门街道,y\n"
    path = tmp_path / "joined.csv"  # cat a.csv b.csv > joined.csv, each saved by Excel
    path.write_bytes(b"\xef\xbb\xbf" + (first + second).encode("utf-8"))
    result = import_file(path, content.directory, tmp_path / "store")
    assert (result.read, result.stored, result.skipped, len(result.rejects)) == (2, 2, 1, 0)
