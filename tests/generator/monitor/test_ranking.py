"""The monthly street ranking and the 预警约谈 flags."""

from __future__ import annotations

from typing import cast

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

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
from generator.monitor.ranking import (
    DISTRICT_COLUMNS,
    RANKING_COLUMNS,
    cut_months,
    district_rates,
    month_number,
    month_text,
    street_ranking,
)

E, C, H, Z = (
    ("东城区", "东华门街道"),
    ("朝阳区", "八里庄街道"),
    ("海淀区", "八里庄街道"),
    ("北京经济技术开发区所在区", "亦庄开发区"),
)


def records(*rows: tuple[tuple[str, str], str, int]) -> pd.DataFrame:
    """(place, month 'YYYY-MM', count) → that many records on the 10th of the month."""
    places = [p for p, _, n in rows for _ in range(n)]
    when = [f"{m}-10 09:00" for _, m, n in rows for _ in range(n)]
    return pd.DataFrame(
        {
            RECEIVED_AT: pd.Series(pd.to_datetime(when, format="ISO8601"), dtype="datetime64[s]"),
            DISTRICT: pd.Categorical([d for d, _ in places]),
            STREET: pd.Categorical([s for _, s in places]),
        }
    )


def governance(*rows: tuple[tuple[str, str], str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            DISTRICT: [p[0] for p, _, _ in rows],
            STREET: [p[1] for p, _, _ in rows],
            SINCE: [s for _, s, _ in rows],
            UNTIL: [u for _, _, u in rows],
        }
    ).astype("str")


