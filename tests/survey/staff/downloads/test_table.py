"""The download's fast path (Arrow, a chunk at a time) gives exactly the declared table the
analysis path (json per row, pandas) gives, and falls back to it when answers do not fit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from pandas.testing import assert_frame_equal

from survey.analysis.variables import (
    FLAG_LABELS,
    MODE_VARIABLE,
    TICK_LABELS,
    Variable,
    category,
    guard,
    guard_arrow,
)
from survey.staff.downloads import table
from survey.staff.downloads.table import declared

VARIABLES = (
    Variable("receipt", "回执码", "text"),
    Variable("submitted_at", "提交时间", "text"),
    MODE_VARIABLE,
    Variable("interviewer", "访员代号", "text"),
    Variable("started_at", "开始时间", "text"),
    Variable("suspect", "可疑", "flag", FLAG_LABELS),
    Variable("excluded", "排除", "flag", FLAG_LABELS),
    Variable("flags", "标记原因", "text"),
    Variable("exclusion_reason", "排除理由", "text"),
    category("satisfaction", "满意吗？", ["满意", "不满意", "说不清"]),
    Variable("went_well_1", "做得好：快", "flag", TICK_LABELS, ticks=("went_well", "快")),
    Variable("went_well_2", "做得好：好", "flag", TICK_LABELS, ticks=("went_well", "好")),
    Variable("comment", "意见", "text"),
    Variable("never_asked", "没人回答的题", "text"),
)
BEIJING = timezone(timedelta(hours=8))


def raw(
    answers: dict[str, Any],
    flags: list[str],
    reason: str | None,
    at: datetime,
    n: int,
    phone: tuple[str, datetime] | None = None,
) -> tuple[Any, ...]:
    """A row as the repository reads it: answers and flags as JSON text; `phone` gives the
    interviewer's pseudonym and the start of a phone interview."""
    text = json.dumps(answers, ensure_ascii=False)
    mode = ("web", None, None) if phone is None else ("phone", *phone)
    return (n, f"R{n}", "t", "2026-end", "v1", at, "link", *mode, text, json.dumps(flags), reason)


ROWS = [
    raw(
        {"satisfaction": "满意", "went_well": ["快", "好"], "comment": "好的"},
        [],
        None,
        datetime(2026, 11, 27, 12, 0, 5, 999, BEIJING),
        1,
    ),
    raw(
        {"satisfaction": "说不清", "went_well": []},
        ["too_fast"],
        "重复",
        datetime(2026, 11, 27, 4, 0, tzinfo=UTC),
        2,
    ),
    raw(
        {"satisfaction": "不满意", "went_well": ["好"], "comment": "=1+1"},
        ["a", "b"],
        None,
        datetime(2026, 11, 27, 4, 0),
        3,
        ("访员07", datetime(2026, 11, 27, 11, 54, 30, tzinfo=BEIJING)),
    ),
]


def as_frame(arrow: pa.Table) -> pd.DataFrame:
    frame: pd.DataFrame = arrow.to_pandas().astype(object)
    return frame.where(frame.notna(), None)


def test_the_fast_path_equals_the_analysis_path_cell_for_cell() -> None:
    fast = as_frame(declared(ROWS, VARIABLES))
    slow = as_frame(table._generic(ROWS, VARIABLES))
    assert_frame_equal(fast, slow, check_dtype=False)
    assert fast["submitted_at"].tolist() == [
        "2026-11-27T04:00:05+00:00",  # Beijing time in UTC, to the second
        "2026-11-27T04:00:00+00:00",
        "2026-11-27T04:00:00+00:00",  # naive is UTC
    ]
    assert fast[["went_well_1", "went_well_2"]].values.tolist() == [[1, 1], [0, 0], [0, 1]]
    assert fast["suspect"].tolist() == [0, 1, 1] and fast["excluded"].tolist() == [0, 1, 0]
    assert fast["flags"].tolist() == [None, "too_fast", "a；b"]
    assert fast["never_asked"].tolist() == [None, None, None]
    assert fast["mode"].tolist() == ["web", "web", "phone"]
    assert fast["interviewer"].tolist() == [None, None, "访员07"]
    assert fast["started_at"].tolist() == [None, None, "2026-11-27T03:54:30+00:00"]


def test_answers_of_an_undeclared_type_fall_back_to_the_analysis_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    odd = [*ROWS, raw({"satisfaction": "满意", "went_well": "快"}, [], None, ROWS[0][5], 4)]
    used: list[int] = []
    generic = table._generic

    def counting(rows: Any, variables: Any) -> Any:
        used.append(len(rows))
        return generic(rows, variables)

    monkeypatch.setattr(table, "_generic", counting)
    result = as_frame(declared(odd, VARIABLES))
    assert used == [4] and len(result) == 4 and result["satisfaction"].tolist()[-1] == "满意"


def test_an_empty_chunk_has_the_declared_columns() -> None:
    empty = declared([], VARIABLES)
    assert empty.num_rows == 0 and empty.column_names == [v.name for v in VARIABLES]


@pytest.mark.parametrize(
    "value", ["=1+1", "+86 123", "-2", "@SUM(A1)", "\tx", "\rx", "满意", "a=b", "", "'x", None]
)
def test_the_arrow_guard_quotes_exactly_the_cells_the_pandas_guard_quotes(
    value: str | None,
) -> None:
    frame = pd.DataFrame({"comment": pd.Series([value, "好"], dtype=object), "n": [-1, 1]})
    arrow = guard_arrow(pa.table({"comment": [value, "好"], "n": [-1, 1]}))
    assert arrow.column("comment").to_pylist() == guard(frame)["comment"].tolist()
    assert arrow.column("n").to_pylist() == [-1, 1]  # a negative number is not a formula
