"""Storing and finding responses and invitation codes. Views call these, never the session."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from survey.codes import INVITATION_LENGTH, RECEIPT_LENGTH, code_hash, mint
from survey.storage.db import Database
from survey.storage.models import Base, Invitation, Response


class SubmissionError(Exception):
    """A submission that cannot be stored as it is; the message is for the resident."""


class ConflictError(SubmissionError):
    """The same submission id arrived with different answers: the first answers stand."""

    def __init__(self, receipt: str) -> None:
        self.receipt = receipt
        super().__init__(
            "这份问卷已经提交过，而这次的答案与上次不同。为保证每份问卷只计一次，本次提交没有保存。"
        )


class InvitationError(SubmissionError):
    """The invitation code is unknown, for another survey, or already used."""

    def __init__(self) -> None:
        super().__init__("邀请码无效或已经使用过，请核对短信中的邀请码")


@dataclass(frozen=True)
class Submission:
    """One validated submission, as the collector hands it over for storing."""

    submission_id: str
    topic: str
    wave: str
    version: str
    channel: str
    answers: dict[str, Any]
    submitted_at: datetime  # UTC
    flags: tuple[str, ...] = ()
    source: str = ""
    invitation: str | None = None
    mode: str = "web"  # or `phone`: entered by an interviewer (survey.fieldwork.interview)
    interviewer: str | None = None  # phone: the interviewer's pseudonym, never the account
    started_at: datetime | None = None  # phone: when the interview began (UTC)

    def digest(self) -> str:
        """sha256 of what was answered: equal for a resent form, different for changed answers."""
        body = [self.topic, self.wave, self.version, self.answers]
        text = json.dumps(body, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def create_schema(db: Database) -> None:
    """Create every table directly (tests; deployments use `yiti survey upgrade`)."""
    import survey.fieldwork.tables  # noqa: F401  (registers the fieldwork tables on Base)

    Base.metadata.create_all(db.engine)


# Receipts are random (about 2^47 of them), so two submissions may draw the same one, however
# rarely; the unique index refuses the second, which then draws again.
RECEIPT_DRAWS = 3


class _ReceiptTakenError(Exception):
    """The receipt drawn for a new submission is already another's."""


# Work done in the same transaction as a new response's INSERT (the interview closes its case).
Also = Callable[[Connection], None]
# Built once: a statement is immutable, and building it took about a tenth of storing (issue 17).
# Inline: nothing is read back, so PostgreSQL is not asked to RETURN the new id, which nothing
# uses (every column is given), and SQLAlchemy skips fetching it: 70-100 us less per INSERT.
INSERT_RESPONSE = insert(Response).inline()


def save_response(db: Database, submission: Submission, also: Also | None = None) -> str:
    """Store `submission` exactly once and return its receipt; a resend returns the same one.

    `also` runs after the INSERT, in its transaction: if it raises, nothing is stored. A resend
    does not run it again, because the first storing committed it with the response.
    """
    digest = submission.digest()
    for _ in range(RECEIPT_DRAWS - 1):
        try:
            return _store(db, submission, digest, also)
        except _ReceiptTakenError:
            continue
    try:
        return _store(db, submission, digest, also)
    except _ReceiptTakenError as exc:  # three draws taken: something other than chance
        raise RuntimeError(f"{RECEIPT_DRAWS} receipts in a row were taken") from exc


def _store(db: Database, submission: Submission, digest: str, also: Also | None) -> str:
    try:
        # One INSERT and a commit, on a plain connection: the ORM's unit of work cost about
        # 1 ms of a POST and bought nothing for a row written once and never changed here.
        # The INSERT alone (no code to use up, nothing `also`) is its own transaction.
        if submission.invitation is None and also is None:
            return db.once(lambda connection: _insert(connection, submission, digest))
        with db.connection() as connection:
            receipt = _insert(connection, submission, digest)
            if submission.invitation is not None:
                _consume(connection, submission)
            if also is not None:
                also(connection)
        return receipt
    except (IntegrityError, InvitationError) as exc:
        # Another request already stored this submission id (double click, resent POST), and
        # so may have used the code: answer as it was answered. Anything else stands.
        earlier = _earlier(db, submission.submission_id)
        if earlier is None and isinstance(exc, IntegrityError):
            raise _ReceiptTakenError from exc  # the only other unique column
        if earlier is None:
            raise
        if earlier.digest != digest:
            raise ConflictError(earlier.receipt) from None
        return earlier.receipt


