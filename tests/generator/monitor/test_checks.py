"""One raw Arrow batch (as the CSV reader yields it) → typed rows and which pass."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

from generator.monitor.checks import Places, check_batch, records_table
from generator.monitor.columns import (
    CATEGORY,
    DISTRICT,
    KIND,
    RECEIVED_AT,
    RECORD_COLUMNS,
    REQUEST_ID,
    ROW,
    STREET,
    TEXT,
)
from generator.monitor.validate import parse_times


def csv_batch(rows: list[list[str]]) -> pa.RecordBatch:
    """Rows as the fast CSV reader gives them: text, the few-valued columns dictionary-encoded,
    and no READ_PROBLEM column."""
    columns = [pa.array(list(c), pa.string()) for c in zip(*rows, strict=True)]
    coded = {KIND, CATEGORY, DISTRICT, STREET}
    arrays = [
        c.dictionary_encode() if n in coded else c
        for n, c in zip(RECORD_COLUMNS, columns, strict=True)
    ]
    row = pa.array(np.arange(2, 2 + len(rows), dtype="int64"))
    return pa.RecordBatch.from_arrays([row, *arrays], names=[ROW, *RECORD_COLUMNS])


def test_places_know_each_street_only_in_its_own_district(streets: pd.DataFrame) -> None:
    places = Places.of(streets)
    d, s = places.districts.index("东城区"), places.streets.index("八里庄街道")
    assert not places.known[d + 1, s + 1]
    assert places.known[places.districts.index("朝阳区") + 1, s + 1]
    assert not places.known[0].any() and not places.known[:, 0].any()  # unknown: index 0


def test_a_batch_is_checked_and_only_passing_rows_are_staged(streets: pd.DataFrame) -> None:
    batch = csv_batch(
        [
            ["101", "2024-02-29 23:59:59", " 投诉", "住房", "东城区", "东华门街道", "加装电梯"],
            ["102", "2024/3/1 8:30", "咨询", "住房", "朝阳区", "八里庄街道", ""],
            ["103", "2023-02-29 10:00:00", "投诉", "住房", "东城区", "东华门街道", "x"],
            ["", "2024-03-01 00:00:00", "投诉", "住房", "东城区", "八里庄街道", "y"],
        ]
    )
    checked = check_batch(batch, Places.of(streets), parse_times)
    assert checked.ok.tolist() == [True, True, False, False]
    table = records_table(checked)
    assert table.column_names == [*RECORD_COLUMNS, ROW]
    assert table.column(REQUEST_ID).to_pylist() == ["101", "102"]
    assert table.column(KIND).to_pylist() == ["投诉", "咨询"]  # trimmed
    assert table.column(TEXT).to_pylist() == ["加装电梯", None]
    assert table.column(ROW).to_pylist() == [2, 3]
    assert table.column(RECEIVED_AT).to_pylist() == [
        pd.Timestamp("2024-02-29 23:59:59"),
        pd.Timestamp("2024-03-01 08:30"),
    ]


def test_times_before_the_hotline_opened_or_after_tomorrow_fail(streets: pd.DataFrame) -> None:
    place = ["投诉", "住房", "东城区", "东华门街道", ""]
    batch = csv_batch(
        [
            ["1", "1986-12-31 23:59:59", *place],
            ["2", "1987-01-01 00:00:00", *place],
            ["3", "2025-06-30 23:59:59", *place],
            ["4", "2025-07-01 00:00:00", *place],
            ["5", "1900-01-01 00:00:00", *place],  # a database's placeholder for "no time"
        ]
    )
    latest = np.datetime64("2025-06-30T23:59:59", "s")
    checked = check_batch(batch, Places.of(streets), parse_times, latest)
    assert checked.ok.tolist() == [False, True, True, False, False]
    assert not checked.skip.any()
