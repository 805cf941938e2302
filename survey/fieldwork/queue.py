"""The next case for an interviewer: one released case that nobody else holds, callable now.

Fifty interviewers press "下一个个案" at once, so two of them must never get the same case. On
PostgreSQL the candidate row is read with `SELECT … FOR UPDATE SKIP LOCKED`: a row another
transaction is taking is skipped rather than waited for. SQLite has one writer at a time;
`Database.writing()` makes writers take turns through the lock file (as responses do), so what
was read is still true when it is written. On both, the UPDATE repeats the conditions it was
chosen on and must change exactly one row, so even an unforeseen race cannot hand a case out
twice.

Rules (each a test in tests/survey/fieldwork/test_queue.py):
- the wave's fieldwork is open (opened, not closed) and now is inside its calling hours;
- a case the interviewer already holds comes back to them first;
- never before a case's `next_call_at` (callback time, or the spreading rule of
  `survey.fieldwork.hours`); fewer attempts than the wave's `max_attempts`;
- no case from a district whose quota of completes is met (districts without a quota: no cap);
- a hold untouched for `STALE_HOLD_MINUTES` is abandoned (a closed browser, a lost session) and
  the case may be given to someone else;
- appointments (2.21) due now come first, then the cases with the fewest attempts, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from survey.fieldwork.dispositions import COMPLETE
from survey.fieldwork.hours import in_calling_hours
from survey.fieldwork.tables import Case, FieldworkWave, Quota
from survey.storage.audit import record
from survey.storage.db import Database
from survey.waves import as_utc

# Minutes after which a hold counts as abandoned. An interview takes about 10 minutes and a
# call with its outcome 2–3; 30 leaves room for a long interview without stranding a case for
# the rest of a shift when a browser is closed.
STALE_HOLD_MINUTES: Final = 30
CALLBACK: Final = "2.21"

# Why no case was given, in the interviewer's words.
NOT_FOUND: Final = "本议题的这一批次没有电话访问"
NOT_OPEN: Final = "本批次的电话访问尚未开始"
CLOSED: Final = "本批次的电话访问已结束"
OUTSIDE_HOURS: Final = "现在不在拨打时间内（{hours}），请在拨打时间内再来"
NONE_LEFT: Final = (
    "现在没有可拨打的个案：其余个案在等约定或间隔的时间、已达最多拨打次数，或所在区的配额已满"
)


@dataclass(frozen=True)
class Taken:
    """What "next case" came to: a case id, or why there is none."""

    case_id: int | None
    reason: str = ""
    again: bool = False  # the interviewer already held this case


def fieldwork_wave(session: Session, topic: str, wave: str) -> FieldworkWave | None:
    """The topic's wave as fieldwork, if the evaluator set it up."""
    return session.get(FieldworkWave, (topic, wave))


def closed_reason(settings: FieldworkWave | None, now: datetime) -> str:
    """Why no call may be made now ('' when calls are allowed)."""
    if settings is None:
        return NOT_FOUND
    if as_utc(settings.opened_at) > now:
        return NOT_OPEN
    if settings.closed_at is not None and as_utc(settings.closed_at) <= now:
        return CLOSED
    if not in_calling_hours(settings, now):
        hours = f"{settings.calling_from}–{settings.calling_until}"
        return OUTSIDE_HOURS.format(hours=hours)
    return ""


def next_case(
    db: Database,
    topic: str,
    wave: str,
    interviewer_id: int,
    actor: str,
    now: datetime,
    source: str = "",
) -> Taken:
    """Give `interviewer_id` a case of `topic`'s `wave` (their own held one first), audited."""
    now = now.astimezone(UTC)  # stored as UTC: SQLite keeps a datetime's digits, not its offset
    with db.writing() as session:
        settings = fieldwork_wave(session, topic, wave)
        reason = closed_reason(settings, now)
        if reason:
            return Taken(None, reason)
        assert settings is not None
        held = session.scalar(
            select(Case.id).where(*_of(topic, wave), _held_by(interviewer_id)).limit(1)
        )
        if held is not None:
            return Taken(held, again=True)
        taken = _take(session, settings, interviewer_id, now)
        if taken is None:
            return Taken(None, NONE_LEFT)
        target = f"{topic}/{wave}#{taken}"
        record(session, now, actor, "case.take", target=target, source=source)
        return Taken(taken)


def _take(
    session: Session, settings: FieldworkWave, interviewer_id: int, now: datetime
) -> int | None:
    """Hold the first callable case for the interviewer; None if there is none."""
    topic, wave = settings.topic, settings.wave
    stale = now - timedelta(minutes=STALE_HOLD_MINUTES)
    callable_now = _callable(settings, now, stale, _met_districts(topic, wave))
    due_callback = case((Case.last_code == CALLBACK, 0), else_=1)
    query = (
        select(Case.id)
        .where(*_of(topic, wave), *callable_now)
        .order_by(due_callback, Case.attempts, Case.next_call_at, Case.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    for _ in range(3):  # a row changed between the read and the write: read again
        chosen = session.scalar(query)
        if chosen is None:
            return None
        result = session.execute(
            update(Case)
            .where(Case.id == chosen, *callable_now)
            .values(status="held", holder_id=interviewer_id, held_since=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            return chosen
    return None


def _of(topic: str, wave: str) -> tuple[ColumnElement[bool], ...]:
    return (Case.topic == topic, Case.wave == wave)


def _held_by(interviewer_id: int) -> ColumnElement[bool]:
    return and_(Case.status == "held", Case.holder_id == interviewer_id)


def _callable(
    settings: FieldworkWave, now: datetime, stale: datetime, met: Select[str]
) -> list[ColumnElement[bool]]:
    """The conditions that make a case callable now (repeated in the UPDATE as a guard)."""
    return [
        or_(Case.status == "released", and_(Case.status == "held", Case.held_since < stale)),
        or_(Case.next_call_at.is_(None), Case.next_call_at <= now),
        Case.attempts < settings.max_attempts,
        Case.district.not_in(met),
    ]


def _met_districts(topic: str, wave: str) -> Select[str]:
    """Districts whose completes reached their quota, as a subquery of the candidate query
    (one round trip less for every "next case")."""
    completes = (
        select(func.count())
        .where(*_of(topic, wave), Case.district == Quota.district)
        .where(Case.status == "final", Case.final_code == COMPLETE.code)
        .correlate(Quota)
        .scalar_subquery()
    )
    return select(Quota.district).where(
        Quota.topic == topic, Quota.wave == wave, Quota.target <= completes
    )


def held_by(db: Database, topic: str, wave: str, interviewer_id: int) -> int | None:
    """The case of this topic's wave that `interviewer_id` holds now, if any."""
    with db.transaction() as session:
        query = select(Case.id).where(*_of(topic, wave), _held_by(interviewer_id)).limit(1)
        return session.scalar(query)


def held_case(db: Database, case_id: int, interviewer_id: int) -> Case | None:
    """The case if `interviewer_id` holds it now, else None (anyone else's case looks absent)."""
    with db.transaction() as session:
        found = session.get(Case, case_id)
    if found is None or found.status != "held" or found.holder_id != interviewer_id:
        return None
    return found
