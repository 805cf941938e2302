"""District cells, mid-year to year-end change and drivers, on literal frames."""

from __future__ import annotations

import math
from statistics import NormalDist

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from generator.content.models.site import SatisfactionDefinition
from survey.analysis import definitions as text
from survey.analysis.breakdown import DISTRICT_COLUMNS, by_district, change, drivers
from survey.analysis.columns import DISTRICT, EXCLUDED, SATISFACTION, TOPIC, WAVE, WENT_WELL
from survey.analysis.rates import wilson
from tests.survey.analysis.conftest import frame

NAN = math.nan


def test_district_cells_under_30_are_suppressed_with_the_reason(
    definition: SatisfactionDefinition,
) -> None:
    responses = frame(
        {
            TOPIC: ["t"] * 4,
            WAVE: ["2024-end"] * 4,
            DISTRICT: ["东城区", "东城区", "西城区", "西城区"],
            SATISFACTION: ["满意", "不满意", "满意", "说不清"],
            "times": [27, 3, 29, 50],  # 西城区: 29 valid, 50 说不清 that do not count
        }
    )
    definition_text = text.satisfaction_text(definition)
    low, high = wilson(27, 30)
    expected = pd.DataFrame(
        [
            ("t", "2024-end", "东城区", "satisfaction_rate", 0.9, 30, low, high, False, ""),
            ("t", "2024-end", "西城区", "satisfaction_rate", NAN, 29, NAN, NAN, True, ""),
        ],
        columns=DISTRICT_COLUMNS[:-1],
    ).assign(note=["", text.SUPPRESSED_TEXT], definition=definition_text)
    assert_frame_equal(by_district(responses, definition), expected, check_dtype=False)


def z_test_by_hand(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Pooled two-proportion z-test, two-sided."""
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (k1 / n1 - k2 / n2) / se
    return z, 2 * (1 - NormalDist().cdf(abs(z)))


def test_change_from_mid_year_to_year_end_uses_a_two_proportion_test(
    definition: SatisfactionDefinition,
) -> None:
    responses = frame(
        {
            TOPIC: ["t"] * 5,
            WAVE: ["2024-mid", "2024-mid", "2024-end", "2024-end", "2023-end"],
            SATISFACTION: ["满意", "不满意", "基本满意", "非常不满意", "满意"],
            "times": [45, 5, 40, 10, 60],  # 2023 has no mid-year wave: no row for it
        }
    )
    z, p = z_test_by_hand(40, 50, 45, 50)
    result = change(responses, definition)
    assert result[["year", "n_mid", "rate_mid", "n_end", "rate_end"]].values.tolist() == [
        [2024, 50, 0.9, 50, 0.8]
    ]
    row = result.iloc[0]
    assert (row["difference"], row["z"], row["p_value"]) == pytest.approx((-0.1, z, p))
    assert round(row["p_value"], 3) == 0.161 and not row["suppressed"]


def test_change_is_suppressed_when_either_wave_is_under_30(
    definition: SatisfactionDefinition,
) -> None:
    responses = frame(
        {
            TOPIC: ["t", "t"],
            WAVE: ["2024-mid", "2024-end"],
            SATISFACTION: ["满意", "满意"],
            "times": [29, 100],
        }
    )
    row = change(responses, definition).iloc[0]
    assert row["suppressed"] and math.isnan(row["p_value"]) and row["n_mid"] == 29


def test_change_cannot_be_tested_when_both_waves_are_all_satisfied(
    definition: SatisfactionDefinition,
) -> None:
    responses = frame(
        {TOPIC: ["t", "t"], WAVE: ["2024-mid", "2024-end"], SATISFACTION: ["满意"] * 2}
        | {"times": [30, 30]}
    )
    row = change(responses, definition).iloc[0]
    assert row["difference"] == 0 and math.isnan(row["p_value"]) and "无法检验" in row["note"]


def test_drivers_count_each_ticked_option_over_counted_responses() -> None:
    responses = frame(
        {
            TOPIC: ["t"] * 4,
            WAVE: ["2024-end"] * 4,
            WENT_WELL: [["快", "好"], ["快"], [], ["快"]],
            EXCLUDED: [False, False, False, True],
        }
    )
    expected = pd.DataFrame(
        {
            TOPIC: ["t", "t"],
            WAVE: ["2024-end"] * 2,
            "question": [WENT_WELL] * 2,
            "option": ["快", "好"],
            "count": [2, 1],
            "n": [3, 3],
            "share": [2 / 3, 1 / 3],
            "suppressed": [False, False],
            "definition": [text.DRIVERS_TEXT] * 2,
        }
    )
    assert_frame_equal(drivers(responses, WENT_WELL, min_cell=1), expected)
    assert drivers(responses, WENT_WELL)["share"].isna().all()


def test_a_respondent_counts_once_per_option_however_often_it_was_stored() -> None:
    responses = frame(
        {
            TOPIC: ["t"] * 2,
            WAVE: ["2024-end"] * 2,
            WENT_WELL: [["快"] * 200 + ["好", "好"], ["快"]],
        }
    )
    table = drivers(responses, WENT_WELL, min_cell=1).set_index("option")
    assert table["count"].to_dict() == {"快": 2, "好": 1}
    assert table["share"].max() <= 1.0
