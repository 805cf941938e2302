"""Half months, 环比 and 同比."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

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
    REQUEST_ID,
    RISING,
    START,
    TOPIC,
    TOPIC_YEAR,
    VOLUME,
    YEAR,
    YOY_VOLUME,
)
from generator.monitor.halfmonth import (
    TABLE_COLUMNS,
    coverage,
    half_month_number,
    half_month_periods,
    half_month_table,
)

T = pd.Timestamp


def times(*values: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), format="ISO8601"), dtype="datetime64[s]")


def hits(topic: str, year: int, *when: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            TOPIC: pd.Series([topic] * len(when), dtype="str"),
            TOPIC_YEAR: pd.Series([year] * len(when), dtype="int64"),
            REQUEST_ID: pd.Series([f"R{i}" for i in range(len(when))], dtype="str"),
            RECEIVED_AT: times(*when),
        }
    )


def test_the_16th_at_midnight_opens_the_second_half() -> None:
    numbers = half_month_number(
        times("2024-01-15 23:59:59", "2024-01-16 00:00:00", "2024-01-31 23:59:59", "2024-02-01")
    )
    base = (2024 * 12) * 2
    assert numbers.tolist() == [base, base + 1, base + 1, base + 2]


def test_periods_end_on_the_last_day_of_the_month_including_leap_february() -> None:
    numbers = half_month_number(times("2024-02-20", "2023-02-20", "2024-12-31", "2025-04-01"))
    expected = pd.DataFrame(
        {
            YEAR: [2024, 2023, 2024, 2025],
            MONTH: [2, 2, 12, 4],
            HALF: [2, 2, 2, 1],
            START: times("2024-02-16", "2023-02-16", "2024-12-16", "2025-04-01"),
            END: times("2024-02-29", "2023-02-28", "2024-12-31", "2025-04-15"),
            LABEL: ["2024年2月下半月", "2023年2月下半月", "2024年12月下半月", "2025年4月上半月"],
        }
    ).astype({YEAR: "int64", MONTH: "int64", HALF: "int64", LABEL: "str"})
    assert_frame_equal(half_month_periods(numbers), expected)


def table(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """Expected half-month rows: topic, year, month, half, volume, prev, 环比, yoy, 同比, partial
    (and the 突增 baseline and flag, if given)."""
    columns = [TOPIC, TOPIC_YEAR, YEAR, MONTH, HALF, VOLUME, PREV_VOLUME, CHANGE_PREV,
               YOY_VOLUME, CHANGE_YOY, PARTIAL, BASELINE, RISING]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns[: len(rows[0]) if rows else 11])
    periods = half_month_periods((frame[YEAR] * 12 + frame[MONTH] - 1) * 2 + frame[HALF] - 1)
    frame = frame.assign(**{c: periods[c] for c in (START, END, LABEL)})
    if BASELINE not in frame:  # fewer than six earlier half months: no baseline, no flag
        frame = frame.assign(**{BASELINE: float("nan"), RISING: False})
    dtypes = {
        TOPIC: "str", TOPIC_YEAR: "int64", YEAR: "int64", MONTH: "int64", HALF: "int64",
        VOLUME: "int64", PREV_VOLUME: "Int64", CHANGE_PREV: "Float64", YOY_VOLUME: "Int64",
        CHANGE_YOY: "Float64", PARTIAL: "bool", BASELINE: "float64", RISING: "bool",
    }  # fmt: skip
    return frame.astype(dtypes).loc[:, list(TABLE_COLUMNS)]


def rule(topic: str, year: int) -> pd.DataFrame:
    return pd.DataFrame({TOPIC: [topic], TOPIC_YEAR: [year]}).astype({TOPIC: "str"})


NA = pd.NA


def test_volume_and_change_on_the_previous_half_month_across_a_month_end() -> None:
    found = half_month_table(
        hits("t", 2024, "2024-01-02", "2024-01-15 23:59:59", "2024-01-16", "2024-02-01"),
        rule("t", 2024),
        T("2024-01-01"),
        T("2024-02-15 18:00"),
    )
    expected = table(
        [
            ("t", 2024, 2024, 1, 1, 2, NA, NA, NA, NA, False),
            ("t", 2024, 2024, 1, 2, 1, 2, -0.5, NA, NA, False),
            ("t", 2024, 2024, 2, 1, 1, 1, 0.0, NA, NA, False),
        ]
    )
    assert_frame_equal(found, expected)


def test_same_half_month_a_year_earlier_across_the_year_boundary() -> None:
    found = half_month_table(
        hits("t", 2024, "2023-01-03", "2023-01-04", "2023-12-20", "2024-01-05"),
        rule("t", 2024),
        T("2023-01-01"),
        T("2024-01-15 23:00"),
    )
    # The baseline year 2023 is counted (for 同比) but not shown.
    # The six half months before 2024-01 上半月 (all of 2023's second half) give a median of 0.
    expected = table([("t", 2024, 2024, 1, 1, 1, 1, 0.0, 2, -0.5, False, 0.0, False)])
    assert_frame_equal(found, expected)


def test_year_on_year_is_missing_when_the_data_does_not_reach_back_a_year() -> None:
    found = half_month_table(
        hits("t", 2024, "2024-02-20"), rule("t", 2024), T("2024-02-16"), T("2024-02-29 12:00")
    )
    expected = table([("t", 2024, 2024, 2, 2, 1, NA, NA, NA, NA, False)])
    assert_frame_equal(found, expected)


def test_a_topic_without_records_shows_zeros_and_no_change_from_zero() -> None:
    found = half_month_table(
        hits("t", 2024, "2024-03-02"),
        pd.concat([rule("t", 2024), rule("quiet", 2024)], ignore_index=True),
        T("2024-03-01"),
        T("2024-03-20"),
    )
    expected = table(
        [
            ("t", 2024, 2024, 3, 1, 1, NA, NA, NA, NA, False),
            ("t", 2024, 2024, 3, 2, 0, 1, -1.0, NA, NA, True),
            ("quiet", 2024, 2024, 3, 1, 0, NA, NA, NA, NA, False),
            ("quiet", 2024, 2024, 3, 2, 0, 0, NA, NA, NA, True),
        ]
    )
    assert_frame_equal(found, expected)


def test_last_years_topic_is_tracked_and_older_topics_are_not() -> None:
    rules = pd.concat([rule("old", 2022), rule("last", 2023)], ignore_index=True)
    found = half_month_table(
        hits("last", 2023, "2024-06-01"), rules, T("2024-06-01"), T("2024-06-10")
    )
    expected = table([("last", 2023, 2024, 6, 1, 1, NA, NA, NA, NA, True)])
    assert_frame_equal(found, expected)


def test_no_records_give_an_empty_table_with_the_columns() -> None:
    found = half_month_table(hits("t", 2024), rule("t", 2024), None, None)
    assert_frame_equal(found, table([]))
    assert coverage(hits("t", 2024)) == (None, None)


def per_half(volumes: list[int], first_day: str = "2023-10-01") -> list[str]:
    """`volumes[i]` receipts in the i-th half month from `first_day` (on its 2nd or 17th)."""
    starts = pd.date_range(first_day, periods=len(volumes) * 2, freq="SMS-16")[: len(volumes)]
    days = [start + pd.Timedelta(days=1) for start in starts]
    return [f"{day:%Y-%m-%d} 09:00" for day, n in zip(days, volumes, strict=True) for _ in range(n)]


@pytest.mark.parametrize(("last", "flagged"), [(29, False), (30, True)])
def test_a_half_month_twenty_above_a_median_of_ten_is_flagged_as_a_rise(
    last: int, flagged: bool
) -> None:
    # Six complete half months of the year before (Oct–Dec 2023), then 2024-01 上半月.
    found = half_month_table(
        hits("t", 2024, *per_half([10, 10, 8, 12, 10, 10, last])),
        rule("t", 2024),
        T("2023-10-01"),
        T("2024-01-15 23:00"),
    )
    assert found[[LABEL, VOLUME, BASELINE, RISING]].to_dict("records") == [
        {LABEL: "2024年1月上半月", VOLUME: last, BASELINE: 10.0, RISING: flagged}
    ]


def test_no_rise_is_judged_when_the_first_of_the_six_half_months_is_cut_by_the_data() -> None:
    found = half_month_table(
        hits("t", 2024, *per_half([10, 10, 10, 10, 10, 10, 90])),
        rule("t", 2024),
        T("2023-10-02"),  # 2023-10 上半月 is incomplete
        T("2024-01-15 23:00"),
    )
    assert found[BASELINE].isna().all() and not found[RISING].any()


def test_coverage_is_the_first_and_last_receipt() -> None:
    frame = hits("t", 2024, "2024-03-02", "2024-01-01 08:00", "2024-02-01")
    assert coverage(frame) == (T("2024-01-01 08:00"), T("2024-03-02"))
