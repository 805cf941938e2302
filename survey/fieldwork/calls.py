"""Recording a call's outcome: the Call row, the case's new state and the hold's end, at once.

One transaction writes the call with its AAPOR code, adds the attempt to the case, sets the
case's next state and releases the hold, so a crash never leaves a call without its case update
or a case held by someone who has finished with it. What the case becomes:
- a final code (1.1 complete, 2.11 refusal, 4.30 non-working number …) closes it with that code;
- a temporary code at the wave's attempt cap becomes the case's final code (AAPOR: the last
  temporary outcome is the final disposition of a case never resolved);
- a callback (2.21) needs an appointment inside calling hours and in the future, and the case
  waits for it; after a no-answer, busy line or answering machine the next attempt is spread to
  another part of the day (`survey.fieldwork.hours.spread_after`); other temporary codes make
  the case callable again at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy.orm import Session

from survey.fieldwork.dispositions import CODES, Disposition
from survey.fieldwork.hours import SPREAD_CODES, in_calling_hours, spread_after
from survey.fieldwork.tables import Call, Case, FieldworkWave
from survey.storage.audit import record
from survey.storage.db import Database

NOTE_MAX: Final = 200  # characters: an outcome note, never a phone number or an answer
NOT_HELD: Final = "这个个案已不在您手中（超过保留时间后可能已由他人接手），请点“下一个个案”"
UNKNOWN_CODE: Final = "请从列表中选择本次拨打的结果"
CALLBACK_MISSING: Final = "约定回访时请填写回访时间"
CALLBACK_PAST: Final = "回访时间必须晚于现在"
CALLBACK_HOURS: Final = "回访时间必须在拨打时间内（{hours}）"


class OutcomeError(Exception):
    """An outcome that cannot be recorded as given; the message says what to do."""


@dataclass(frozen=True)
class Outcome:
    """What the interviewer reports after a call."""

    code: str
    started_at: datetime | None = None  # when the call began (UTC); None: when the case was opened
    callback_at: datetime | None = None
    note: str = ""


def record_outcome(
    db: Database,
    case_id: int,
    interviewer_id: int,
    actor: str,
    outcome: Outcome,
    now: datetime,
    source: str = "",
) -> Case:
    """Record `outcome` for the case `interviewer_id` holds; OutcomeError if it cannot be.
    `source` is the keyed hash of the interviewer's address, for the audit entry."""
    with db.writing() as session:
        return apply_outcome(session, case_id, interviewer_id, actor, outcome, now, source)


def apply_outcome(
    session: Session,
    case_id: int,
    interviewer_id: int,
    actor: str,
    outcome: Outcome,
    now: datetime,
    source: str = "",
) -> Case:
    """`record_outcome` inside the caller's transaction (the interview stores its response in
    the same one)."""
    now = now.astimezone(UTC)  # stored as UTC: SQLite keeps a datetime's digits, not its offset
    found = session.get(Case, case_id, with_for_update=True)
    if found is None or found.status != "held" or found.holder_id != interviewer_id:
        raise OutcomeError(NOT_HELD)
    settings = session.get(FieldworkWave, (found.topic, found.wave))
    assert settings is not None  # a case exists only in a fieldwork wave
    disposition = CODES.get(outcome.code)
    if disposition is None:
        raise OutcomeError(UNKNOWN_CODE)
    check_callback(disposition, outcome.callback_at, settings, now)
    note = outcome.note.strip()[:NOTE_MAX]
    session.add(
        Call(
            case_id=found.id,
            interviewer_id=interviewer_id,
            started_at=outcome.started_at or found.held_since or now,
            ended_at=now,
            code=disposition.code,
            callback_at=outcome.callback_at if disposition.callback else None,
            note=note,
        )
    )
    _advance(found, disposition, settings, outcome.callback_at, now)
    detail = {"code": disposition.code, "attempts": found.attempts, "status": found.status}
    target = _target(found)
    record(session, now, actor, "case.outcome", target=target, detail=detail, source=source)
    return found


def check_callback(
    disposition: Disposition, callback_at: datetime | None, settings: FieldworkWave, now: datetime
) -> None:
    """An appointment must be given for 2.21, in the future and inside calling hours."""
    if not disposition.callback:
        return
    if callback_at is None:
        raise OutcomeError(CALLBACK_MISSING)
    if callback_at <= now:
        raise OutcomeError(CALLBACK_PAST)
    if not in_calling_hours(settings, callback_at):
        hours = f"{settings.calling_from}–{settings.calling_until}"
        raise OutcomeError(CALLBACK_HOURS.format(hours=hours))


def _advance(
    found: Case,
    disposition: Disposition,
    settings: FieldworkWave,
    callback_at: datetime | None,
    now: datetime,
) -> None:
    """The case's state after this call (the rules in the module docstring)."""
    found.attempts += 1
    found.last_code = disposition.code
    found.holder_id = None
    found.held_since = None
    if disposition.final or found.attempts >= settings.max_attempts:
        found.status = "final"
        found.final_code = disposition.code
        found.next_call_at = None
        return
    found.status = "released"
    if disposition.callback:
        found.next_call_at = callback_at
    elif disposition.code in SPREAD_CODES:
        found.next_call_at = spread_after(settings, now)
    else:
        found.next_call_at = now


def _target(found: Case) -> str:
    """How the audit log names a case: topic/wave#id (never the phone)."""
    return f"{found.topic}/{found.wave}#{found.id}"
