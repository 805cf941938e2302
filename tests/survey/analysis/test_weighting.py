"""Post-stratification to district margins, trimming and Kish's effective n, by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from generator.content.loader import load_content
from generator.content.models.site import SatisfactionDefinition
from survey.analysis.columns import DISTRICT, SATISFACTION, TOPIC, WAVE, WEIGHT
from survey.analysis.weighting import (
    POPULATION,
    district_margins,
    kish_effective_n,
    poststratify,
    trim,
    weighted_rates,
    weighted_share,
)
from tests.conftest import CONTENT
from tests.survey.analysis.conftest import frame

MARGINS = pd.DataFrame({DISTRICT: ["甲区", "乙区", "丙区"], POPULATION: [100, 300, 600]})


def sample() -> pd.DataFrame:
    """甲区 is over-represented (3 of 4 answers, 25% of the population of 甲+乙)."""
    return frame(
        {
            TOPIC: ["t"] * 4,
            WAVE: ["2024-end"] * 4,
            DISTRICT: ["甲区", "甲区", "甲区", "乙区"],
            SATISFACTION: ["满意", "满意", "不满意", "不满意"],
        }
    )


def test_poststratification_gives_each_district_its_population_share() -> None:
    # 丙区 has no answers, so shares are over 甲+乙: 0.25 and 0.75. w = share / (n_d / n).
    expected = sample().assign(**{WEIGHT: [0.25 / 0.75] * 3 + [0.75 / 0.25]})
    assert_frame_equal(poststratify(sample(), MARGINS), expected)


def test_weighted_rate_equals_the_population_weighted_district_rates() -> None:
    weighted = poststratify(sample(), MARGINS)
    satisfied = weighted[SATISFACTION] == "满意"
    # 甲区 2/3 satisfied at 25%, 乙区 0 at 75%: 1/6.
    assert weighted_share(satisfied, weighted[WEIGHT]) == pytest.approx(1 / 6)


def test_kish_effective_n_is_sum_squared_over_sum_of_squares() -> None:
    assert kish_effective_n(pd.Series([1.0, 1.0, 2.0, 4.0])) == pytest.approx(64 / 22)
    assert kish_effective_n(pd.Series([2.0] * 5)) == pytest.approx(5)


def test_trimming_caps_at_a_multiple_of_the_median_and_keeps_the_total() -> None:
    # Median 1, cap 3: the 10 becomes 3 and its excess 7 is spread over four weights of 1.
    trimmed = trim(pd.Series([1.0, 1.0, 1.0, 1.0, 10.0]), cap=3)
    assert_series_equal(trimmed, pd.Series([2.75, 2.75, 2.75, 2.75, 3.0]))


def test_trimming_repeats_until_no_weight_is_over_the_cap() -> None:
    # Spreading the 10's excess lifts the 2.9 over 3 in the second round.
    weights = pd.Series([1.0, 1.0, 1.0, 1.0, 1.0, 2.9, 10.0])
    trimmed = trim(weights, cap=3)
    assert trimmed.max() == pytest.approx(3.0)
    assert trimmed.sum() == pytest.approx(weights.sum())
    assert (trimmed.iloc[:5] == trimmed.iloc[0]).all()


def test_a_cap_too_low_to_keep_the_total_is_refused() -> None:
    with pytest.raises(ValueError, match="太小"):
        trim(pd.Series([1.0, 1.0, 10.0]), cap=3)


def test_a_district_without_population_data_is_refused() -> None:
    with pytest.raises(ValueError, match="丁区"):
        poststratify(sample().assign(**{DISTRICT: "丁区"}), MARGINS)


def test_weighted_rates_show_unweighted_n_weighted_rate_and_effective_n(
    definition: SatisfactionDefinition,
) -> None:
    row = weighted_rates(sample(), definition, MARGINS, cap=100, min_cell=1).iloc[0]
    assert (row["n"], row["rate_unweighted"]) == (4, 0.5)
    assert row["rate_weighted"] == pytest.approx(1 / 6)
    # Σw = 4, Σw² = 3·(1/9) + 9.
    assert row["n_effective"] == pytest.approx(16 / (1 / 3 + 9))
    assert row["ci_low"] < 1 / 6 < row["ci_high"]
    assert weighted_rates(sample(), definition, MARGINS)["suppressed"].tolist() == [True]


def test_margins_come_from_the_directory_census_populations() -> None:
    margins = district_margins(load_content(CONTENT).directory.districts)
    assert len(margins) == 16
    assert margins.set_index(DISTRICT).loc["东城区", POPULATION] == 708829
