"""Headline rates on literal frames against hand-computed values."""

from __future__ import annotations

import math
from statistics import NormalDist

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from generator.content.models.site import SatisfactionDefinition
from survey.analysis import definitions as text
from survey.analysis.columns import (
    AWARENESS,
    EXCLUDED,
    NOTE,
    SATISFACTION,
    SATISFACTION_RATE,
    SOLVED,
    SUPPRESSED,
    SUSPECT,
    TOPIC,
    VALUE,
    WAVE,
    N,
)
from survey.analysis.rates import SUMMARY_COLUMNS, distribution, summary, wilson
from tests.survey.analysis.conftest import frame

NAN = math.nan


def closed_form_wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson (1927): (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)."""
    z = NormalDist().inv_cdf(0.975)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_wilson_interval_for_45_of_50_matches_the_closed_form() -> None:
    low, high = wilson(45, 50)
    assert (low, high) == pytest.approx(closed_form_wilson(45, 50), abs=1e-12)
    assert (round(low, 4), round(high, 4)) == (0.7864, 0.9565)


def test_wilson_interval_stays_inside_zero_and_one_at_100_percent() -> None:
    low, high = wilson(30, 30)
    assert high == pytest.approx(1.0) and 0.88 < low < 0.89


def test_no_answers_means_no_interval() -> None:
    assert all(math.isnan(x) for x in wilson(0, 0))


def five_responses() -> pd.DataFrame:
    return frame(
        {
            TOPIC: ["t"] * 5,
            WAVE: ["2024-mid"] * 5,
            SATISFACTION: ["非常满意", "满意", "不满意", "说不清", "非常满意"],
            SOLVED: ["已解决", "部分解决", "不适用", "未解决", "已解决"],
            AWARENESS: ["听说过", "不知道", "知道，并了解具体措施", "不知道", "听说过"],
            EXCLUDED: [False, False, False, False, True],
            SUSPECT: [False, True, False, False, True],
        }
    )


def test_summary_counts_and_rates_match_hand_computed_values(
    definition: SatisfactionDefinition,
) -> None:
    # Counted: rows 1–4 (row 5 excluded). Valid satisfaction: rows 1–3 (说不清 dropped).
    measures = [
        ("responses", 5.0, 5.0, False, "", text.RESPONSES_TEXT),
        ("excluded", 1.0, 5.0, False, "", text.EXCLUDED_TEXT),
        ("suspect", 2.0, 5.0, False, "", text.SUSPECT_TEXT),
        ("satisfaction_rate", 2 / 3, 3.0, True, "", text.satisfaction_text(definition)),
        ("top_box", 1 / 3, 3.0, True, "", text.top_box_text(definition)),
        ("mean_score", (100 + 75 + 25) / 3, 3.0, False, "", text.mean_score_text(definition)),
        # 解决率: 已解决 1 over 已解决/部分解决/未解决 3 (不适用 left out).
        ("solved_rate", 1 / 3, 3.0, True, "", text.SOLVED_TEXT),
        # 知晓率: 听说过 + 知道 = 2 over 4 answers.
        ("awareness_rate", 2 / 4, 4.0, True, "", text.AWARENESS_TEXT),
    ]
    rows = []
    for measure, value, n, interval, note, definition_text in measures:
        low, high = wilson(value * n, n) if interval else (NAN, NAN)
        rows.append(("t", "2024-mid", measure, value, n, low, high, False, note, definition_text))
    expected = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    assert_frame_equal(summary(five_responses(), definition, min_cell=1), expected)


def test_the_headline_follows_the_configured_definition_not_code(
    definition: SatisfactionDefinition,
) -> None:
    strict = definition.model_copy(update={"satisfied": ["非常满意", "满意"]})
    result = summary(five_responses(), strict, min_cell=1).set_index("measure")
    assert result.loc[SATISFACTION_RATE, VALUE] == pytest.approx(2 / 3)
    only_top = definition.model_copy(update={"satisfied": ["非常满意"]})
    result = summary(five_responses(), only_top, min_cell=1).set_index("measure")
    assert result.loc[SATISFACTION_RATE, VALUE] == pytest.approx(1 / 3)


@pytest.mark.parametrize(("valid", "suppressed"), [(29, True), (30, False)])
def test_rates_under_30_valid_answers_are_suppressed_not_zero(
    definition: SatisfactionDefinition, valid: int, suppressed: bool
) -> None:
    responses = frame(
        {TOPIC: ["t", "t"], WAVE: ["2024-end"] * 2, SATISFACTION: ["满意", "说不清"]}
        | {SOLVED: [None, None], AWARENESS: [None, None], "times": [valid, 40]}
    )
    rates = summary(responses, definition)
    row = rates.loc[rates["measure"] == SATISFACTION_RATE].iloc[0]
    assert row[N] == valid and row[SUPPRESSED] == suppressed
    assert math.isnan(float(row[VALUE])) == suppressed
    assert row[NOTE] == (text.SUPPRESSED_TEXT if suppressed else "")


def test_distribution_keeps_every_level_and_excludes_cant_say_from_valid_shares(
    definition: SatisfactionDefinition,
) -> None:
    answers = ["非常满意", "满意", "基本满意", "不满意", "非常不满意", "说不清"]
    counts = [1, 1, 0, 1, 0, 1]  # row 5 (非常满意) is excluded and not counted
    expected = pd.DataFrame(
        {
            TOPIC: ["t"] * 6,
            WAVE: ["2024-mid"] * 6,
            "answer": answers,
            "count": counts,
            N: [4] * 6,
            "share": [c / 4 for c in counts],
            "n_valid": [3] * 6,
            "share_valid": [1 / 3, 1 / 3, 0.0, 1 / 3, 0.0, NAN],
            "definition": [text.distribution_text(definition)] * 6,
        }
    )
    assert_frame_equal(distribution(five_responses(), definition), expected, check_dtype=False)


def test_summary_does_not_change_its_input(definition: SatisfactionDefinition) -> None:
    responses = five_responses()
    before = responses.copy()
    summary(responses, definition)
    assert_frame_equal(responses, before)
