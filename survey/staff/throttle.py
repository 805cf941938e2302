"""Login throttling per typed email and client address, with a wait that grows with failures.

OWASP ASVS V2.2.1 asks for soft lockouts and ever-increasing delays rather than a hard lock
anyone can trigger: a lock on the account alone let five requests from anywhere shut an
evaluator out, and answered differently for real accounts. Here the key is the email as typed
and the address, kept alike for unknown emails, so the wait says nothing about who has an
account, and a guesser elsewhere never delays the evaluator's own browser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey.storage.models import LoginThrottle

FREE_FAILURES: Final = 3  # typos: no wait until this many failures in a row
FIRST_WAIT: Final = timedelta(seconds=30)  # after FREE_FAILURES; doubles with each failure
LONGEST_WAIT: Final = timedelta(hours=1)
FORGET_AFTER: Final = timedelta(days=1)  # failures older than this no longer count


@dataclass(frozen=True)
class Wait:
    """How long this email from this address must wait before the next attempt is heard."""

    failures: int
    until: datetime

    def seconds(self, now: datetime) -> int:
        """Whole seconds left, at least 1 (the `Retry-After` value)."""
        return max(1, math.ceil((self.until - now).total_seconds()))


def wait_after(failures: int) -> timedelta:
    """The wait after `failures` in a row: none at first, then doubling up to an hour."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES, 12)
    return min(FIRST_WAIT * (1 << doublings), LONGEST_WAIT)


def waiting(session: Session, email: str, source: str, now: datetime) -> Wait | None:
    """The wait still running for this email and address, if any."""
    row = session.get(LoginThrottle, (email, source))
    if row is None or _aware(row.blocked_until) <= now:
        return None
    return Wait(row.failures, _aware(row.blocked_until))


def count_failure(session: Session, email: str, source: str, now: datetime) -> Wait:
    """Count one more failure and start its wait (which may be none yet)."""
    now = now.astimezone(UTC)  # SQLite compares stored times as text: store UTC only
    row = session.get(LoginThrottle, (email, source))
    if row is None:
        row = LoginThrottle(email=email, source=source, failures=0, blocked_until=now)
        session.add(row)
    elif _aware(row.updated_at) < now - FORGET_AFTER:
        row.failures = 0
    row.failures += 1
    row.blocked_until = now + wait_after(row.failures)
    row.updated_at = now
    # Old rows of other keys go with each failure: the table stays as small as recent guessing.
    session.execute(delete(LoginThrottle).where(LoginThrottle.updated_at < now - FORGET_AFTER))
    return Wait(row.failures, row.blocked_until)


def forget(session: Session, email: str, source: str | None = None) -> int:
    """Clear the failures of `email` (from one address, or all); how many keys were cleared."""
    query = select(LoginThrottle).where(LoginThrottle.email == email)
    if source is not None:
        query = query.where(LoginThrottle.source == source)
    rows = list(session.scalars(query))
    for row in rows:
        session.delete(row)
    return len(rows)


def waiting_emails(session: Session, now: datetime) -> set[str]:
    """Emails some address must still wait to try (for `yiti survey user list`)."""
    now = now.astimezone(UTC)
    query = select(LoginThrottle.email).where(LoginThrottle.blocked_until > now)
    return set(session.scalars(query))


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for aware columns; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
