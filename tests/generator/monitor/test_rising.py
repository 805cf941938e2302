"""The 突增 rule: at least 1.5 × the median of the six complete periods before, and 20 more."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_series_equal

from generator.monitor.rising import (
    RISE_FACTOR,
    RISE_MIN_EXTRA,
    RISE_WINDOW,
    baseline,
    rising,
    rule_text,
)


def flags(volumes: list[int], bases: list[float | None]) -> list[bool]:
    base = pd.Series([float("nan") if b is None else b for b in bases], dtype="float64")
    return rising(pd.Series(volumes, dtype="int64"), base).tolist()


def test_the_rule_is_one_and_a_half_times_the_median_of_six_and_twenty_more() -> None:
    assert (RISE_FACTOR, RISE_MIN_EXTRA, RISE_WINDOW) == (1.5, 20, 6)
    text = rule_text("半月")
    assert "此前连续 6 个完整半月诉求量中位数的 1.5 倍及以上" in text
    assert "比中位数多 20 件及以上" in text


def test_where_twenty_more_is_the_harder_condition_both_edges_are_exact() -> None:
    # Median 10: 1.5 × 10 = 15 is easy; 10 + 20 = 30 decides.
    assert flags([29, 30, 31], [10, 10, 10]) == [False, True, True]


def test_where_one_and_a_half_times_is_the_harder_condition_both_edges_are_exact() -> None:
    # Median 100: 100 + 20 = 120 is easy; 1.5 × 100 = 150 decides.
    assert flags([120, 149, 150, 151], [100, 100, 100, 100]) == [False, False, True, True]


def test_where_both_conditions_meet_at_one_count() -> None:
    # Median 40: 1.5 × 40 = 60 = 40 + 20.
    assert flags([59, 60, 61], [40, 40, 40]) == [False, True, True]


def test_a_median_of_zero_flags_from_twenty_requests() -> None:
    assert flags([0, 19, 20], [0, 0, 0]) == [False, False, True]


def test_without_a_baseline_nothing_is_flagged_however_large() -> None:
    assert flags([500, 1000, 0], [None, None, None]) == [False, False, False]


def test_the_baseline_is_the_median_of_the_six_periods_before() -> None:
    volumes = pd.Series([10, 12, 8, 10, 30, 9, 40], dtype="int64")
    complete = pd.Series(True, index=volumes.index)
    base = baseline(volumes, [pd.Series("a", index=volumes.index)], complete)
    expected = pd.Series([None] * 6 + [10.0], dtype="float64")
    assert_series_equal(base, expected, check_names=False)
    assert rising(volumes, base).tolist() == [False] * 6 + [True]  # 40 ≥ 15 and ≥ 30


@pytest.mark.parametrize("incomplete", [0, 5])
def test_an_incomplete_period_among_the_six_leaves_no_baseline(incomplete: int) -> None:
    volumes = pd.Series([10, 10, 10, 10, 10, 10, 90], dtype="int64")
    complete = pd.Series(True, index=volumes.index)
    complete[incomplete] = False
    base = baseline(volumes, [pd.Series("a", index=volumes.index)], complete)
    assert base.isna().all()


def test_each_group_has_its_own_baseline() -> None:
    # Two streets interleaved month by month, as the ranking lists them.
    # Street a: 10 → 30 rises; street b: 100 → 130 does not.
    volumes = pd.Series([10, 100] * 6 + [30, 130], dtype="int64")
    group = pd.Series(["a", "b"] * 7)
    base = baseline(volumes, [group], pd.Series(True, index=volumes.index))
    assert base.iloc[-2:].tolist() == [10.0, 100.0]
    assert rising(volumes, base).iloc[-2:].tolist() == [True, False]