def _insert(connection: Connection, sub: Submission, digest: str) -> str:
    """Insert the row; IntegrityError if the submission id is taken."""
    receipt = mint(RECEIPT_LENGTH)
    answers = sub.answers
    row = {
        "submission_id": sub.submission_id,
        "receipt": receipt,
        "topic": sub.topic,
        "wave": sub.wave,
        "version": sub.version,
        "submitted_at": sub.submitted_at,
        "channel": sub.channel,
        "district": answers["district"],
        "street": answers.get("street"),
        "satisfaction": answers["satisfaction"],
        "answers": answers,
        "digest": digest,
        "flags": list(sub.flags),
        "source": sub.source,
        "mode": sub.mode,
        "interviewer": sub.interviewer,
        "started_at": sub.started_at,
    }
    connection.execute(INSERT_RESPONSE, row)
    return receipt


def _consume(connection: Connection, sub: Submission) -> None:
    """Mark the code used, in the same transaction as the response, without linking the two."""
    assert sub.invitation is not None
    result = connection.execute(
        update(Invitation)
        .where(Invitation.code_hash == code_hash(sub.invitation))
        .where(Invitation.topic == sub.topic, Invitation.wave == sub.wave)
        .where(Invitation.used.is_(False))
        .values(used=True)
    )
    if result.rowcount != 1:
        raise InvitationError()


@dataclass(frozen=True)
class _Earlier:
    receipt: str
    digest: str


def _earlier(db: Database, submission_id: str) -> _Earlier | None:
    """The receipt and digest stored under `submission_id`, if any: one SELECT in autocommit
    rather than an ORM session loading the whole row (a resent form asks this, issue 17)."""
    query = select(Response.receipt, Response.digest).where(Response.submission_id == submission_id)
    row = db.once(lambda connection: connection.execute(query).first())
    return None if row is None else _Earlier(row.receipt, row.digest)


def stored_alike(db: Database, submission: Submission) -> bool | None:
    """For a resent interview form: None if nothing is stored under its submission id, else
    whether the stored answers are these (False: changed since, and the first ones stand)."""
    earlier = _earlier(db, submission.submission_id)
    return None if earlier is None else earlier.digest == submission.digest()


def receipt_exists(db: Database, topic: str, wave: str, receipt: str) -> bool:
    """Whether `receipt` belongs to a stored response of this topic and wave."""
    with db.transaction() as session:
        found = session.scalar(
            select(Response.id).where(
                Response.receipt == receipt, Response.topic == topic, Response.wave == wave
            )
        )
    return found is not None


def count_responses(db: Database, topic: str | None = None, wave: str | None = None) -> int:
    """How many responses are stored (for one topic and wave, if given)."""
    query = select(func.count(Response.id))
    if topic is not None:
        query = query.where(Response.topic == topic)
    if wave is not None:
        query = query.where(Response.wave == wave)
    with db.transaction() as session:
        return int(session.scalar(query) or 0)


def responses(db: Database, topic: str, wave: str) -> list[Response]:
    """Every stored response of one topic and wave, oldest first."""
    query = select(Response).where(Response.topic == topic, Response.wave == wave)
    with db.transaction() as session:
        return list(session.scalars(query.order_by(Response.id)))


def create_invitations(db: Database, topic: str, wave: str, count: int, batch: str) -> list[str]:
    """Mint `count` single-use codes for one topic and wave; only their hashes are stored."""
    codes = _distinct_codes(count)
    with db.transaction() as session:
        session.add_all(
            Invitation(code_hash=code_hash(c), topic=topic, wave=wave, batch=batch) for c in codes
        )
    return codes


def _distinct_codes(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(mint(INVITATION_LENGTH))
    return sorted(codes)


def invitation_counts(db: Database, topic: str, wave: str) -> dict[str, int]:
    """Codes issued and used for one topic and wave."""
    with db.transaction() as session:
        rows: Iterable[Any] = session.execute(
            select(Invitation.used, func.count())
            .where(Invitation.topic == topic, Invitation.wave == wave)
            .group_by(Invitation.used)
        )
        counts = {bool(used): int(n) for used, n in rows}
    return {"issued": sum(counts.values()), "used": counts.get(True, 0)}
