"""What the evaluator pages read and write: responses, exclusions and their audit entries.

Views call these and never open a session. Exclusions never touch the response row: adding one
inserts into `exclusions`, undoing it deletes that decision, and either act is audited in the
same transaction, so the log and the figures cannot disagree.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.analysis.columns import (
    DISTRICT,
    EXCLUDED,
    MODE,
    SATISFACTION,
    SUSPECT,
    TOPIC,
    WAVE,
    WENT_BADLY,
    WENT_WELL,
)
from survey.analysis.frame import ANALYSED, ANSWERS, FLAGS, ID, responses_frame
from survey.storage.audit import record
from survey.storage.db import Database
from survey.storage.models import Exclusion, Response

if TYPE_CHECKING:
    import pandas as pd

LISTS: Final = frozenset({WENT_WELL, WENT_BADLY})  # multiple choice: a list of ticked options
COMMENT: Final = "comment"  # the standard questionnaire's open question
COUNT: Final = "count"


@dataclass(frozen=True)
class Actor:
    """Who acts, when and from where, as the audit log records it."""

    email: str
    at: datetime
    source: str = ""


@dataclass(frozen=True)
class Listed:
    """One response in the evaluator's list, with its exclusion if there is one."""

    id: int
    receipt: str
    submitted_at: datetime
    channel: str
    district: str
    flags: tuple[str, ...]
    comment: str
    reason: str | None  # the exclusion reason; None if the response counts
    excluded_by: str | None
    excluded_at: datetime | None


def frame(
    db: Database,
    topics: Collection[str],
    waves: Collection[str],
    answers: Collection[str] = ANALYSED,
) -> pd.DataFrame:
    """The analysis frame of these topics and waves, exclusions marked (survey.analysis.frame).

    Figures need only a few short answers per response, so the database counts responses per
    combination of them (answers picked out of the JSON document on SQLite and PostgreSQL
    alike) and each combination is repeated here as often as it occurred: a million responses
    travel as a few thousand rows. Rows carry no response id or receipt; pages that list
    responses read them with `listed` and `comments`.
    """
    picked = [Response.answers[key].as_string().label(key) for key in answers]
    keys = [
        *(Response.topic, Response.wave, Response.district, Response.satisfaction),
        *(Response.mode, *picked),
        (func.json_array_length(Response.flags) > 0).label(FLAGS),
        Exclusion.id.is_not(None).label(EXCLUDED),
    ]
    query = (
        select(*keys, func.count().label(COUNT))
        .outerjoin(Exclusion, Exclusion.response_id == Response.id)
        .where(Response.topic.in_(list(topics)), Response.wave.in_(list(waves)))
        .group_by(*keys)
    )
    with db.connection() as connection:
        result = connection.execute(query)
        combinations = [dict(zip(result.keys(), row, strict=True)) for row in result]
    return _expanded(combinations, answers)


def _expanded(combinations: list[dict[str, Any]], answers: Collection[str]) -> pd.DataFrame:
    """One row per response from counted combinations, through survey.analysis.frame."""
    records = [
        {
            **{key: c[key] for key in (TOPIC, WAVE, DISTRICT, SATISFACTION, MODE)},
            ID: i,
            ANSWERS: {key: _answer(key, c[key]) for key in answers},
            FLAGS: [SUSPECT] if c[FLAGS] else [],
        }
        for i, c in enumerate(combinations)
    ]
    excluded = {i for i, c in enumerate(combinations) if c[EXCLUDED]}
    grouped = responses_frame(records, excluded)
    counts = [int(c[COUNT]) for c in combinations]
    return grouped.loc[grouped.index.repeat(counts)].reset_index(drop=True)


def _answer(key: str, text: str | None) -> Any:
    """A picked answer: text, or for a multiple-choice question its JSON list of options."""
    if key in LISTS and text is not None:
        return json.loads(text)
    return text


@dataclass(frozen=True)
class Comment:
    """One resident's open answer, with what the evaluator needs to find the response."""

    receipt: str
    submitted_at: datetime
    district: str
    text: str


