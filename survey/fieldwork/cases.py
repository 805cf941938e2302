"""The case page's data: the phone (to its holder only), where the resident lives, past calls.

Opening a case shows a phone, which PIPL asks us to log: every opening is an audit entry
(`case.open`) written in the same transaction as the read, naming the case, never the number.
Opening also renews the hold, so an interviewer busy on a long call keeps the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from survey.fieldwork.crypto import PhoneCipher
from survey.fieldwork.dispositions import CODES
from survey.fieldwork.hours import local
from survey.fieldwork.tables import Call, Case, FieldworkWave
from survey.storage.audit import record
from survey.storage.db import Database


@dataclass(frozen=True)
class PastCall:
    """One earlier call on the case, as the interviewer reads it."""

    when: str  # Beijing time, e.g. 2026-11-27 10:05
    code: str
    label: str
    callback: str  # the appointment made, or ''
    note: str
    by_me: bool


@dataclass(frozen=True)
class OpenCase:
    """What the holder sees of their case."""

    id: int
    phone: str
    district: str
    street: str
    attempts: int
    max_attempts: int
    calling_hours: str
    history: list[PastCall]


def open_case(
    db: Database,
    cipher: PhoneCipher,
    case_id: int,
    holder: int,
    actor: str,
    now: datetime,
    source: str = "",
) -> OpenCase | None:
    """The case if `holder` holds it (audited, hold renewed), else None: not theirs looks absent."""
    now = now.astimezone(UTC)  # stored as UTC: SQLite keeps a datetime's digits, not its offset
    with db.writing() as session:
        found = session.get(Case, case_id)
        if found is None or found.status != "held" or found.holder_id != holder:
            return None
        if found.phone_token is None:  # purged: fieldwork is over
            return None
        settings = session.get(FieldworkWave, (found.topic, found.wave))
        assert settings is not None
        found.held_since = now
        calls = session.scalars(select(Call).where(Call.case_id == case_id).order_by(Call.id))
        history = [_past(call, holder) for call in calls]
        target = f"{found.topic}/{found.wave}#{found.id}"
        record(session, now, actor, "case.open", target=target, source=source)
        return OpenCase(
            id=found.id,
            phone=display_phone(cipher.decrypt(found.phone_token)),
            district=found.district,
            street=found.street or "（未知）",
            attempts=found.attempts,
            max_attempts=settings.max_attempts,
            calling_hours=f"{settings.calling_from}–{settings.calling_until}",
            history=history,
        )


def _past(call: Call, holder: int) -> PastCall:
    disposition = CODES.get(call.code)
    callback = local(call.callback_at).strftime("%Y-%m-%d %H:%M") if call.callback_at else ""
    return PastCall(
        when=local(call.started_at).strftime("%Y-%m-%d %H:%M"),
        code=call.code,
        label=disposition.label if disposition else call.code,
        callback=callback,
        note=call.note,
        by_me=call.interviewer_id == holder,
    )


def display_phone(phone: str) -> str:
    """+8613800138000 → 138 0013 8000; a landline +861012345678 → 010 1234 5678 (for dialling)."""
    national = phone.removeprefix("+86")
    if national.startswith("1") and len(national) == 11:
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    if national.startswith("10"):
        return f"0{national[:2]} {national[2:6]} {national[6:]}"
    return national
