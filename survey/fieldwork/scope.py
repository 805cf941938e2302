"""Which fieldwork waves the logged-in interviewer or supervisor may work on."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from generator.content.models import Topic
from survey.fieldwork.tables import FieldworkWave
from survey.staff.sessions import account
from survey.state import current_state
from survey.storage.db import Database


@dataclass(frozen=True)
class Listed:
    """One topic's fieldwork wave, as the index pages list it."""

    topic: Topic
    settings: FieldworkWave


def all_waves(db: Database) -> list[FieldworkWave]:
    """Every fieldwork wave, newest wave first."""
    query = select(FieldworkWave).order_by(FieldworkWave.wave.desc(), FieldworkWave.topic)
    with db.transaction() as session:
        return list(session.scalars(query))


def fieldwork_waves() -> list[Listed]:
    """The fieldwork waves of the topics the account may see (others are never listed)."""
    state, me = current_state(), account()
    topics = {t.slug: t for t in state.content.topics}
    return [
        Listed(topics[row.topic], row)
        for row in all_waves(state.db)
        if row.topic in topics and me.sees_topic(row.topic)
    ]


def settings_of(slug: str, wave: str) -> FieldworkWave | None:
    """The topic's wave as fieldwork, if the evaluator set it up."""
    with current_state().db.transaction() as session:
        return session.get(FieldworkWave, (slug, wave))