def expected(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """month, rank, place, code, volume, population, per 10k, in top, on list, warning, returned."""
    frame = pd.DataFrame(
        [(m, r, *cast(tuple[str, str], p), *rest) for m, r, p, *rest in rows],
        columns=list(RANKING_COLUMNS[:-2]),
    ).assign(**{BASELINE: float("nan"), RISING: False})  # under seven months: no baseline
    dtypes = {
        MONTH: "str", RANK: "int64", DISTRICT: "str", STREET: "str", STREET_CODE: "str",
        VOLUME: "int64", POPULATION: "Int64", PER_10K: "Float64", IN_TOP: "bool",
        ON_LIST: "bool", WARNING: "bool", RETURNED: "bool", BASELINE: "float64", RISING: "bool",
    }  # fmt: skip
    return frame.astype(dtypes)


NA = pd.NA


def test_months_are_numbered_and_written_as_year_dash_month() -> None:
    when = pd.Series(
        pd.to_datetime(["2024-01-31 23:59:59", "2024-12-01"], format="ISO8601"),
        dtype="datetime64[s]",
    )
    numbers = month_number(when)
    assert numbers.tolist() == [2024 * 12, 2024 * 12 + 11]
    assert month_text(numbers).tolist() == ["2024-01", "2024-12"]


def test_streets_are_ranked_with_ties_sharing_a_rank_and_zones_left_out(
    streets: pd.DataFrame,
) -> None:
    found = street_ranking(
        records((E, "2024-03", 2), (C, "2024-03", 2), (H, "2024-03", 1), (Z, "2024-03", 9)),
        streets,
        governance(),
        top_n=1,
    )
    assert_frame_equal(
        found,
        expected(
            [
                ("2024-03", 1, E, "110101001", 2, 10_000, 2.0, True, False, True, False),
                ("2024-03", 1, C, "110105001", 2, NA, NA, True, False, True, False),
                ("2024-03", 3, H, "110108001", 1, 20_000, 0.5, False, False, False, False),
            ]
        ),
    )


def test_a_street_on_the_list_gets_no_warning_and_one_that_left_and_rose_again_is_flagged(
    streets: pd.DataFrame,
) -> None:
    found = street_ranking(
        records((E, "2024-01", 3), (C, "2024-01", 1), (E, "2024-02", 3), (C, "2024-02", 5)),
        streets,
        governance((E, "2024-01", "2024-01"), (C, "2023-01", "2023-06"), (H, "2024-02", None)),
        top_n=2,
    )
    assert_frame_equal(
        found,
        expected(
            [
                ("2024-01", 1, E, "110101001", 3, 10_000, 3.0, True, True, False, False),
                ("2024-01", 2, C, "110105001", 1, NA, NA, True, False, True, True),
                ("2024-01", 3, H, "110108001", 0, 20_000, 0.0, False, False, False, False),
                ("2024-02", 1, C, "110105001", 5, NA, NA, True, False, True, True),
                ("2024-02", 2, E, "110101001", 3, 10_000, 3.0, True, False, True, True),
                ("2024-02", 3, H, "110108001", 0, 20_000, 0.0, False, True, False, False),
            ]
        ),
    )


def test_a_street_without_requests_is_never_in_the_top(streets: pd.DataFrame) -> None:
    found = street_ranking(records((E, "2024-05", 1)), streets, governance(), top_n=10)
    assert found[IN_TOP].tolist() == [True, False, False]


def test_no_records_give_an_empty_ranking(streets: pd.DataFrame) -> None:
    found = street_ranking(records(), streets, governance())
    assert_frame_equal(found, expected([]))


def test_district_rates_use_the_census_population() -> None:
    districts = pd.DataFrame(
        {DISTRICT: ["东城区", "朝阳区"], POPULATION: pd.array([20_000, 40_000], dtype="Int64")}
    )
    found = district_rates(records((E, "2024-01", 2), (C, "2024-02", 1)), districts)
    want = pd.DataFrame(
        {
            MONTH: ["2024-01", "2024-01", "2024-02", "2024-02"],
            DISTRICT: ["东城区", "朝阳区", "东城区", "朝阳区"],
            VOLUME: [2, 0, 0, 1],
            POPULATION: pd.array([20_000, 40_000, 20_000, 40_000], dtype="Int64"),
            PER_10K: pd.array([1.0, 0.0, 0.0, 0.25], dtype="Float64"),
        }
    ).astype({MONTH: "str", DISTRICT: "str", VOLUME: "int64"})
    assert_frame_equal(found, want)
    assert list(district_rates(records(), districts).columns) == list(DISTRICT_COLUMNS)


def test_counts_are_the_same_for_text_keys_and_rows_missing_a_district_are_not_counted() -> None:
    districts = pd.DataFrame(
        {DISTRICT: ["东城区", "朝阳区"], POPULATION: pd.array([20_000, 40_000], dtype="Int64")}
    )
    coded = records((E, "2024-01", 2), (C, "2024-01", 1), (C, "2024-03", 1))
    text = coded.astype({DISTRICT: "str", STREET: "str"})
    missing = pd.concat([coded, coded.iloc[[0]].assign(**{DISTRICT: None})], ignore_index=True)
    want = district_rates(coded, districts)
    assert want[VOLUME].tolist() == [2, 1, 0, 0, 0, 1]  # February is in the span, with nothing
    assert_frame_equal(district_rates(text, districts), want)
    assert_frame_equal(district_rates(missing, districts), want)


# The records helper puts every request on the 10th, so the first month (2023-12) is cut by
# the start of the data and never part of a baseline; 2024-01 to 2024-06 are the six months.
MONTHS = ["2023-12", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07"]


@pytest.mark.parametrize(("july", "flagged"), [(29, False), (30, True)])
def test_a_street_twenty_above_its_six_month_median_of_ten_is_flagged_as_a_rise(
    streets: pd.DataFrame, july: int, flagged: bool
) -> None:
    counts = [10, 10, 12, 10, 8, 10, 10, july]
    found = street_ranking(
        records(*((E, m, n) for m, n in zip(MONTHS, counts, strict=True)), (C, "2024-07", 50)),
        streets,
        governance(),
    )
    july_rows = found.loc[found[MONTH] == "2024-07"].set_index(STREET_CODE)
    east, chaoyang = july_rows.loc["110101001"], july_rows.loc["110105001"]
    assert (east[BASELINE], east[RISING]) == (10.0, flagged)
    # 八里庄街道 (朝阳区) had no request in six whole months: 0 is its median, 50 is a rise.
    assert (chaoyang[BASELINE], chaoyang[RISING]) == (0.0, True)
    assert not found.loc[found[MONTH] != "2024-07", RISING].any()


def test_a_first_month_cut_by_the_start_of_the_data_is_no_baseline(
    streets: pd.DataFrame,
) -> None:
    # 2024-01 to 2024-07: six months of 10 then 90, but January's records start on the 10th.
    found = street_ranking(
        records(*((E, m, n) for m, n in zip(MONTHS[1:], [10] * 6 + [90], strict=True))),
        streets,
        governance(),
    )
    assert not found[RISING].any() and found[BASELINE].isna().all()
    # The same months with a record on 1 January 00:00: January is whole, July is a rise.
    whole = records((E, "2024-01", 1)).assign(**{RECEIVED_AT: pd.Timestamp("2024-01-01")})
    found = street_ranking(
        pd.concat(
            [
                whole,
                records(
                    *((E, m, n) for m, n in zip(MONTHS[1:], [9] + [10] * 5 + [90], strict=True))
                ),
            ]
        ),
        streets,
        governance(),
    )
    assert found.loc[found[RISING], MONTH].tolist() == ["2024-07"]


def test_months_the_data_covers_only_in_part_are_the_first_and_last_cut_ones() -> None:
    day = pd.Timestamp
    assert cut_months(day("2024-01-05 08:00"), day("2024-03-20 10:00")) == {"2024-01", "2024-03"}
    assert cut_months(day("2024-01-01 00:00"), day("2024-02-29 23:59")) == frozenset()
    assert cut_months(day("2024-02-01 08:00"), day("2024-02-29 09:00")) == frozenset()
    assert cut_months(None, None) == frozenset()
