"""Draw a wave's sample from its frame and release it replicate by replicate (the database side).

The draw is refused unless fieldwork is open, and a second draw unless `--redraw` is asked
before anything was released (once interviewers call, the sample is what it is). The seed is
kept on the wave row and in the audit entry, so anyone can reproduce the draw from the frame.
The draw also sets the wave's quotas: completes wanted per district.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from survey.fieldwork import sampling
from survey.fieldwork.settings import FieldworkError, require_open
from survey.fieldwork.tables import Case, Quota
from survey.storage.audit import record
from survey.storage.db import Database


@dataclass(frozen=True)
class Plan:
    """What to draw: fixed sizes (None: proportional to `size`), completes, replicates, seed."""

    size: int | None
    fixed: pd.DataFrame | None  # district → size, completes (from a quotas file)
    completes: int | None
    replicates: int
    seed: int
    redraw: bool = False


@dataclass(frozen=True)
class Drawn:
    """The result: cases drawn and quota per district (directory order), and the seed."""

    sizes: pd.Series
    quotas: pd.Series
    seed: int


def frame_counts(db: Database, topic: str, wave: str, districts: tuple[str, ...]) -> pd.Series:
    """Contacts per district that a draw can take (still in the frame, phone not purged)."""
    with db.transaction() as session:
        return _counts(session, topic, wave, districts)


def _counts(session: Session, topic: str, wave: str, districts: tuple[str, ...]) -> pd.Series:
    found = session.execute(
        select(Case.district, func.count(Case.id))
        .where(*_drawable(topic, wave))
        .group_by(Case.district)
    )
    counts = dict(found.all())
    return pd.Series([int(counts.get(d, 0)) for d in districts], index=districts, dtype="int64")


def _drawable(topic: str, wave: str) -> tuple[Any, ...]:
    return (
        Case.topic == topic,
        Case.wave == wave,
        Case.status == "frame",
        Case.phone_token.is_not(None),
    )


def draw_sample(
    db: Database,
    topic: str,
    wave: str,
    districts: tuple[str, ...],
    plan: Plan,
    audit: tuple[datetime, str],
) -> Drawn:
    """Draw, store replicates and quotas, record the seed; one audited transaction."""
    with db.transaction() as session:
        row = require_open(session, topic, wave)
        _clear_previous(session, topic, wave, plan.redraw)
        frame = _counts(session, topic, wave, districts)
        if plan.fixed is not None:
            sizes = plan.fixed["size"].astype("int64")
        else:
            sizes = sampling.proportional(frame, plan.size or 0)
        quotas = _quotas(frame, sizes, plan)
        cases = pd.DataFrame(
            session.execute(
                select(Case.id, Case.contact_id, Case.district).where(*_drawable(topic, wave))
            ).all(),
            columns=[sampling.CASE_ID, sampling.CONTACT_ID, sampling.DISTRICT],
        )
        drawn = sampling.draw(cases, sizes, plan.replicates, plan.seed)
        _store(session, topic, wave, drawn, quotas)
        row.seed = plan.seed
        record(
            session,
            audit[0],
            audit[1],
            "fieldwork.draw",
            f"{topic}/{wave}",
            _detail(plan, sizes, quotas),
        )
    return Drawn(sizes, quotas, plan.seed)


def _clear_previous(session: Session, topic: str, wave: str, redraw: bool) -> None:
    """Refuse a second draw, or (with redraw, before any release) put the drawn cases back."""
    of_wave = (Case.topic == topic, Case.wave == wave)
    taken = dict(
        session.execute(
            select(Case.status, func.count(Case.id))
            .where(*of_wave, Case.status != "frame")
            .group_by(Case.status)
        ).all()
    )
    if not taken:
        return
    if set(taken) != {"drawn"}:
        raise FieldworkError(f"{topic} {wave} 的样本已发放，不能重新抽样")
    if not redraw:
        raise FieldworkError(
            f"{topic} {wave} 已经抽过样本（{taken['drawn']} 个）；发放之前可用 --redraw 重新抽样"
        )
    session.execute(
        update(Case).where(*of_wave, Case.status == "drawn").values(status="frame", replicate=None)
    )


def _quotas(frame: pd.Series, sizes: pd.Series, plan: Plan) -> pd.Series:
    """Completes wanted per district: the file's, or --completes shared like the sample, or
    (neither given) the drawn size itself."""
    if plan.fixed is not None and plan.fixed["completes"].notna().any():
        return plan.fixed["completes"].fillna(0).astype("int64")
    if plan.completes is not None:
        if plan.completes > int(sizes.sum()):
            raise FieldworkError(f"--completes {plan.completes} 超过样本量 {int(sizes.sum())}")
        return sampling.proportional(sizes, plan.completes)
    return sizes.copy()


def _store(session: Session, topic: str, wave: str, drawn: pd.DataFrame, quotas: pd.Series) -> None:
    """Mark the drawn cases (one executemany by primary key) and replace the quotas."""
    if len(drawn):
        rows = [
            {"id": int(case), "status": "drawn", "replicate": int(rep)}
            for case, rep in drawn.itertuples(index=False)
        ]
        session.execute(update(Case), rows)
    session.execute(delete(Quota).where(Quota.topic == topic, Quota.wave == wave))
    session.add_all(
        Quota(topic=topic, wave=wave, district=str(d), target=int(n))
        for d, n in quotas.items()
        if n > 0
    )


def _detail(plan: Plan, sizes: pd.Series, quotas: pd.Series) -> dict[str, Any]:
    return {
        "seed": plan.seed,
        "method": "fixed" if plan.fixed is not None else "proportional",
        "size": int(sizes.sum()),
        "replicates": plan.replicates,
        "redraw": plan.redraw,
        "sizes": {str(d): int(n) for d, n in sizes.items() if n},
        "quotas": {str(d): int(n) for d, n in quotas.items() if n},
    }


def release(
    db: Database, topic: str, wave: str, replicate: int | None, audit: tuple[datetime, str]
) -> tuple[int, dict[str, int]]:
    """Make a replicate's cases callable now (None: the lowest not yet released); audited.

    Returns the replicate and its cases per district.
    """
    at, actor = audit
    with db.transaction() as session:
        require_open(session, topic, wave)
        chosen = _replicate(session, topic, wave, replicate)
        waiting = (
            Case.topic == topic,
            Case.wave == wave,
            Case.status == "drawn",
            Case.replicate == chosen,
        )
        found = session.execute(
            select(Case.district, func.count(Case.id)).where(*waiting).group_by(Case.district)
        )
        counts = {str(d): int(n) for d, n in found}
        if not counts:
            raise FieldworkError(f"{topic} {wave} 的第 {chosen} 组不存在或已发放")
        session.execute(update(Case).where(*waiting).values(status="released", next_call_at=at))
        detail = {"replicate": chosen, "cases": sum(counts.values()), "districts": counts}
        record(session, at, actor, "fieldwork.release", f"{topic}/{wave}", detail)
    return chosen, counts


def _replicate(session: Session, topic: str, wave: str, asked: int | None) -> int:
    """The replicate asked for, or the lowest one with cases still waiting."""
    if asked is not None:
        return asked
    lowest = session.scalar(
        select(func.min(Case.replicate)).where(
            Case.topic == topic, Case.wave == wave, Case.status == "drawn"
        )
    )
    if lowest is None:
        raise FieldworkError(f"{topic} {wave} 没有待发放的样本组（先运行 yiti survey sample draw）")
    return int(lowest)
