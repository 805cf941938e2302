"""Next case: one holder per case under concurrency, calling hours, callbacks, caps, quotas."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from survey.fieldwork import queue
from survey.fieldwork.calls import Outcome, record_outcome
from survey.fieldwork.queue import STALE_HOLD_MINUTES, next_case
from tests.survey.fieldwork.conftest import MORNING, TOPIC, WAVE, Field


def ask(field: Field, who: int, now=MORNING) -> queue.Taken:  # type: ignore[no-untyped-def]
    return next_case(field.db, TOPIC, WAVE, who, f"u{who}@example.org", now)


def test_interviewers_asking_at_once_get_distinct_cases(field: Field) -> None:
    people = [field.interviewer(f"i{n}@example.org") for n in range(8)]
    for round_ in range(5):  # many rounds in one test: a race that wins sometimes is caught
        field.cases(len(people) - 2)
        got: dict[int, int | None] = {}
        start = threading.Barrier(len(people))

        def take(who: int, got: dict[int, int | None], start: threading.Barrier) -> None:
            start.wait()
            got[who] = ask(field, who).case_id

        threads = [threading.Thread(target=take, args=(who, got, start)) for who in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        given = [g for g in got.values() if g is not None]
        assert len(given) == len(set(given)) == len(people) - 2, f"round {round_}: {got}"
        for who, case_id in got.items():  # end the round: close each case taken
            if case_id is not None:
                assert ask(field, who).case_id == case_id
                record_outcome(field.db, case_id, who, "t", Outcome("2.11", MORNING), MORNING)


def test_a_case_the_interviewer_holds_comes_back_to_them_first(field: Field) -> None:
    field.cases(3)
    me = field.interviewer("me@example.org")
    first = ask(field, me)
    again = ask(field, me)
    assert again.case_id == first.case_id and again.again
    assert field.case(first.case_id or 0).holder_id == me


def test_nobody_is_given_a_case_outside_calling_hours_or_an_unopened_or_closed_wave(
    field: Field,
) -> None:
    field.cases(1)
    me = field.interviewer("me@example.org")
    late = MORNING.replace(hour=13, minute=30)  # 21:30 in Beijing
    assert ask(field, me, late).reason.startswith("现在不在拨打时间内（09:00–21:00）")
    early = MORNING.replace(hour=0, minute=59)  # 08:59
    assert ask(field, me, early).case_id is None
    field.wave(opened_at=MORNING + timedelta(hours=1))
    assert ask(field, me).reason == queue.NOT_OPEN
    field.wave(closed_at=MORNING - timedelta(minutes=1))
    assert ask(field, me).reason == queue.CLOSED
    field.wave(closed_at=None, opened_at=MORNING - timedelta(days=1), calling_from="10:00")
    assert ask(field, me).case_id is not None  # 10:00 sharp is inside


def test_a_callback_is_not_given_before_its_time_and_comes_first_when_due(field: Field) -> None:
    appointment = MORNING + timedelta(hours=2)
    (callback,) = field.cases(1, next_call_at=appointment, last_code="2.21", attempts=1)
    (plain,) = field.cases(1)
    one, two = field.interviewer("a@example.org"), field.interviewer("b@example.org")
    assert ask(field, one).case_id == plain
    assert ask(field, two).case_id is None  # the callback waits
    later = appointment + timedelta(minutes=1)
    record_outcome(field.db, plain, one, "a", Outcome("3.13", MORNING), MORNING)
    field.cases(1)
    assert ask(field, two, later).case_id == callback  # before the untouched new case


def test_a_case_at_the_attempt_cap_is_not_given(field: Field) -> None:
    field.wave(max_attempts=3)
    field.cases(1, attempts=3)
    assert ask(field, field.interviewer("me@example.org")).reason == queue.NONE_LEFT


def test_no_case_comes_from_a_district_whose_quota_is_met(field: Field) -> None:
    field.quota("海淀区", 1)
    field.quota("朝阳区", 5)
    field.cases(1, district="海淀区", status="final", final_code="1.1", attempts=1)
    (open_case,) = field.cases(1, district="海淀区")
    (other,) = field.cases(1, district="朝阳区")
    me, you = field.interviewer("me@example.org"), field.interviewer("you@example.org")
    assert ask(field, me).case_id == other
    assert ask(field, you).reason == queue.NONE_LEFT
    assert field.case(open_case).status == "released"


def test_an_abandoned_hold_is_given_to_someone_else_after_the_stale_minutes(field: Field) -> None:
    (only,) = field.cases(1)
    me, you = field.interviewer("me@example.org"), field.interviewer("you@example.org")
    assert ask(field, me).case_id == only
    almost = MORNING + timedelta(minutes=STALE_HOLD_MINUTES - 1)
    assert ask(field, you, almost).case_id is None
    after = MORNING + timedelta(minutes=STALE_HOLD_MINUTES + 1)
    assert ask(field, you, after).case_id == only
    assert field.case(only).holder_id == you


@pytest.mark.parametrize("status", ["frame", "drawn", "final"])
def test_cases_not_released_are_never_given(field: Field, status: str) -> None:
    field.cases(2, status=status)
    assert ask(field, field.interviewer("me@example.org")).case_id is None


def test_taking_a_case_is_audited_without_the_phone(field: Field) -> None:
    from survey.storage.audit import all_entries

    (only,) = field.cases(1)
    ask(field, field.interviewer("me@example.org"))
    (entry,) = [e for e in all_entries(field.db) if e.action == "case.take"]
    assert entry.target == f"{TOPIC}/{WAVE}#{only}"
    assert "199000" not in repr(entry.detail)
