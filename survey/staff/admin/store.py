"""What the admin pages read and write: publications, response counts, and their audit entries.

Views call these and never open a session. Publishing and withdrawing write the `publications`
row and the audit entry in one transaction, so the log and the published state never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from generator.content.published import PublishedTopic
from survey.staff.evaluators.store import Actor
from survey.storage.audit import record
from survey.storage.db import Database
from survey.storage.models import Publication, Response

__all__ = ["Actor", "publication", "publications", "publish", "responses_by_wave", "unpublish"]


def responses_by_wave(db: Database) -> dict[str, int]:
    """How many responses each wave has received (all topics, excluded ones included)."""
    query = select(Response.wave, func.count(Response.id)).group_by(Response.wave)
    with db.transaction() as session:
        return {str(wave): int(n) for wave, n in session.execute(query)}


def publications(db: Database) -> dict[str, Publication]:
    """The published waves by wave id."""
    with db.transaction() as session:
        return {p.wave: p for p in session.scalars(select(Publication))}


def publication(db: Database, wave: str) -> Publication | None:
    """The publication of `wave`, if it is published."""
    with db.transaction() as session:
        return session.get(Publication, wave)


def publish(db: Database, actor: Actor, wave: str, results: Mapping[str, PublishedTopic]) -> bool:
    """Store the snapshot of `wave` and audit it; False if the wave is already published.

    A published snapshot is never overwritten: to change it, withdraw it first, so the log shows
    both figures.
    """
    snapshot = {slug: r.model_dump(mode="json") for slug, r in results.items()}
    row = Publication(wave=wave, published_at=actor.at, published_by=actor.email, results=snapshot)
    try:
        with db.transaction() as session:
            if session.get(Publication, wave) is not None:
                return False
            session.add(row)
            session.flush()  # two admins at once: the primary key lets one through
            detail = {"topics": _headlines(snapshot)}
            record(session, actor.at, actor.email, "wave.publish", wave, detail, actor.source)
    except IntegrityError:
        return False
    return True


def unpublish(db: Database, actor: Actor, wave: str) -> bool:
    """Withdraw `wave`'s results and audit what was withdrawn; False if it was not published."""
    with db.transaction() as session:
        found = session.get(Publication, wave)
        if found is None:
            return False
        detail = {
            "published_at": found.published_at.isoformat(),
            "published_by": found.published_by,
            "topics": _headlines(found.results),
        }
        session.delete(found)
        record(session, actor.at, actor.email, "wave.unpublish", wave, detail, actor.source)
    return True


def _headlines(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """Per topic the published 满意率 and its n: enough for an auditor to see what went out."""
    return {
        slug: {
            "n": r["satisfaction_rate"]["n"],
            "satisfaction_rate": r["satisfaction_rate"]["value"],
        }
        for slug, r in snapshot.items()
    }
