"""The monthly ranking of the 343 街乡镇 by request volume, with the 预警约谈 flags.

Every request counts, whatever its kind or topic. Ties share a rank ("competition" ranking:
1, 2, 2, 4), so a tie at the N-th place brings every tied street into the top N. A street
with no requests is never in the top N. Street populations are not in the directory, so
PER_10K is filled only where the streets frame carries a population; district rates, from
the 2020 census, come from `district_rates`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.monitor.columns import (
    BASELINE,
    DISTRICT,
    IN_TOP,
    MONTH,
    ON_LIST,
    PER_10K,
    POPULATION,
    RANK,
    RECEIVED_AT,
    RETURNED,
    RISING,
    SINCE,
    STREET,
    STREET_CODE,
    UNTIL,
    VOLUME,
    WARNING,
)
from generator.monitor.places import ranked_streets
from generator.monitor.rising import baseline, rising

DEFAULT_TOP_N = 10
RANKING_COLUMNS = (
    MONTH, RANK, DISTRICT, STREET, STREET_CODE, VOLUME, POPULATION, PER_10K,
    IN_TOP, ON_LIST, WARNING, RETURNED, BASELINE, RISING,
)  # fmt: skip
DISTRICT_COLUMNS = (MONTH, DISTRICT, VOLUME, POPULATION, PER_10K)
_M = "month_number"
_LEFT = "left_before"


def month_number(when: pd.Series) -> pd.Series:
    """datetime → months since year 0 (year × 12 + month − 1), computed on the raw array."""
    months = when.to_numpy().astype("datetime64[M]").astype("int64") + 1970 * 12
    return pd.Series(months, index=when.index)


def month_text(number: pd.Series) -> pd.Series:
    """Month number → 'YYYY-MM'."""
    return (number // 12).astype("str") + "-" + (number % 12 + 1).astype("str").str.zfill(2)


def cut_months(first: pd.Timestamp | None, last: pd.Timestamp | None) -> frozenset[str]:
    """The months ('YYYY-MM') the data covers only in part, by the half months' rule: the
    first if the data starts after its 1st, the last if it ends before its last day. Their
    counts (and a ranking on them) are so far, not the month's."""
    if first is None or last is None:
        return frozenset()
    cut = set()
    if first.normalize() > first.normalize().replace(day=1):
        cut.add(f"{first:%Y-%m}")
    if last.normalize() < last.normalize() + pd.offsets.MonthEnd(0):
        cut.add(f"{last:%Y-%m}")
    return frozenset(cut)


def street_ranking(
    records: pd.DataFrame,
    streets: pd.DataFrame,
    governance: pd.DataFrame,
    top_n: int = DEFAULT_TOP_N,
) -> pd.DataFrame:
    """Every ranked street in every month the records cover, ranked by volume (RANKING_COLUMNS)."""
    places = ranked_streets(streets)[[DISTRICT, STREET, STREET_CODE, POPULATION]]
    grid = _volumes(records, places, [DISTRICT, STREET])
    if grid.empty:
        return _empty(RANKING_COLUMNS)
    grid[RANK] = grid.groupby(_M)[VOLUME].rank(method="min", ascending=False).astype("int64")
    grid = grid.merge(_list_flags(grid[[_M, DISTRICT, STREET]], governance), how="left")
    grid = grid.fillna({ON_LIST: False, _LEFT: False}).astype({ON_LIST: "bool", _LEFT: "bool"})
    in_top = (grid[RANK] <= top_n) & (grid[VOLUME] > 0)
    grid[IN_TOP] = in_top
    grid[WARNING] = in_top & ~grid[ON_LIST]
    grid[RETURNED] = grid[WARNING] & grid[_LEFT]
    grid[MONTH] = month_text(grid[_M])
    # _volumes lists every street in every month, months in order: the rows rising() needs.
    grid[BASELINE] = baseline(grid[VOLUME], [grid[DISTRICT], grid[STREET]], _whole(grid, records))
    grid[RISING] = rising(grid[VOLUME], grid[BASELINE])
    ordered = grid.sort_values([_M, RANK, STREET_CODE], kind="stable")
    return ordered.loc[:, list(RANKING_COLUMNS)].reset_index(drop=True)


def _whole(grid: pd.DataFrame, records: pd.DataFrame) -> pd.Series:
    """Whether each row's month is wholly covered: the records' first month is not when they
    start after its first day (its count would drag the baseline down)."""
    first = pd.Timestamp(records[RECEIVED_AT].min())
    cut = first.normalize() > first.replace(day=1).normalize()
    first_month = int(month_number(pd.Series([first])).iloc[0])
    return ~((grid[_M] == first_month) & cut)


