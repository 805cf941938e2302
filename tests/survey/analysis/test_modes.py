"""满意率 by mode: the same definition for web and phone, a z-test by hand, frame weighting."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from generator.content.models.site import SatisfactionDefinition
from survey.analysis.columns import MIN_CELL, NOTE, SUPPRESSED, VALUE, N
from survey.analysis.modes import (
    DIFFERENCE,
    N_PHONE,
    N_WEB,
    P_VALUE,
    RATE_PHONE,
    RATE_WEB,
    Z,
    by_mode,
    dont_know_text,
    mode_test,
)
from survey.analysis.rates import valid_satisfaction
from survey.analysis.weighting import POPULATION
from tests.survey.analysis.conftest import frame

BASE = {"topic": "ebike-charging", "wave": "2026-end"}


def answers(mode: str, district: str, counts: dict[str, int]) -> dict[str, list[Any]]:
    keys = list(counts)
    return {
        "topic": [BASE["topic"]] * len(keys),
        "wave": [BASE["wave"]] * len(keys),
        "mode": [mode] * len(keys),
        "district": [district] * len(keys),
        "satisfaction": keys,
        "times": list(counts.values()),
    }


def combined(*parts: dict[str, list[Any]]) -> pd.DataFrame:
    return pd.concat([frame(p) for p in parts], ignore_index=True)


# Web: 40 valid (32 满意, 8 不满意) and 5 说不清; phone: 50 valid (45 满意, 5 不满意), 10 说不清.
SPLIT = combined(
    answers("web", "海淀区", {"满意": 32, "不满意": 8, "说不清": 5}),
    answers("phone", "海淀区", {"满意": 45, "不满意": 5, "说不清": 10}),
)


def test_the_difference_and_its_z_test_match_the_formula_by_hand(
    definition: SatisfactionDefinition,
) -> None:
    (row,) = mode_test(SPLIT, definition).to_dict("records")
    # Pooled share 77 / 90; z = (0.9 − 0.8) / √(p(1 − p)(1/50 + 1/40)); p = erfc(|z| / √2).
    pooled = 77 / 90
    z = 0.1 / math.sqrt(pooled * (1 - pooled) * (1 / 50 + 1 / 40))
    assert (row[N_WEB], row[N_PHONE]) == (40, 50)
    assert row[RATE_WEB] == pytest.approx(0.8) and row[RATE_PHONE] == pytest.approx(0.9)
    assert row[DIFFERENCE] == pytest.approx(0.1)
    assert row[Z] == pytest.approx(z) and z == pytest.approx(1.341, abs=1e-3)
    assert row[P_VALUE] == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert not row[SUPPRESSED]


def test_dont_know_counts_the_same_way_in_both_modes(definition: SatisfactionDefinition) -> None:
    table = by_mode(SPLIT, definition).set_index("mode")
    assert table.loc["phone", "responses"] == 60 and table.loc["phone", N] == 50
    assert table.loc["web", "responses"] == 45 and table.loc["web", N] == 40
    # The headline rate rests on the same valid answers as the two modes together.
    assert len(valid_satisfaction(SPLIT, definition)) == 90
    assert table.loc["phone", VALUE] == pytest.approx(0.9)
    assert "说不清" in dont_know_text(definition)


def test_a_missing_mode_is_listed_with_zero_and_the_test_says_why(
    definition: SatisfactionDefinition,
) -> None:
    web_only = frame(answers("web", "海淀区", {"满意": 40}))
    table = by_mode(web_only, definition).set_index("mode")
    assert table.loc["phone", "responses"] == 0 and bool(table.loc["phone", SUPPRESSED])
    (row,) = mode_test(web_only, definition).to_dict("records")
    assert row[SUPPRESSED] and row[NOTE] == "没有电话访问的有效回答，无法比较两种方式。"
    assert math.isnan(row[P_VALUE])


def test_a_mode_under_the_minimum_cell_is_suppressed(definition: SatisfactionDefinition) -> None:
    few = combined(
        answers("web", "海淀区", {"满意": 40}),
        answers("phone", "海淀区", {"满意": MIN_CELL - 1}),
    )
    (row,) = mode_test(few, definition).to_dict("records")
    assert row[SUPPRESSED] and math.isnan(row[RATE_PHONE]) and "少于 30" in row[NOTE]


FRAME_DISTRICTS = pd.DataFrame({"district": ["海淀区", "朝阳区"], POPULATION: [60, 40]})


def test_weighting_to_the_frame_districts_reweights_each_mode_on_its_own(
    definition: SatisfactionDefinition,
) -> None:
    split = combined(
        answers("web", "海淀区", {"满意": 20}),
        answers("web", "朝阳区", {"满意": 12, "不满意": 8}),
        answers("phone", "海淀区", {"满意": 27, "不满意": 3}),
        answers("phone", "朝阳区", {"满意": 18, "不满意": 2}),
    )
    (row,) = mode_test(split, definition, FRAME_DISTRICTS).to_dict("records")
    # Web is half 海淀区, the frame 60%: weights 0.6 / 0.5 = 1.2 and 0.4 / 0.5 = 0.8, so
    # (20 × 1.2 + 12 × 0.8) / 40 = 0.84; effective n = 40² / (20 × 1.44 + 20 × 0.64) ≈ 38.46.
    # Phone is already 30 : 20 = 60% : 40%, so its weights are 1 and its rate stays 45/50.
    assert row[RATE_WEB] == pytest.approx(0.84)
    assert row[RATE_PHONE] == pytest.approx(0.9)
    assert row[DIFFERENCE] == pytest.approx(0.06)
    n_web, n_phone = 1600 / 41.6, 50.0
    pooled = (0.84 * n_web + 0.9 * n_phone) / (n_web + n_phone)
    z = 0.06 / math.sqrt(pooled * (1 - pooled) * (1 / n_web + 1 / n_phone))
    assert row[Z] == pytest.approx(z)
    assert "名单" in row["definition"]


def test_answers_from_a_district_missing_in_the_frame_cannot_be_weighted(
    definition: SatisfactionDefinition,
) -> None:
    split = frame(answers("web", "丰台区", {"满意": 40}))
    with pytest.raises(ValueError, match="丰台区"):
        mode_test(split, definition, FRAME_DISTRICTS)
