"""The Parquet record store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pandas.testing import assert_frame_equal

from generator.monitor.columns import RECORD_COLUMNS, REQUEST_ID
from generator.monitor.store import (
    empty_records,
    part_files,
    read_records,
    stored_ids,
    write_part,
)


def test_an_empty_store_reads_as_no_records(tmp_path: Path) -> None:
    assert_frame_equal(read_records(tmp_path), empty_records())
    assert stored_ids(tmp_path).empty


def test_written_records_read_back_with_their_types(tmp_path: Path) -> None:
    records = pd.DataFrame(
        {
            "request_id": ["A1", "A2"],
            "received_at": pd.Series(
                [pd.Timestamp("2024-02-29 23:59:59"), pd.Timestamp("2024-03-01")],
                dtype="datetime64[s]",
            ),
            "kind": pd.Categorical(["投诉", "咨询"]),
            "category": ["住房", "住房"],
            "district": pd.Categorical(["东城区", "朝阳区"]),
            "street": pd.Categorical(["东华门街道", "八里庄街道"]),
            "text": ["加装电梯", None],
        }
    ).astype({"request_id": "str", "category": "str", "text": "str"})
    write_part(tmp_path, [records])
    found = read_records(tmp_path)
    assert list(found.columns) == list(RECORD_COLUMNS)
    assert found.dtypes.astype(str).tolist() == empty_records().dtypes.astype(str).tolist()
    assert found[REQUEST_ID].tolist() == ["A1", "A2"]
    assert found["text"].isna().tolist() == [False, True]
    assert len(part_files(tmp_path)) == 1
    assert not list((tmp_path / "records").glob(".*"))  # no temporary file left behind
