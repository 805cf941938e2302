"""Database tables. Responses and invitation codes are kept apart so neither points at the other."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, Index, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so Alembic migrations name things the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class Response(Base):
    """One resident's answers to one topic's questionnaire in one wave."""

    __tablename__ = "responses"
    __table_args__ = (Index("ix_responses_topic_wave", "topic", "wave"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Minted when the form is served; the unique index makes a resent form count once.
    submission_id: Mapped[str] = mapped_column(String(32), unique=True)
    receipt: Mapped[str] = mapped_column(String(16), unique=True)
    topic: Mapped[str] = mapped_column(String(60))
    wave: Mapped[str] = mapped_column(String(8))
    version: Mapped[str] = mapped_column(String(140))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # UTC
    channel: Mapped[str] = mapped_column(String(12))
    district: Mapped[str] = mapped_column(String(20))
    street: Mapped[str | None] = mapped_column(String(40))
    satisfaction: Mapped[str] = mapped_column(String(8))
    answers: Mapped[dict[str, Any]]
    # sha256 of the canonical answers: tells a resent form from a different one with the same id.
    digest: Mapped[str] = mapped_column(String(64))
    # Why evaluators may want to look twice (rate limits, honeypot, too fast); empty if none.
    flags: Mapped[list[str]]
    # Keyed hash of the network address (never the address): groups bulk submissions.
    source: Mapped[str] = mapped_column(String(16))


class Invitation(Base):
    """A single-use code for the callback sample. Stores no time of use and no response id."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_topic_wave", "topic", "wave"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the code
    topic: Mapped[str] = mapped_column(String(60))
    wave: Mapped[str] = mapped_column(String(8))
    batch: Mapped[str] = mapped_column(String(40))  # which `yiti survey invite` run made it
    used: Mapped[bool] = mapped_column(Boolean, default=False)
