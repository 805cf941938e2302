"""Storing a telephone interview: an ordinary response, and the case's 1.1, in one transaction.

The response goes through the residents' path (`survey.storage.repository.save_response`), so the
submission id of the served form makes a resent POST count once. It records mode `phone`, the
interviewer's pseudonym and when the interview began, and nothing about the case: no case id,
no phone, no contact id, so answers cannot be joined back to numbers. The case's disposition
is written in the same transaction as the INSERT; a resend finds the stored response and does
not touch the case again.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from generator.content.loader import Content
from generator.content.models import Questionnaire
from survey.fieldwork.calls import Outcome, apply_outcome, record_outcome
from survey.fieldwork.dispositions import COMPLETE
from survey.fieldwork.forms import REFUSAL_CODE
from survey.residents.service import with_street_name
from survey.residents.tickets import Ticket
from survey.storage.db import Database
from survey.storage.repository import Submission, save_response

PHONE: Final = "phone"  # the response's mode and channel
_PSEUDONYM: Final = b"yiti interviewer pseudonym v1"


def pseudonym(secret: str, user_id: int) -> str:
    """16 hex characters standing for one interviewer account in the responses: the same for
    every interview they do (supervision compares interviewers), never the email, and not
    reversible without the app's secret key."""
    key = hmac.new(secret.encode("utf-8"), _PSEUDONYM, hashlib.sha256).digest()
    return hmac.new(key, str(user_id).encode("ascii"), hashlib.sha256).hexdigest()[:16]


def as_submission(
    content: Content,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    ticket: Ticket,
    alias: str,
    now: datetime,
) -> Submission:
    """The interview's answers as the response `complete` stores (a resend compares with it)."""
    return Submission(
        submission_id=ticket.submission_id,
        topic=questionnaire.topic,
        wave=questionnaire.wave,
        version=questionnaire.version,
        channel=PHONE,
        answers=with_street_name(content, answers),
        submitted_at=now,
        mode=PHONE,
        interviewer=alias,
        started_at=ticket.served_at,
    )


def complete(
    db: Database,
    content: Content,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    ticket: Ticket,
    who: tuple[int, str, str],
    now: datetime,
    case_id: int,
    source: str = "",
) -> str:
    """Store the interview's answers and close the case as 1.1; return the response's receipt.

    `who` is (account id, audit actor, pseudonym). OutcomeError (nothing stored) when the
    interviewer no longer holds the case.
    """
    interviewer_id, actor, alias = who
    submission = as_submission(content, questionnaire, answers, ticket, alias, now)
    outcome = Outcome(COMPLETE.code, ticket.served_at)

    def close_case(connection: Connection) -> None:
        with Session(bind=connection) as session:
            apply_outcome(session, case_id, interviewer_id, actor, outcome, now, source)
            session.flush()

    return save_response(db, submission, also=close_case)


def refuse(
    db: Database,
    case_id: int,
    interviewer_id: int,
    actor: str,
    started: datetime,
    now: datetime,
    source: str = "",
) -> None:
    """The resident said no at the consent question: the call is a refusal (2.11)."""
    refusal = Outcome(REFUSAL_CODE, started)
    record_outcome(db, case_id, interviewer_id, actor, refusal, now, source)
