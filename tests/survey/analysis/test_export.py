"""Every download read back and equal to the rows given, Chinese text included; streaming."""

from __future__ import annotations

import gc
import hashlib
import io
import json
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from pandas.testing import assert_frame_equal

from survey.analysis.export import (
    BOM,
    ExportTooLargeError,
    Manifest,
    csv_bytes,
    file_sha256,
    write_csv,
    write_sav,
    write_xlsx,
)
from survey.analysis.variables import (
    FLAG_LABELS,
    MODE_VARIABLE,
    TICK_LABELS,
    Variable,
    category,
    codebook,
    prepare,
)

VARIABLES = (
    Variable("receipt", "回执码", "text"),
    category("satisfaction", "总体满意吗？", ["非常满意", "满意", "说不清"]),
    Variable("went_well_1", "做得好：办理快", "flag", TICK_LABELS, ticks=("went_well", "办理快")),
    Variable("suspect", "被标记为可疑", "flag", FLAG_LABELS),
    Variable("comment", "意见或建议", "text"),
)


def chunk() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "receipt": ["R1", "R2", "R3"],
            "satisfaction": ["非常满意", "说不清", "满意"],
            "went_well": [["办理快"], [], ["态度好"]],
            "suspect": [False, True, False],
            "comment": ["电动车充电桩，终于装好了！", '=HYPERLINK("http://x","点我")', None],
        }
    )


def prepared() -> pd.DataFrame:
    return prepare(chunk(), VARIABLES)


def cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as Python objects with one kind of missing, to compare files read back."""
    return frame.astype(object).where(frame.notna(), None)


def test_csv_has_a_bom_and_reads_back_equal_with_chinese_text() -> None:
    out = io.BytesIO()
    tally = write_csv([chunk(), chunk()], VARIABLES, out)
    data = out.getvalue()
    assert data.startswith(BOM.encode("utf-8"))
    read = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    expected = pd.concat([prepared(), prepared()], ignore_index=True)
    # The one formula-looking comment comes back with the guard's apostrophe in front.
    expected["comment"] = expected["comment"].map(
        lambda text: "'" + text if str(text).startswith("=") else text
    )
    assert_frame_equal(cells(read), cells(expected))
    assert read.loc[1, "comment"] == '\'=HYPERLINK("http://x","点我")'
    assert (tally.rows, tally.sha256()) == (6, hashlib.sha256(data).hexdigest())


def test_plain_utf8_csv_has_no_bom() -> None:
    data = b"".join(csv_bytes([chunk()], VARIABLES, bom=False))
    assert data.startswith(b"receipt,") and "电动车" in data.decode("utf-8")


def test_xlsx_has_three_sheets_and_the_rows_read_back_equal(tmp_path: Path) -> None:
    path = tmp_path / "responses.xlsx"
    rows = write_xlsx([chunk()], VARIABLES, path, {"topic": "ebike-charging", "wave": "2026-end"})
    book = openpyxl.load_workbook(path)
    assert (rows, book.sheetnames) == (3, ["responses", "codebook", "metadata"])
    values = list(book["responses"].values)
    read = pd.DataFrame(values[1:], columns=values[0])
    assert_frame_equal(read, prepared(), check_dtype=False)
    formula_cell = book["responses"]["E3"]
    assert formula_cell.data_type == "s" and formula_cell.quotePrefix
    sheet = list(book["codebook"].values)
    cells = pd.DataFrame(sheet[1:], columns=sheet[0]).fillna("")
    assert_frame_equal(cells, codebook(VARIABLES))
    metadata = {key: value for key, value in list(book["metadata"].values)[1:]}
    assert metadata["rows"] == "3" and metadata["wave"] == "2026-end"


def test_xlsx_replaces_characters_xml_cannot_hold(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    bad = chunk().assign(comment=["响铃\x07了", "", ""])
    write_xlsx([bad], VARIABLES, path, {})
    assert openpyxl.load_workbook(path)["responses"]["E2"].value == "响铃\ufffd了"


def test_sav_has_variable_labels_value_labels_and_missing_codes(tmp_path: Path) -> None:
    path = tmp_path / "responses.sav"
    assert write_sav([chunk()], VARIABLES, path) == 3
    codes, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert codes["satisfaction"].tolist() == [1.0, 3.0, 2.0]
    assert meta.column_names_to_labels["satisfaction"] == "总体满意吗？"
    assert meta.variable_value_labels["satisfaction"] == {
        1.0: "非常满意",
        2.0: "满意",
        3.0: "说不清",
    }
    assert meta.missing_ranges == {"satisfaction": [{"lo": 3.0, "hi": 3.0}]}
    labelled, _ = pyreadstat.read_sav(str(path), apply_value_formats=True, user_missing=True)
    expected = prepared().assign(
        went_well_1=["选择", "未选", "未选"],
        suspect=["否", "是", "否"],
        comment=lambda d: d["comment"].fillna(""),
    )
    assert_frame_equal(labelled, expected, check_dtype=False, check_categorical=False)


def test_sav_marks_likert_items_ordinal_codes_nominal_counts_scale_and_flags_f1(
    tmp_path: Path,
) -> None:
    variables = (
        *VARIABLES,
        category("hotline", "打过 12345 吗？", ["打过", "没打过", "记不清"]),
        Variable("minutes", "作答用时（分钟）", "number"),
    )
    frame = chunk().assign(hotline=["打过", "没打过", "记不清"], minutes=[2.5, 1.0, 3.0])
    path = tmp_path / "measures.sav"
    write_sav([frame], variables, path)
    _, meta = pyreadstat.read_sav(str(path))
    assert meta.variable_measure == {
        "receipt": "nominal",
        "satisfaction": "ordinal",
        "went_well_1": "nominal",
        "suspect": "nominal",
        "comment": "nominal",
        "hotline": "nominal",
        "minutes": "scale",
    }
    formats = meta.original_variable_types
    assert formats["went_well_1"] == formats["suspect"] == "F1.0"
    assert formats["satisfaction"] == formats["hotline"] == "F1.0"
    assert formats["minutes"] == "F8.2"


def test_sav_refuses_more_rows_than_it_may_hold_in_memory(tmp_path: Path) -> None:
    with pytest.raises(ExportTooLargeError, match="CSV"):
        write_sav([chunk(), chunk()], VARIABLES, tmp_path / "r.sav", max_rows=5)


def test_xlsx_refuses_more_rows_than_an_excel_sheet_holds(tmp_path: Path) -> None:
    with pytest.raises(ExportTooLargeError, match="CSV"):
        write_xlsx([chunk(), chunk()], VARIABLES, tmp_path / "r.xlsx", {}, max_rows=5)
    assert write_xlsx([chunk(), chunk()], VARIABLES, tmp_path / "r.xlsx", {}, max_rows=6) == 6


def test_xlsx_keeps_links_and_numbers_in_text_cells_as_text(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    texts = ["http://example.invalid", "0012", "1e3"]
    write_xlsx([chunk().assign(comment=texts)], VARIABLES, path, {})
    sheet = openpyxl.load_workbook(path)["responses"]
    cells = [sheet[f"E{row}"] for row in (2, 3, 4)]
    assert [(c.value, c.data_type, c.hyperlink) for c in cells] == [(t, "s", None) for t in texts]


def test_an_empty_download_still_has_its_header_and_labels(tmp_path: Path) -> None:
    assert b"".join(csv_bytes([], VARIABLES)).decode("utf-8-sig").startswith("receipt,")
    write_sav([], VARIABLES, tmp_path / "empty.sav")
    _, meta = pyreadstat.read_sav(str(tmp_path / "empty.sav"))
    assert meta.number_rows == 0 and meta.column_names == [v.name for v in VARIABLES]


class Source:
    """Chunks on demand, remembering how many were drawn and which old ones were still held.

    A writer's loop variable keeps the last chunk while it asks for the next one, so "old" means
    two or more chunks back: holding those would mean rows pile up in memory.
    """

    def __init__(self, count: int) -> None:
        self.drawn = 0
        self.count = count
        self.still_alive: list[int] = []

    def __iter__(self) -> Iterator[pd.DataFrame]:
        given: list[weakref.ref[pd.DataFrame]] = []
        for _ in range(self.count):
            gc.collect()
            self.still_alive += [j for j, ref in enumerate(given[:-1]) if ref() is not None]
            self.drawn += 1
            part = chunk()
            given.append(weakref.ref(part))
            yield part
            del part


def test_csv_draws_one_chunk_per_block_written() -> None:
    source = Source(3)
    blocks = csv_bytes(source, VARIABLES)
    assert source.drawn == 0
    next(blocks)  # the header needs no rows
    assert source.drawn == 0
    next(blocks)
    assert source.drawn == 1
    assert len(list(blocks)) == 2 and source.drawn == 3


def test_csv_and_xlsx_hold_no_more_than_the_last_chunk_while_drawing_the_next(
    tmp_path: Path,
) -> None:
    for write in (
        lambda s: write_csv(s, VARIABLES, io.BytesIO()),
        lambda s: write_xlsx(s, VARIABLES, tmp_path / "r.xlsx", {}),
    ):
        source = Source(5)
        write(source)
        assert (source.drawn, source.still_alive) == (5, [])


def test_manifest_records_rows_hash_filters_version_and_time(tmp_path: Path) -> None:
    path = tmp_path / "responses.xlsx"
    rows = write_xlsx([chunk()], VARIABLES, path, {})
    manifest = Manifest(
        file=path.name,
        format="xlsx",
        rows=rows,
        sha256=file_sha256(path),
        filters={"topic": "ebike-charging", "wave": "2026-end"},
        questionnaire_version="standard@1+ebike-charging@1",
        generated_at=datetime(2026, 11, 27, 4, 0, tzinfo=UTC),
    )
    data = json.loads(manifest.to_json())
    assert data["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (data["rows"], data["generated_at"]) == (3, "2026-11-27T04:00:00+00:00")
    assert data["filters"] == {"topic": "ebike-charging", "wave": "2026-end"}
    assert data["questionnaire_version"] == "standard@1+ebike-charging@1"


def test_the_mode_is_coded_for_spss_with_its_meaning_as_value_label(tmp_path: Path) -> None:
    variables = (*VARIABLES, MODE_VARIABLE)
    path = tmp_path / "modes.sav"
    write_sav([chunk().assign(mode=["web", "phone", "web"])], variables, path)
    codes, meta = pyreadstat.read_sav(str(path))
    assert codes["mode"].tolist() == [1.0, 2.0, 1.0]
    assert meta.column_names_to_labels["mode"] == "访问方式"
    assert meta.variable_value_labels["mode"] == {1.0: "网页自填", 2.0: "电话访问"}
    book = codebook(variables).set_index("variable")
    assert book.loc["mode", "values"] == "1=web（网页自填）；2=phone（电话访问）"
    assert book.loc["satisfaction", "values"] == "1=非常满意；2=满意；3=说不清"
