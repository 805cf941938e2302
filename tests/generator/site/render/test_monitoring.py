"""The monitoring pages' rows: `records` gives what pandas' `to_dict("records")` gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.content.loader import load_content
from generator.monitor import columns as col
from generator.monitor.api import MonitoringTables, load_records, monitoring_for_site
from generator.site.render.monitoring import Monitoring, ranking_context, records
from tests.conftest import CONTENT


def _same(left: object, right: object) -> bool:
    """Equal, with NaN equal to NaN and the same Python type (a template formats by type)."""
    if isinstance(left, float) and isinstance(right, float) and np.isnan(left):
        return bool(np.isnan(right))
    return type(left) is type(right) and left == right


def test_the_shipped_tables_become_the_rows_to_dict_makes() -> None:
    content = load_content(CONTENT)
    tables = monitoring_for_site(content, load_records(content, Path("/nonexistent")).records)
    for table in (tables.half_month, tables.ranking, tables.districts):
        expected = table.to_dict("records")
        got = list(records(table))
        assert len(got) == len(expected) > 0
        for row, want in zip(got, expected, strict=True):
            assert row.keys() == want.keys()
            assert all(_same(row[str(k)], v) for k, v in want.items()), (row, want)


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"a": pd.Series(dtype="int64"), "b": pd.Series(dtype="str")}),
        pd.DataFrame(
            {
                "n": [1, 2],
                "x": [0.5, np.nan],
                "flag": [True, False],
                "when": pd.to_datetime(["2024-01-01", "2024-01-16"]),
                "s": ["东城区", None],
                "rate": pd.array([1.5, None], dtype="Float64"),
                "people": pd.array([None, 3], dtype="Int64"),
            },
            index=[7, 3],
        ),
    ],
)
def test_empty_and_mixed_frames_become_the_rows_to_dict_makes(frame: pd.DataFrame) -> None:
    got, expected = list(records(frame)), frame.to_dict("records")
    assert len(got) == len(expected)
    for row, want in zip(got, expected, strict=True):
        assert all(_same(row[str(k)], v) for k, v in want.items()), (row, want)


def test_district_rates_run_highest_first_ties_in_table_order_and_unknown_rates_last() -> None:
    districts = pd.DataFrame(
        {
            col.MONTH: ["2024-05"] * 4,
            col.DISTRICT: ["东城区", "西城区", "朝阳区", "海淀区"],
            col.VOLUME: [10, 0, 30, 0],
            col.PER_10K: pd.array([1.0, None, 3.0, 1.0], dtype="Float64"),
        }
    )
    ranking = pd.DataFrame(
        {
            col.MONTH: pd.Series(dtype="str"),
            col.IN_TOP: pd.Series(dtype="bool"),
            col.RISING: pd.Series(dtype="bool"),
        }
    )
    tables = MonitoringTables(half_month=pd.DataFrame(), ranking=ranking, districts=districts)
    shown = ranking_context(Monitoring(tables, sample=True), "2024-05")
    order = [row["district"] for row in shown["districts"]]
    assert order == ["朝阳区", "东城区", "海淀区", "西城区"]
    assert shown["districts"][-1]["per_10k"] == "—"
    assert shown["rows"] == [] and shown["warnings"] == 0