def district_rates(records: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """Requests per district and month, and per 10,000 residents (2020 census)."""
    grid = _volumes(records, districts[[DISTRICT, POPULATION]], [DISTRICT])
    if grid.empty:
        return _empty(DISTRICT_COLUMNS)
    grid[MONTH] = month_text(grid[_M])
    return grid.loc[:, list(DISTRICT_COLUMNS)]


def _volumes(records: pd.DataFrame, places: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Every (month, place) from the first to the last month of `records`, with its volume."""
    if records.empty:
        return pd.DataFrame()
    months = month_number(records[RECEIVED_AT])
    counts = _counts(records, keys, months)
    span = pd.DataFrame({_M: np.arange(months.min(), months.max() + 1, dtype="int64")})
    grid = span.merge(places.astype(dict.fromkeys(keys, "str")), how="cross")
    grid = grid.merge(counts, on=[_M, *keys], how="left").fillna({VOLUME: 0})
    grid = grid.astype({VOLUME: "int64"})
    rate = grid[VOLUME].astype("Float64") / grid[POPULATION].astype("Float64") * 10_000
    return grid.assign(**{PER_10K: rate})


def _counts(records: pd.DataFrame, keys: list[str], months: pd.Series) -> pd.DataFrame:
    """Requests per (month, *keys) that occur: _M, keys as text, VOLUME. One bincount over
    combined integer codes; a groupby over 25 million rows took seconds. Rows missing a key
    are not counted (as groupby leaves them out)."""
    first = int(months.min())
    coded = [_codes(records[k]) for k in keys]
    shape = (int(months.max()) - first + 1, *(len(labels) for _, labels in coded))
    axes = [months.to_numpy() - first, *(codes for codes, _ in coded)]
    present = np.logical_and.reduce([a >= 0 for a in axes])
    flat = np.ravel_multi_index([a[present] for a in axes], shape)
    volumes = np.bincount(flat, minlength=int(np.prod(shape)))
    found = np.flatnonzero(volumes)
    where = np.unravel_index(found, shape)
    named = {k: labels[w] for k, (_, labels), w in zip(keys, coded, where[1:], strict=True)}
    frame = pd.DataFrame({_M: where[0] + first, **named, VOLUME: volumes[found]})
    return frame.astype({_M: "int64", VOLUME: "int64", **dict.fromkeys(keys, "str")})


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(int codes, -1 where missing; the label of each code): a categorical's own codes."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        labels = np.asarray(values.cat.categories, dtype=object)
        return values.cat.codes.to_numpy().astype("int64"), labels
    codes, uniques = pd.factorize(values)
    return codes.astype("int64"), np.asarray(uniques, dtype=object)


def _list_flags(keys: pd.DataFrame, governance: pd.DataFrame) -> pd.DataFrame:
    """ON_LIST (on the list that month) and LEFT (an earlier period on it has ended)."""
    entries = governance.assign(
        since_n=_parse_month(governance[SINCE]),
        until_n=_parse_month(governance[UNTIL]).fillna(np.iinfo("int64").max),
    )
    joined = keys.merge(entries, on=[DISTRICT, STREET], how="inner")
    joined[ON_LIST] = (joined["since_n"] <= joined[_M]) & (joined[_M] <= joined["until_n"])
    joined[_LEFT] = joined["until_n"] < joined[_M]
    flags = joined.groupby([_M, DISTRICT, STREET])[[ON_LIST, _LEFT]].any().reset_index()
    return flags.astype({DISTRICT: "str", STREET: "str"})


def _parse_month(text: pd.Series) -> pd.Series:
    """'YYYY-MM' → month number; missing stays missing."""
    parts = text.str.split("-", expand=True)
    if parts.shape[1] < 2:
        return pd.Series(pd.NA, index=text.index, dtype="Int64")
    return parts[0].astype("Int64") * 12 + parts[1].astype("Int64") - 1


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    dtypes = {
        MONTH: "str", RANK: "int64", DISTRICT: "str", STREET: "str", STREET_CODE: "str",
        VOLUME: "int64", POPULATION: "Int64", PER_10K: "Float64", IN_TOP: "bool",
        ON_LIST: "bool", WARNING: "bool", RETURNED: "bool", BASELINE: "float64", RISING: "bool",
    }  # fmt: skip
    return pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in columns})
