"""Database tables. Responses and invitation codes are kept apart so neither points at the other."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    event,
)
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
    # `web` (typed by the resident) or `phone` (entered by an interviewer, survey.fieldwork).
    mode: Mapped[str] = mapped_column(String(8), default="web", server_default="web")
    # Phone interviews only: the interviewer's pseudonym and when the interview began (UTC);
    # never a case id or a phone, so answers cannot be joined to numbers.
    interviewer: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


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


class User(Base):
    """An evaluator, admin or auditor who logs in; residents never have accounts."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    role: Mapped[str] = mapped_column(String(12))  # admin | evaluator | auditor
    # Topic slugs an evaluator may read; empty means every topic.
    topics: Mapped[list[str]]
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, PHC string
    # Part of the session's user id: replacing it logs out every session of this user.
    session_token: Mapped[str] = mapped_column(String(32), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginThrottle(Base):
    """Failed logins for one typed email from one address, and until when to refuse more.

    Kept for unknown emails exactly as for accounts, so the throttle reveals nothing, and keyed
    on the address too, so nobody can shut an evaluator out from elsewhere (survey.staff.throttle).
    """

    __tablename__ = "login_throttle"
    __table_args__ = (Index("ix_login_throttle_updated_at", "updated_at"),)

    email: Mapped[str] = mapped_column(String(254), primary_key=True)  # as typed, normalised
    source: Mapped[str] = mapped_column(String(16), primary_key=True)  # keyed hash of the address
    failures: Mapped[int] = mapped_column(Integer)
    blocked_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One audited action. Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"
    # By time (the auditor's date range), and by action then id (one kind of entry, newest
    # first, without reading the whole log).
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_action_id", "action", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # UTC
    actor: Mapped[str] = mapped_column(String(254))  # an email, `cli:<os user>`, or `anonymous`
    action: Mapped[str] = mapped_column(String(40))  # e.g. login.failure, download, exclusion.add
    target: Mapped[str] = mapped_column(String(200))  # what was acted on, e.g. `ebike/2026-end`
    detail: Mapped[dict[str, Any]]  # filters, row counts, reasons
    source: Mapped[str] = mapped_column(String(16))  # keyed hash of the address, or empty


class Exclusion(Base):
    """An evaluator's decision to leave a response out of every figure; the response stays."""

    __tablename__ = "exclusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(String(500))
    excluded_by: Mapped[str] = mapped_column(String(254))
    excluded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Publication(Base):
    """A wave an admin published: the aggregate figures as they stood, for `yiti build`."""

    __tablename__ = "publications"

    wave: Mapped[str] = mapped_column(String(8), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str] = mapped_column(String(254))
    # Per topic slug: the figures shown on the public page (never a response row).
    results: Mapped[dict[str, Any]]


class ExportJob(Base):
    """A download too large to build inside a request, built by the worker (survey/jobs/).

    The file lives in the export folder under the job's id, which is random and never shown
    to anyone but the evaluator who asked; the row says what it holds and whether it is ready.
    """

    __tablename__ = "export_jobs"
    __table_args__ = (Index("ix_export_jobs_requested_by", "requested_by", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4 hex
    requested_by: Mapped[str] = mapped_column(String(254))  # the account's email
    wave: Mapped[str] = mapped_column(String(8))
    slug: Mapped[str] = mapped_column(String(60))  # a topic, or `all` the account may see
    topics: Mapped[list[str]]  # the topics the scope held when asked: what the file may hold
    format: Mapped[str] = mapped_column(String(12))  # xlsx | sav | csv | csv-utf8
    status: Mapped[str] = mapped_column(String(10))  # queued, running, done, failed, expired
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rows: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(500))  # in Chinese, for the evaluator


# The audit log refuses changes in the database itself, so no code path (app, shell, purge)
# can rewrite history. Created with the table, by create_all and by the migration alike.
APPEND_ONLY_SQLITE = [
    f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
APPEND_ONLY_POSTGRESQL = [
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
]


def _ddl(statement: str, dialect: str) -> Any:
    """A DDL event target that runs `statement` only on `dialect`."""
    return DDL(statement).execute_if(dialect=dialect)  # type: ignore[no-untyped-call]


for _statement in APPEND_ONLY_SQLITE:
    event.listen(AuditEntry.__table__, "after_create", _ddl(_statement, "sqlite"))
for _statement in APPEND_ONLY_POSTGRESQL:
    event.listen(AuditEntry.__table__, "after_create", _ddl(_statement, "postgresql"))
event.listen(
    AuditEntry.__table__,
    "after_drop",
    _ddl("DROP FUNCTION IF EXISTS audit_log_append_only()", "postgresql"),
)