def comments(db: Database, topic: str, wave: str, limit: int) -> tuple[list[Comment], int]:
    """The newest non-blank comments of counted (not excluded) responses, and how many in all."""
    text = Response.answers[COMMENT].as_string()
    where = (
        *(Response.topic == topic, Response.wave == wave, Exclusion.id.is_(None)),
        func.trim(func.coalesce(text, "")) != "",
    )
    base = select(Response.receipt, Response.submitted_at, Response.district, text)
    joined = Exclusion, Exclusion.response_id == Response.id
    newest = base.outerjoin(*joined).where(*where)
    newest = newest.order_by(Response.submitted_at.desc(), Response.id.desc()).limit(limit)
    total = select(func.count(Response.id)).outerjoin(*joined).where(*where)
    with db.connection() as connection:
        shown = [Comment(r, _utc(at), d, t) for r, at, d, t in connection.execute(newest)]
        return shown, int(connection.scalar(total) or 0)


def listed(
    db: Database, topic: str, wave: str, offset: int, limit: int
) -> tuple[list[Listed], int]:
    """A page of one topic and wave's responses, newest first, and how many there are in all."""
    where = (Response.topic == topic, Response.wave == wave)
    query = (
        select(Response, Exclusion)
        .outerjoin(Exclusion, Exclusion.response_id == Response.id)
        .where(*where)
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .offset(offset)
        .limit(limit)
    )
    with db.transaction() as session:
        total = int(session.scalar(select(func.count(Response.id)).where(*where)) or 0)
        rows = [_listed(response, exclusion) for response, exclusion in session.execute(query)]
    return rows, total


def _listed(response: Response, exclusion: Exclusion | None) -> Listed:
    comment = response.answers.get("comment")
    return Listed(
        id=response.id,
        receipt=response.receipt,
        submitted_at=_utc(response.submitted_at),
        channel=response.channel,
        district=response.district,
        flags=tuple(response.flags or ()),
        comment=comment if isinstance(comment, str) else "",
        reason=exclusion.reason if exclusion else None,
        excluded_by=exclusion.excluded_by if exclusion else None,
        excluded_at=_utc(exclusion.excluded_at) if exclusion else None,
    )


def _utc(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back without a zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def exclude(
    db: Database, actor: Actor, topic: str, wave: str, response_id: int, reason: str
) -> bool:
    """Leave a response out of every figure; False if it is not one of this topic and wave's.

    Excluding an excluded response changes nothing and logs nothing: the first reason stands,
    also when two evaluators exclude it at the same moment (the unique response id decides).
    """
    try:
        with db.transaction() as session:
            response = _response(session, topic, wave, response_id)
            if response is None:
                return False
            if _exclusion(session, response_id) is None:
                decision = Exclusion(
                    response_id=response_id,
                    reason=reason,
                    excluded_by=actor.email,
                    excluded_at=actor.at,
                )
                session.add(decision)
                _audit(session, actor, "exclusion.add", response, {"reason": reason})
    except IntegrityError:
        pass  # the other exclusion and its audit entry committed; ours rolled back with its entry
    return True


def include(db: Database, actor: Actor, topic: str, wave: str, response_id: int) -> bool:
    """Undo an exclusion (the response counts again); False if not this topic and wave's."""
    with db.transaction() as session:
        response = _response(session, topic, wave, response_id)
        if response is None:
            return False
        exclusion = _exclusion(session, response_id)
        if exclusion is not None:
            detail = {"reason": exclusion.reason, "excluded_by": exclusion.excluded_by}
            session.delete(exclusion)
            _audit(session, actor, "exclusion.remove", response, detail)
    return True


def _response(session: Session, topic: str, wave: str, response_id: int) -> Response | None:
    return session.scalar(
        select(Response).where(
            Response.id == response_id, Response.topic == topic, Response.wave == wave
        )
    )


def _exclusion(session: Session, response_id: int) -> Exclusion | None:
    return session.scalar(select(Exclusion).where(Exclusion.response_id == response_id))


def _audit(
    session: Session, actor: Actor, action: str, response: Response, detail: dict[str, Any]
) -> None:
    about = {"topic": response.topic, "wave": response.wave, "receipt": response.receipt}
    record(
        session,
        actor.at,
        actor.email,
        action,
        target=f"response:{response.id}",
        detail=about | detail,
        source=actor.source,
    )


def log_views(db: Database, actor: Actor, actions: Sequence[str], detail: dict[str, Any]) -> None:
    """Audit what a page showed (results.view, responses.view …) in one transaction."""
    target = "/".join(str(detail[key]) for key in ("topic", "wave") if detail.get(key))
    with db.transaction() as session:
        for action in actions:
            record(session, actor.at, actor.email, action, target, detail, actor.source)
