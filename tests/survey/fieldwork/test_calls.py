"""Recording outcomes: the call, the case's next state, the hold released, all at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.fieldwork.calls import Outcome, OutcomeError, record_outcome
from survey.fieldwork.hours import BEIJING
from survey.fieldwork.queue import next_case
from survey.fieldwork.tables import Call
from tests.survey.fieldwork.conftest import MORNING, TOPIC, WAVE, Field


def held(field: Field, who: int, now: datetime = MORNING) -> int:
    case_id = next_case(field.db, TOPIC, WAVE, who, "me@example.org", now).case_id
    assert case_id is not None
    return case_id


def report(
    field: Field, case_id: int, who: int, code: str, now: datetime = MORNING, **kw: object
) -> None:
    outcome = Outcome(code, now - timedelta(minutes=2), **kw)  # type: ignore[arg-type]
    record_outcome(field.db, case_id, who, "me@example.org", outcome, now)


def calls(field: Field, case_id: int) -> list[Call]:
    with field.db.transaction() as session:
        return list(session.scalars(select(Call).where(Call.case_id == case_id).order_by(Call.id)))


def test_a_final_code_closes_the_case_and_releases_the_hold(field: Field) -> None:
    field.cases(1)
    me = field.interviewer("me@example.org")
    case_id = held(field, me)
    report(field, case_id, me, "4.30", note=" 空号 ")
    case = field.case(case_id)
    assert (case.status, case.final_code, case.last_code, case.attempts) == (
        "final",
        "4.30",
        "4.30",
        1,
    )
    assert case.holder_id is None and case.held_since is None
    (call,) = calls(field, case_id)
    assert (call.code, call.interviewer_id, call.note) == ("4.30", me, "空号")


def test_no_answer_waits_for_another_part_of_the_day(field: Field) -> None:
    field.cases(1)
    me = field.interviewer("me@example.org")
    case_id = held(field, me)  # 10:00 in Beijing
    report(field, case_id, me, "3.13", MORNING.astimezone(BEIJING))  # as YITI_NOW may give it
    case = field.case(case_id)
    assert case.status == "released" and case.final_code is None
    assert case.next_call_at is not None
    assert case.next_call_at.replace(tzinfo=UTC) == MORNING + timedelta(hours=3)  # 13:00
    assert next_case(field.db, TOPIC, WAVE, me, "m", MORNING + timedelta(hours=2)).case_id is None


def test_at_the_attempt_cap_the_last_temporary_code_becomes_final(field: Field) -> None:
    field.wave(max_attempts=2)
    field.cases(1)
    me = field.interviewer("me@example.org")
    case_id = held(field, me)
    report(field, case_id, me, "3.12")
    later = MORNING + timedelta(hours=4)
    assert held(field, me, later) == case_id
    report(field, case_id, me, "3.14", later)
    case = field.case(case_id)
    assert (case.status, case.final_code, case.attempts) == ("final", "3.14", 2)


def test_a_callback_needs_a_future_time_inside_calling_hours_and_sets_the_next_call(
    field: Field,
) -> None:
    field.cases(1)
    me = field.interviewer("me@example.org")
    case_id = held(field, me)
    for when, message in [
        (None, "请填写回访时间"),
        (MORNING - timedelta(minutes=5), "晚于现在"),
        (MORNING + timedelta(hours=12), "拨打时间内（09:00–21:00）"),  # 22:00 in Beijing
    ]:
        with pytest.raises(OutcomeError, match=message):
            report(field, case_id, me, "2.21", callback_at=when)
    assert calls(field, case_id) == [] and field.case(case_id).holder_id == me  # nothing written
    appointment = MORNING + timedelta(hours=6)  # 16:00
    report(field, case_id, me, "2.21", callback_at=appointment)
    case = field.case(case_id)
    assert case.status == "released" and case.next_call_at is not None
    assert case.next_call_at.replace(tzinfo=UTC) == appointment
    assert calls(field, case_id)[0].callback_at is not None


def test_only_the_holder_may_record_an_outcome(field: Field) -> None:
    field.cases(1)
    me, you = field.interviewer("me@example.org"), field.interviewer("you@example.org")
    case_id = held(field, me)
    with pytest.raises(OutcomeError, match="不在您手中"):
        report(field, case_id, you, "2.11")
    report(field, case_id, me, "2.11")
    with pytest.raises(OutcomeError, match="不在您手中"):  # closed: not held by anyone
        report(field, case_id, me, "2.11")


def test_an_unknown_code_is_refused(field: Field) -> None:
    field.cases(1)
    me = field.interviewer("me@example.org")
    case_id = held(field, me)
    with pytest.raises(OutcomeError, match="从列表中选择"):
        report(field, case_id, me, "9.99")
