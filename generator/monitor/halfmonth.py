"""Topic volume per half month (1st–15th, 16th–end), with 环比 and 同比.

A half month is numbered as one integer, (year × 12 + month − 1) × 2 + half, so the previous
half month is n − 1 and the same half month a year earlier is n − 24: the comparisons are
plain joins, and month ends and leap years need no special case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.monitor.columns import (
    BASELINE,
    CHANGE_PREV,
    CHANGE_YOY,
    END,
    HALF,
    LABEL,
    MONTH,
    PARTIAL,
    PREV_VOLUME,
    RECEIVED_AT,
    RISING,
    START,
    TOPIC,
    TOPIC_YEAR,
    VOLUME,
    YEAR,
    YOY_VOLUME,
)
from generator.monitor.rising import baseline, rising
from generator.monitor.topics import counted_years

HALVES_PER_YEAR = 24
TABLE_COLUMNS = (
    TOPIC,
    TOPIC_YEAR,
    YEAR,
    MONTH,
    HALF,
    START,
    END,
    LABEL,
    VOLUME,
    PREV_VOLUME,
    CHANGE_PREV,
    YOY_VOLUME,
    CHANGE_YOY,
    PARTIAL,
    BASELINE,
    RISING,
)
_HALF_NAMES = {1: "上半月", 2: "下半月"}
_PERIOD = "period"


def half_month_number(when: pd.Series) -> pd.Series:
    """datetime → half-month number; the 16th 00:00:00 opens the second half."""
    number: pd.Series = (when.dt.year * 12 + when.dt.month - 1) * 2 + (when.dt.day > 15)
    return number


def half_month_periods(numbers: pd.Series) -> pd.DataFrame:
    """Half-month numbers → YEAR, MONTH, HALF (1 or 2), START, END (dates) and a Chinese LABEL."""
    months = numbers // 2
    half = numbers % 2 + 1
    year, month = months // 12, months % 12 + 1
    first = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))
    start = first + pd.to_timedelta(np.where(half == 1, 0, 15), unit="D")
    end = np.where(half == 1, first + pd.Timedelta(days=14), first + pd.offsets.MonthEnd(0))
    label = year.astype("str") + "年" + month.astype("str") + "月" + half.map(_HALF_NAMES)
    return pd.DataFrame(
        {
            YEAR: year.astype("int64"),
            MONTH: month.astype("int64"),
            HALF: half.astype("int64"),
            START: start.astype("datetime64[s]"),
            END: pd.Series(end, index=numbers.index).astype("datetime64[s]"),
            LABEL: label.astype("str"),
        },
        index=numbers.index,
    )


def half_month_table(
    hits: pd.DataFrame, rules: pd.DataFrame, first: pd.Timestamp | None, last: pd.Timestamp | None
) -> pd.DataFrame:
    """Per topic and half month of its own year and the year after: volume, 环比 and 同比.

    `first` and `last` are the earliest and latest record in the whole data, not just the
    topic's: within them a half month with no hits is a true 0; outside them it is unknown, so
    a comparison with it is missing rather than −100%. A half month cut by `first` or `last`
    is marked PARTIAL.
    """
    if first is None or last is None or rules.empty:
        return _empty_table()
    grid = _grid(rules, int(_number(first)), int(_number(last)))
    counts = hits.assign(**{_PERIOD: half_month_number(hits[RECEIVED_AT])})
    volume = counts.groupby([TOPIC, _PERIOD]).size().rename(VOLUME).reset_index()
    grid = grid.merge(volume, on=[TOPIC, _PERIOD], how="left").fillna({VOLUME: 0})
    grid = _compare(
        _compare(grid, 1, PREV_VOLUME, CHANGE_PREV), HALVES_PER_YEAR, YOY_VOLUME, CHANGE_YOY
    )
    grid = grid.reset_index(drop=True)  # left joins keep _grid's order: topic, then period
    table = pd.concat([grid, half_month_periods(grid[_PERIOD])], axis=1)
    table[PARTIAL] = (table[START] < first.normalize()) | (table[END] > last.normalize())
    # The baseline may reach into the year before the topic's, which is counted but not shown.
    table[BASELINE] = baseline(table[VOLUME], [table[TOPIC]], ~table[PARTIAL])
    table[RISING] = rising(table[VOLUME], table[BASELINE])
    shown = table.loc[table[_PERIOD] >= table[TOPIC_YEAR] * HALVES_PER_YEAR]
    return shown.astype({VOLUME: "int64"}).loc[:, list(TABLE_COLUMNS)].reset_index(drop=True)


def _number(when: pd.Timestamp) -> int:
    return int(half_month_number(pd.Series([when])).iloc[0])


def _grid(rules: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Every (topic, half month) counted for the topic and covered by the data."""
    parts = []
    for topic, year in rules[[TOPIC, TOPIC_YEAR]].itertuples(index=False, name=None):
        since, until = counted_years(int(year))
        lo = max(since * HALVES_PER_YEAR, first)
        hi = min((until + 1) * HALVES_PER_YEAR - 1, last)
        periods = np.arange(lo, hi + 1, dtype="int64")
        parts.append(pd.DataFrame({TOPIC: topic, TOPIC_YEAR: int(year), _PERIOD: periods}))
    return pd.concat(parts, ignore_index=True).astype({TOPIC: "str", TOPIC_YEAR: "int64"})


def _compare(grid: pd.DataFrame, lag: int, volume: str, change: str) -> pd.DataFrame:
    """Join each row to the row `lag` half months earlier: its volume and the relative change."""
    earlier = grid[[TOPIC, _PERIOD, VOLUME]].assign(**{_PERIOD: grid[_PERIOD] + lag})
    joined = grid.merge(
        earlier.rename(columns={VOLUME: volume}), on=[TOPIC, _PERIOD], how="left"
    ).astype({volume: "Int64"})
    base = joined[volume].astype("Float64")
    ratio = (joined[VOLUME] - base) / base.where(base > 0)
    return joined.assign(**{change: ratio.astype("Float64")})


def _empty_table() -> pd.DataFrame:
    dtypes = {
        TOPIC: "str", TOPIC_YEAR: "int64", YEAR: "int64", MONTH: "int64", HALF: "int64",
        START: "datetime64[s]", END: "datetime64[s]", LABEL: "str", VOLUME: "int64",
        PREV_VOLUME: "Int64", CHANGE_PREV: "Float64", YOY_VOLUME: "Int64",
        CHANGE_YOY: "Float64", PARTIAL: "bool", BASELINE: "float64", RISING: "bool",
    }  # fmt: skip
    return pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in TABLE_COLUMNS})


def coverage(records: pd.DataFrame) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The earliest and latest receipt time in the records; (None, None) when there are none."""
    if records.empty:
        return None, None
    when = records[RECEIVED_AT]
    return pd.Timestamp(when.min()), pd.Timestamp(when.max())
