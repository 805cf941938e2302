"""Quality flags on literal frames: short interviews, straight-lining, interviewer effects."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from generator.content.models import Question
from survey.fieldwork import quality

SCALES = [
    Question(
        id="change",
        kind="single",
        label="变化",
        options=["明显改善", "有所改善", "没有变化", "变差了", "说不清"],
    ),
    Question(
        id="solved", kind="single", label="解决", options=["已解决", "部分解决", "未解决", "不适用"]
    ),
    Question(id="hotline", kind="single", label="热线", options=["打过", "没打过", "记不清"]),
]


Row = tuple[str, float, dict[str, str], bool, bool]


def frame(rows: list[Row]) -> pd.DataFrame:
    columns = [
        quality.INTERVIEWER,
        quality.MINUTES,
        quality.ANSWERS,
        quality.VALID,
        quality.SATISFIED,
    ]
    return pd.DataFrame(rows, columns=columns)


def test_interviews_under_forty_percent_of_the_median_are_short() -> None:
    interviews = frame(
        [
            ("a", 10.0, {}, True, True),
            ("a", 8.0, {}, True, True),
            ("b", 3.9, {}, True, True),
            ("b", 4.0, {}, True, True),
        ]
    )
    # median (4.0 + 8.0) / 2 = 6.0; 40% of it is 2.4: nothing. With 1.0 added: median 4.0, limit 1.6.
    assert quality.too_short(interviews).empty
    more = pd.concat([interviews, frame([("c", 1.5, {}, True, True)])], ignore_index=True)
    assert list(quality.too_short(more)[quality.MINUTES]) == [1.5]


def test_the_same_position_on_every_scale_question_is_straight_lining() -> None:
    scales = quality.scale_questions(SCALES)
    assert [q.id for q in scales] == ["change", "solved"]  # 3 options is not a scale
    interviews = frame(
        [
            ("a", 5.0, {"change": "明显改善", "solved": "已解决", "hotline": "没打过"}, True, True),
            ("a", 5.0, {"change": "有所改善", "solved": "已解决"}, True, True),
            ("b", 5.0, {"change": "没有变化", "solved": "未解决"}, True, True),
            ("b", 5.0, {"change": "明显改善"}, True, True),  # one scale answered: no judgement
        ]
    )
    flagged = quality.straight_lined(interviews, scales)
    assert list(flagged.index) == [0, 2]


def test_an_interviewer_whose_rate_differs_is_flagged_after_holm_correction() -> None:
    satisfied = {"a": 19, "b": 17, "c": 4, "d": 17, "e": 17, "f": 17}  # of 20 valid answers each
    rows: list[Row] = [
        (who, 5.0, {}, True, i < yes) for who, yes in satisfied.items() for i in range(20)
    ]
    rows += [("c", 5.0, {}, False, False)]  # 说不清: not valid, not counted
    effects = quality.interviewer_effects(frame(rows)).set_index(quality.INTERVIEWER)
    assert effects.loc["c", quality.N] == 20
    assert effects.loc["c", quality.RATE] == pytest.approx(0.2)
    assert effects.loc["c", quality.OTHERS_RATE] == pytest.approx(87 / 100)
    total = sum(satisfied.values())
    raw = [proportions_ztest([yes, total - yes], [20, 100])[1] for yes in satisfied.values()]
    assert raw[0] < 0.05  # a alone would be flagged: 95% against 82%, p = 0.028 ...
    expected = multipletests(raw, method="holm")[1]
    assert list(effects[quality.P_ADJUSTED]) == pytest.approx(list(expected))
    # ... but not after Holm's correction for testing six interviewers; c (20%) is.
    assert list(effects[quality.FLAGGED]) == [False, False, True, False, False, False]


def test_everyone_satisfied_cannot_be_tested_and_flags_nobody() -> None:
    rows: list[Row] = [(who, 5.0, {}, True, True) for who in "ab" for _ in range(5)]
    effects = quality.interviewer_effects(frame(rows))
    assert effects[quality.P_ADJUSTED].map(math.isnan).all()
    assert not effects[quality.FLAGGED].any()


def test_a_single_interviewer_is_not_compared_with_anyone() -> None:
    assert quality.interviewer_effects(frame([("a", 5.0, {}, True, True)])).empty
