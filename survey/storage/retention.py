"""Retention: delete the responses of waves that closed more than the retention period ago.

The period is content (`content/site.yml` `retention_years`) and the privacy notice promises it
to every respondent, so a purge never runs while the two disagree, and never with a shorter
period. What goes with a wave: its responses, their exclusions and its invitation codes. What
stays: published aggregates (no personal data) and the audit log, which the database refuses to
change (survey.storage.models.APPEND_ONLY_*); the purge itself is appended to it, in the same
transaction as the deletes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import delete, func, select

from generator.content.models import Site, Wave
from survey.storage.audit import record
from survey.storage.db import Database
from survey.storage.models import Exclusion, Invitation, Response

# "3y", "3 年", "36m", "36 个月", or a bare number of years.
PERIOD: Final = re.compile(r"^\s*(\d+)\s*(y|years?|年|m|months?|个月)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Due:
    """One wave past the period: how many rows of each kind a purge removes."""

    wave: str
    closes: datetime
    responses: dict[str, int]  # per topic
    exclusions: int
    invitations: int

    @property
    def total(self) -> int:
        """Responses of all topics."""
        return sum(self.responses.values())


def now() -> datetime:
    """The time a purge runs at: always the real clock (tests replace this function).

    Not YITI_NOW: a demo clock set in the future must never make data look older than it is.
    """
    return datetime.now(UTC)


def months_of(text: str) -> int:
    """`3y` → 36, `36m` → 36, `3` → 36; ValueError (in Chinese) for anything else."""
    match = PERIOD.match(text)
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"无法识别的期限 {text!r}：请写成 3y（3 年）或 36m（36 个月）")
    unit = (match.group(2) or "y").lower()
    number = int(match.group(1))
    return number if unit.startswith("m") or unit == "个月" else number * 12


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months; the 31st becomes the month's last day if needed."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = moment.day
    while True:
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:  # e.g. 29 February in a common year
            day -= 1


def due_waves(site: Site, at: datetime, months: int) -> list[Wave]:
    """The calendar's waves that closed `months` or more before `at`, oldest first."""
    due = [w for w in site.waves if add_months(w.closes, months) <= at]
    return sorted(due, key=lambda w: w.closes)


def unknown_waves(db: Database, site: Site) -> list[str]:
    """Wave ids with stored responses that the calendar no longer names (never purged)."""
    known = {w.id for w in site.waves}
    with db.transaction() as session:
        stored = session.scalars(select(Response.wave).distinct()).all()
    return sorted(set(stored) - known)


def plan(db: Database, waves: Sequence[Wave]) -> list[Due]:
    """What a purge of `waves` would delete; waves with nothing stored are left out."""
    out = []
    with db.transaction() as session:
        for wave in waves:
            per_topic = session.execute(
                select(Response.topic, func.count(Response.id))
                .where(Response.wave == wave.id)
                .group_by(Response.topic)
                .order_by(Response.topic)
            )
            responses = {str(topic): int(n) for topic, n in per_topic}
            excluded = session.scalar(
                select(func.count(Exclusion.id)).join(Response).where(Response.wave == wave.id)
            )
            codes = session.scalar(
                select(func.count(Invitation.id)).where(Invitation.wave == wave.id)
            )
            if responses or codes:
                out.append(
                    Due(wave.id, wave.closes, responses, int(excluded or 0), int(codes or 0))
                )
    return out


def purge(
    db: Database, due: Sequence[Due], actor: str, at: datetime, detail: dict[str, Any]
) -> dict[str, int]:
    """Delete everything in `due` and append one `purge` entry, all in one transaction.

    Returns the rows deleted by kind, as the database counted them (also in the entry).
    """
    waves = [d.wave for d in due]
    of_waves = select(Response.id).where(Response.wave.in_(waves))
    with db.transaction() as session:
        # Explicit, not ON DELETE CASCADE: SQLite enforces foreign keys only when asked to.
        results = {
            "exclusions": session.execute(
                delete(Exclusion).where(Exclusion.response_id.in_(of_waves))
            ),
            "responses": session.execute(delete(Response).where(Response.wave.in_(waves))),
            "invitations": session.execute(delete(Invitation).where(Invitation.wave.in_(waves))),
        }
        deleted = {kind: int(getattr(r, "rowcount", 0)) for kind, r in results.items()}
        summary = {
            d.wave: {
                "responses": d.responses,
                "exclusions": d.exclusions,
                "invitations": d.invitations,
            }
            for d in due
        }
        extra = {"waves": summary, "deleted": deleted}
        record(session, at, actor, "purge", ",".join(waves), detail | extra)
    return deleted
