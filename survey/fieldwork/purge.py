"""Phones go when a wave's calling ends: `yiti survey purge` blanks them, keeps everything else.

PIPL asks that personal information be deleted once its purpose is met. A phone's purpose is
the calling, so once a wave's fieldwork is closed its cases lose their ciphertext and their
lookup hash; the cases themselves stay, with their districts, dispositions and calls, because
the response rates are computed from them. A wave still open keeps its phones and is named,
so the operator knows to close it first. Runs in one transaction with its audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update

from survey.fieldwork.tables import Case, FieldworkWave
from survey.storage.audit import record
from survey.storage.db import Database


@dataclass(frozen=True)
class PhonesDue:
    """A topic's wave whose calling has ended and whose phones are still stored."""

    topic: str
    wave: str
    closed_at: datetime
    phones: int  # cases that still hold a phone


@dataclass(frozen=True)
class PhonePlan:
    """What a purge would do to fieldwork phones, and which waves keep theirs (still open)."""

    due: list[PhonesDue]
    still_open: list[tuple[str, str]]


def plan(db: Database) -> PhonePlan:
    """Closed, unpurged waves with their phone counts; open waves that hold phones."""
    phones = (
        select(Case.topic, Case.wave, func.count(Case.phone_token).label("phones"))
        .group_by(Case.topic, Case.wave)
        .subquery()
    )
    query = (
        select(FieldworkWave, phones.c.phones)
        .outerjoin(
            phones, (phones.c.topic == FieldworkWave.topic) & (phones.c.wave == FieldworkWave.wave)
        )
        .where(FieldworkWave.purged_at.is_(None))
        .order_by(FieldworkWave.topic, FieldworkWave.wave)
    )
    due, still_open = [], []
    with db.transaction() as session:
        for wave, held in session.execute(query):
            if wave.closed_at is None:
                if held:
                    still_open.append((wave.topic, wave.wave))
                continue
            closed = wave.closed_at.replace(tzinfo=wave.closed_at.tzinfo or UTC)  # SQLite: naive
            due.append(PhonesDue(wave.topic, wave.wave, closed, int(held or 0)))
    return PhonePlan(due, still_open)


def purge_phones(db: Database, due: list[PhonesDue], at: datetime, actor: str) -> int:
    """Blank the phones of `due`'s waves and mark them purged; returns phones removed."""
    removed = 0
    with db.transaction() as session:
        for item in due:
            wave = session.get(FieldworkWave, (item.topic, item.wave))
            if wave is None or wave.closed_at is None or wave.purged_at is not None:
                continue  # reopened or purged since the plan was made: leave it
            result = session.execute(
                update(Case)
                .where(Case.topic == item.topic, Case.wave == item.wave)
                .where(Case.phone_token.is_not(None) | Case.phone_key.is_not(None))
                .values(phone_token=None, phone_key=None)
            )
            count = int(getattr(result, "rowcount", 0))
            wave.purged_at = at
            removed += count
            detail = {"phones": count, "closed_at": item.closed_at.isoformat()}
            record(session, at, actor, "fieldwork.purge", f"{item.topic}/{item.wave}", detail)
    return removed
