"""Storing an interview: the response and the case's 1.1 together, or neither; the pseudonym."""

from __future__ import annotations

from datetime import timedelta

import pytest

from generator.content.loader import Content
from survey.fieldwork.calls import OutcomeError
from survey.fieldwork.interview import complete, pseudonym
from survey.fieldwork.queue import STALE_HOLD_MINUTES, next_case
from survey.residents.tickets import Ticket
from survey.storage.repository import responses
from tests.survey.conftest import ANSWERS
from tests.survey.fieldwork.conftest import MORNING, TOPIC, WAVE, Field


def test_the_pseudonym_is_stable_per_account_and_secret_and_says_nothing_else() -> None:
    assert pseudonym("k", 7) == pseudonym("k", 7)
    assert len(pseudonym("k", 7)) == 16
    assert pseudonym("k", 7) != pseudonym("k", 8)
    assert pseudonym("k", 7) != pseudonym("other secret", 7)


def test_an_interview_whose_case_was_taken_meanwhile_stores_nothing(
    field: Field, content: Content
) -> None:
    (case_id,) = field.cases(1)
    me, you = field.interviewer("me@example.org"), field.interviewer("you@example.org")
    assert next_case(field.db, TOPIC, WAVE, me, "me", MORNING).case_id == case_id
    later = MORNING + timedelta(minutes=STALE_HOLD_MINUTES + 5)  # abandoned: you take it
    assert next_case(field.db, TOPIC, WAVE, you, "you", later).case_id == case_id
    questionnaire = content.questionnaires.for_wave(TOPIC, WAVE)
    assert questionnaire is not None
    ticket = Ticket("s" * 32, TOPIC, WAVE, "link", MORNING)
    who = (me, "me@example.org", pseudonym("k", me))
    with pytest.raises(OutcomeError):
        complete(field.db, content, questionnaire, ANSWERS, ticket, who, later, case_id)
    assert responses(field.db, TOPIC, WAVE) == []  # the INSERT was rolled back with the case
    assert field.case(case_id).holder_id == you
    who = (you, "you@example.org", pseudonym("k", you))
    complete(field.db, content, questionnaire, ANSWERS, ticket, who, later, case_id)
    (stored,) = responses(field.db, TOPIC, WAVE)
    assert (stored.mode, stored.interviewer) == ("phone", pseudonym("k", you))
    assert field.case(case_id).final_code == "1.1"
