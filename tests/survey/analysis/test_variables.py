"""The declared variable table: codebook, preparation of chunks, the formula-injection guard."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from generator.content.loader import load_content
from survey.analysis.variables import (
    FLAG_LABELS,
    TICK_LABELS,
    Variable,
    category,
    codebook,
    coded,
    guard,
    neutralise,
    prepare,
    questionnaire_variables,
)
from tests.conftest import CONTENT

VARIABLES = (
    Variable("receipt", "回执码", "text"),
    category("satisfaction", "总体满意吗？", ["满意", "不满意", "说不清"]),
    Variable("went_well_1", "做得好：快", "flag", TICK_LABELS, ticks=("went_well", "快")),
    Variable("suspect", "可疑", "flag", FLAG_LABELS),
    Variable("score", "分数", "number"),
)


@pytest.mark.parametrize("text", ["=1+1", "+86 12345", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["满意", "a=b", "", "'已引用", " =x"])
def test_ordinary_text_is_left_as_it_is(text: str) -> None:
    assert neutralise(text) == text


def test_guard_touches_text_cells_only_and_not_its_input() -> None:
    table = pd.DataFrame({"comment": ["=cmd|' /C calc'!A0", "好", None], "n": [-1, 2, 3]})
    before = table.copy()
    expected = pd.DataFrame({"comment": ["'=cmd|' /C calc'!A0", "好", None], "n": [-1, 2, 3]})
    assert_frame_equal(guard(table), expected)
    assert_frame_equal(table, before)


def test_codebook_lists_labels_codes_and_missing_codes() -> None:
    expected = pd.DataFrame(
        {
            "variable": ["receipt", "satisfaction", "went_well_1", "suspect", "score"],
            "label": ["回执码", "总体满意吗？", "做得好：快", "可疑", "分数"],
            "type": ["text", "category", "flag", "flag", "number"],
            "values": ["", "1=满意；2=不满意；3=说不清", "0=未选；1=选择", "0=否；1=是", ""],
            "missing": ["", "3", "", "", ""],
        }
    )
    assert_frame_equal(codebook(VARIABLES), expected)


def test_prepare_turns_lists_into_ticks_and_flags_into_numbers() -> None:
    chunk = pd.DataFrame(
        {
            "receipt": ["R1", "R2", "R3"],
            "satisfaction": ["满意", "说不清", None],
            "went_well": [["快", "好"], [], None],
            "suspect": [False, True, False],
            "score": [1.5, None, 3.0],
        }
    )
    expected = pd.DataFrame(
        {
            "receipt": ["R1", "R2", "R3"],
            "satisfaction": ["满意", "说不清", None],
            "went_well_1": [1, 0, 0],
            "suspect": [0, 1, 0],
            "score": [1.5, None, 3.0],
        }
    ).astype({"receipt": object, "satisfaction": object})
    assert_frame_equal(prepare(chunk, VARIABLES), expected)


def test_times_become_iso_8601_text_in_utc_to_the_second() -> None:
    beijing = timezone(timedelta(hours=8))
    chunk = pd.DataFrame({"at": [datetime(2026, 11, 27, 12, 0, 5, 999, tzinfo=beijing), None]})
    table = prepare(chunk, [Variable("at", "提交时间", "text")])
    assert table["at"].tolist() == ["2026-11-27T04:00:05+00:00", None]


def test_times_without_a_zone_are_taken_as_utc_as_stored() -> None:
    chunk = pd.DataFrame({"at": [datetime(2026, 11, 27, 4, 0)]})
    table = prepare(chunk, [Variable("at", "提交时间", "text")])
    assert table["at"].tolist() == ["2026-11-27T04:00:00+00:00"]


def test_an_answer_outside_the_questionnaire_cannot_be_coded() -> None:
    table = pd.DataFrame({"satisfaction": ["很满意"]})
    with pytest.raises(ValueError, match="很满意"):
        coded(table, [VARIABLES[1]])


def test_the_shipped_questionnaire_declares_spss_safe_unique_variables() -> None:
    questionnaire = load_content(CONTENT).questionnaires.for_wave("ebike-charging", "2026-end")
    assert questionnaire is not None
    variables = {v.name: v for v in questionnaire_variables(questionnaire)}
    assert all(name.isascii() and name[0].isalpha() for name in variables)
    satisfaction = variables["satisfaction"]
    assert satisfaction.values[0] == (1, "非常满意") and satisfaction.missing == (6,)
    assert variables["solved"].missing == (4,)  # 不适用
    assert variables["went_well_1"].ticks == ("went_well", "办事流程更简便")
    assert variables["charging_distance"].kind == "category"
