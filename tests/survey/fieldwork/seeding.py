"""Fieldwork rows for tests, written with the models directly: a wave, cases, calls, and
phone-mode responses, so rates, pages and downloads can be tested without the interviewer flow.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from survey.fieldwork.crypto import PhoneCipher
from survey.fieldwork.tables import Call, Case, FieldworkWave
from survey.storage.db import Database
from survey.storage.models import Response, User
from tests.survey.conftest import ANSWERS, NOW

# A fixed test key (never used outside tests) and a phone that must never leave the database.
KEY: Final = "bXlfdGVzdF9rZXlfb25seV9mb3JfdGVzdHNfMzJieXQ="
PHONE: Final = "13912345678"


@dataclass(frozen=True)
class Spec:
    """One case: its district, status and codes; `attempts` calls are recorded for it."""

    district: str
    status: str = "final"
    final_code: str | None = None
    last_code: str | None = None
    attempts: int = 0
    street: str | None = "110108001"


def phone_of(index: int) -> str:
    """A distinct, clearly fake mobile number per case (the first is PHONE)."""
    return f"139{12345678 + index:08d}"


def add_wave(db: Database, topic: str, wave: str) -> None:
    """The fieldwork settings row that says this topic's wave is surveyed by phone."""
    with db.transaction() as session:
        session.add(FieldworkWave(topic=topic, wave=wave, opened_at=NOW))


def add_interviewer(db: Database, email: str = "caller@example.org") -> int:
    """An interviewer account (calls need one); its id."""
    with db.transaction() as session:
        user = User(
            email=email,
            role="interviewer",
            topics=[],
            password_hash="x",
            session_token=uuid.uuid4().hex,
            created_at=NOW,
        )
        session.add(user)
        session.flush()
        return user.id


def add_cases(db: Database, topic: str, wave: str, specs: list[Spec], first: int = 0) -> list[int]:
    """Cases as the draw, release and calls would leave them; phones encrypted as at import."""
    cipher = PhoneCipher(KEY)
    calls = any(spec.attempts for spec in specs)  # calls need an interviewer account
    caller = add_interviewer(db, f"caller-{uuid.uuid4().hex[:8]}@example.org") if calls else 0
    ids = []
    with db.transaction() as session:
        for i, spec in enumerate(specs, start=first):
            phone = phone_of(i)
            case = Case(
                topic=topic,
                wave=wave,
                contact_id=f"C{i:05d}",
                phone_token=cipher.encrypt(phone),
                phone_key=cipher.lookup(phone),
                district=spec.district,
                street=spec.street,
                attributes={},
                batch="test",
                replicate=None if spec.status == "frame" else 1 + i % 2,
                status=spec.status,
                attempts=spec.attempts,
                last_code=spec.last_code or spec.final_code,
                final_code=spec.final_code,
            )
            session.add(case)
            session.flush()
            session.add_all(_calls(case, caller))
            ids.append(case.id)
    return ids


def _calls(case: Case, caller: int) -> list[Call]:
    """`attempts` calls, the last with the case's last code, the others no answer."""
    codes = ["3.13"] * max(case.attempts - 1, 0) + [case.last_code or "3.13"]
    return [
        Call(
            case_id=case.id,
            interviewer_id=caller,
            started_at=NOW + timedelta(hours=n),
            ended_at=NOW + timedelta(hours=n, minutes=2),
            code=code,
        )
        for n, code in enumerate(codes[: case.attempts])
    ]


def add_response(db: Database, topic: str, wave: str, mode: str = "web", **answers: Any) -> None:
    """One stored response; `phone` ones carry an interviewer pseudonym and a start time."""
    given = ANSWERS | answers
    with db.transaction() as session:
        session.add(
            Response(
                submission_id=uuid.uuid4().hex,
                receipt=uuid.uuid4().hex[:12].upper(),
                topic=topic,
                wave=wave,
                version="test",
                submitted_at=NOW,
                channel="link",
                district=given["district"],
                street=given["street"],
                satisfaction=given["satisfaction"],
                answers=given,
                digest=uuid.uuid4().hex,
                flags=[],
                source="test",
                mode=mode,
                interviewer="访员07" if mode == "phone" else None,
                started_at=NOW - timedelta(minutes=6) if mode == "phone" else None,
            )
        )
