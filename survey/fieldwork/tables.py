"""Fieldwork tables: a wave's settings, its frame of contacts (the cases), and every call made.

A case is one row of the evaluator's frame. Drawing the sample gives a case a replicate
number; releasing a replicate makes its cases callable. The phone is kept only as ciphertext
(`phone_token`) and as a keyed hash (`phone_key`) so duplicates collapse without decrypting;
purge blanks both and keeps the dispositions. Answers live in `responses` with no link here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey.storage.models import Base


class FieldworkWave(Base):
    """One topic's wave as fieldwork: calling hours (Asia/Shanghai), attempt cap, open or closed."""

    __tablename__ = "fieldwork_waves"

    topic: Mapped[str] = mapped_column(String(60), primary_key=True)
    wave: Mapped[str] = mapped_column(String(8), primary_key=True)
    calling_from: Mapped[str] = mapped_column(String(5), default="09:00")  # local HH:MM
    calling_until: Mapped[str] = mapped_column(String(5), default="21:00")  # local HH:MM
    max_attempts: Mapped[int] = mapped_column(Integer, default=6)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Seed of the last draw (also in the audit log), so a draw can be reproduced and checked.
    seed: Mapped[int | None] = mapped_column(Integer)


class Quota(Base):
    """Completes wanted from one district in one topic's wave; met quotas stop new cases."""

    __tablename__ = "fieldwork_quotas"

    topic: Mapped[str] = mapped_column(String(60), primary_key=True)
    wave: Mapped[str] = mapped_column(String(8), primary_key=True)
    district: Mapped[str] = mapped_column(String(20), primary_key=True)
    target: Mapped[int] = mapped_column(Integer)


class Case(Base):
    """One contact of the frame; once drawn and released, a case interviewers can be given."""

    __tablename__ = "fieldwork_cases"
    __table_args__ = (
        UniqueConstraint("topic", "wave", "contact_id", name="uq_fieldwork_cases_contact"),
        UniqueConstraint("topic", "wave", "phone_key", name="uq_fieldwork_cases_phone"),
        # Next case: released, unresolved, callable now, in this topic's wave.
        Index("ix_fieldwork_cases_queue", "topic", "wave", "status", "next_call_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(60))
    wave: Mapped[str] = mapped_column(String(8))
    contact_id: Mapped[str] = mapped_column(String(64))  # the frame's own id, as given
    phone_token: Mapped[str | None] = mapped_column(
        Text
    )  # AES-GCM token (survey.fieldwork.crypto); None once purged
    phone_key: Mapped[str | None] = mapped_column(String(64))  # HMAC-SHA256; None once purged
    district: Mapped[str] = mapped_column(String(20))
    street: Mapped[str | None] = mapped_column(String(40))
    attributes: Mapped[dict[str, Any]]  # the frame's optional columns, as text
    sample: Mapped[bool] = mapped_column(default=False)  # synthetic (make run), never real
    batch: Mapped[str] = mapped_column(String(40))  # which import made it
    replicate: Mapped[int | None] = mapped_column(Integer)  # set by the draw
    # frame → drawn → released → held ⇄ released → final (see survey.fieldwork.dispositions)
    status: Mapped[str] = mapped_column(String(10), default="frame")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_call_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    held_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_code: Mapped[str | None] = mapped_column(String(8))  # AAPOR code of the last call
    final_code: Mapped[str | None] = mapped_column(String(8))  # AAPOR final disposition


class Call(Base):
    """One call attempt on a case: who, when, and its AAPOR disposition code."""

    __tablename__ = "fieldwork_calls"
    __table_args__ = (
        Index("ix_fieldwork_calls_case", "case_id"),
        Index("ix_fieldwork_calls_interviewer", "interviewer_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("fieldwork_cases.id", ondelete="CASCADE"))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # UTC
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # UTC
    code: Mapped[str] = mapped_column(String(8))  # AAPOR disposition, e.g. 1.1, 2.111, 3.13
    callback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(String(200), default="")  # no phone numbers here
