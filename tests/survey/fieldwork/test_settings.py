"""Fieldwork settings: calling hours, and the state a wave must be in."""

from __future__ import annotations

import pytest

from survey.fieldwork.settings import (
    FieldworkError,
    close_fieldwork,
    open_fieldwork,
    parse_hours,
    status,
)
from survey.storage.audit import entries
from survey.storage.db import Database
from tests.survey.fieldwork.conftest import AT, TOPIC, WAVE


@pytest.mark.parametrize(
    ("text", "hours"), [("09:00-21:00", ("09:00", "21:00")), (" 8:30 - 20:00", None)]
)
def test_hours_are_read_as_two_beijing_times(text: str, hours: tuple[str, str] | None) -> None:
    if hours is None:
        with pytest.raises(FieldworkError, match="请写成 09:00-21:00"):
            parse_hours(text)
    else:
        assert parse_hours(text) == hours


def test_hours_must_not_run_backwards() -> None:
    with pytest.raises(FieldworkError, match="开始时间应早于结束时间"):
        parse_hours("21:00-09:00")


def test_open_change_close_and_status_are_audited(db: Database) -> None:
    open_fieldwork(db, TOPIC, WAVE, "09:00-21:00", 6, AT, "cli:test")
    row = open_fieldwork(db, TOPIC, WAVE, "10:00-20:00", 4, AT, "cli:test")
    assert (row.calling_from, row.calling_until, row.max_attempts) == ("10:00", "20:00", 4)
    assert close_fieldwork(db, TOPIC, WAVE, AT, "cli:test") == 0
    with pytest.raises(FieldworkError, match="已结束"):
        close_fieldwork(db, TOPIC, WAVE, AT, "cli:test")
    found = status(db, TOPIC, WAVE)
    assert found.wave is not None and found.wave.closed_at is not None
    assert [e.action for e in entries(db)] == [
        "fieldwork.close",
        "fieldwork.open",
        "fieldwork.open",
    ]
    assert entries(db)[1].detail == {"hours": "10:00-20:00", "max_attempts": 4}
