"""Stored responses become the analysis frame: answers as columns, flags and exclusions as booleans."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from pandas.testing import assert_frame_equal

from generator.content.loader import load_content
from survey.analysis.export import csv_bytes
from survey.analysis.frame import FRAME_COLUMNS, responses_frame
from survey.analysis.rates import summary
from survey.analysis.variables import questionnaire_variables
from tests.conftest import CONTENT

AT = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


def stored(
    id_: int, satisfaction: str, answers: dict[str, Any], flags: list[str]
) -> dict[str, Any]:
    return {
        "id": id_,
        "receipt": f"R{id_}",
        "topic": "ebike-charging",
        "wave": "2026-end",
        "version": "standard@1",
        "submitted_at": AT,
        "channel": "web",
        "district": "海淀区",
        "street": None,
        "satisfaction": satisfaction,
        "answers": {"satisfaction": satisfaction, **answers},
        "flags": flags,
        "source": "ab12",
    }


def test_answers_spread_into_columns_and_flags_become_booleans() -> None:
    records = [
        stored(1, "满意", {"solved": "已解决", "went_well": ["反馈及时"], "comment": "好"}, []),
        stored(2, "说不清", {"awareness": "听说过"}, ["too_fast"]),
        stored(3, "不满意", {}, []) | {"mode": "phone"},
    ]
    frame = responses_frame(records, excluded={3})
    expected = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "receipt": ["R1", "R2", "R3"],
            "topic": ["ebike-charging"] * 3,
            "wave": ["2026-end"] * 3,
            "version": ["standard@1"] * 3,
            "submitted_at": [AT] * 3,
            "channel": ["web"] * 3,
            "district": ["海淀区"] * 3,
            "street": [None] * 3,
            "satisfaction": ["满意", "说不清", "不满意"],
            "mode": ["web", "web", "phone"],  # a record without a mode is a web response
            "interviewer": [None] * 3,
            "started_at": [None] * 3,
            "solved": ["已解决", None, None],
            "awareness": [None, "听说过", None],
            "went_well": [["反馈及时"], None, None],
            "went_badly": [None] * 3,
            "suspect": [False, True, False],
            "excluded": [False, False, True],
            "weight": [1.0] * 3,
            "comment": ["好", None, None],
        }
    )
    assert_frame_equal(cells(frame), cells(expected))


def cells(frame: pd.DataFrame) -> pd.DataFrame:
    """One kind of missing value, so object columns compare by content."""
    return frame.astype(object).where(frame.notna(), None)


def test_no_responses_still_give_every_column() -> None:
    assert list(responses_frame([]).columns) == FRAME_COLUMNS


def test_stored_responses_flow_into_the_results_and_a_download() -> None:
    content = load_content(CONTENT)
    questionnaire = content.questionnaires.for_wave("ebike-charging", "2026-end")
    assert questionnaire is not None
    records = [
        stored(1, "满意", {"solved": "已解决", "went_well": ["反馈及时"]}, []),
        stored(2, "不满意", {"solved": "未解决", "comment": "=1+1"}, []),
    ]
    frame = responses_frame(records)
    rates = summary(frame, content.site.satisfaction, min_cell=1).set_index("measure")
    assert rates.loc["satisfaction_rate", "value"] == 0.5
    data = b"".join(csv_bytes([frame], questionnaire_variables(questionnaire)))
    read = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert read["satisfaction"].tolist() == ["满意", "不满意"]
    assert read["went_well_6"].tolist() == [1, 0]  # 反馈及时 is the sixth option
    assert read["comment"].tolist()[1] == "'=1+1"
