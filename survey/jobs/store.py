"""Export jobs in the database: asked for, claimed by a worker, finished, failed, expired.

Every change of state is one short transaction with a condition on the current state, so two
workers never build the same job and an expired job is never revived.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select, update

from survey.storage.db import Database
from survey.storage.models import ExportJob

QUEUED: Final = "queued"
RUNNING: Final = "running"
DONE: Final = "done"
FAILED: Final = "failed"
EXPIRED: Final = "expired"
# Shown to evaluators, by status.
LABELS: Final = {
    QUEUED: "排队中",
    RUNNING: "正在生成",
    DONE: "可以下载",
    FAILED: "生成失败",
    EXPIRED: "已过期删除",
}
LISTED: Final = 20  # jobs an evaluator sees on the downloads page
# A job still "running" this long after it started lost its worker (killed, machine restarted).
STALLED_AFTER: Final = timedelta(hours=3)
STALLED: Final = "生成中断（后台进程已停止）；请重新生成"


@dataclass(frozen=True)
class Asked:
    """What an evaluator asked for: who, which wave, topic(s) and format, and when."""

    requested_by: str
    wave: str
    slug: str
    topics: Sequence[str]
    format: str
    at: datetime


def create(db: Database, asked: Asked) -> ExportJob:
    """A new queued job with a random id (the id is the only way to its file)."""
    job = ExportJob(
        id=uuid.uuid4().hex,
        requested_by=asked.requested_by,
        wave=asked.wave,
        slug=asked.slug,
        topics=list(asked.topics),
        format=asked.format,
        status=QUEUED,
        created_at=asked.at,
    )
    with db.transaction() as session:
        session.add(job)
    return job


def pending(db: Database, asked: Asked) -> ExportJob | None:
    """The same file asked for by the same account and not built yet, if there is one."""
    query = select(ExportJob).where(
        ExportJob.requested_by == asked.requested_by,
        ExportJob.wave == asked.wave,
        ExportJob.slug == asked.slug,
        ExportJob.format == asked.format,
        ExportJob.status.in_((QUEUED, RUNNING)),
    )
    with db.transaction() as session:
        return session.scalars(query.limit(1)).first()


def get(db: Database, job_id: str) -> ExportJob | None:
    """The job, or None."""
    with db.transaction() as session:
        return session.get(ExportJob, job_id)


def owned(db: Database, job_id: str, email: str) -> ExportJob | None:
    """The job if `email` asked for it; anyone else's job is reported as missing."""
    job = get(db, job_id)
    return job if job is not None and job.requested_by == email else None


def recent(db: Database, email: str, limit: int = LISTED) -> list[ExportJob]:
    """The account's newest jobs first."""
    query = (
        select(ExportJob)
        .where(ExportJob.requested_by == email)
        .order_by(ExportJob.created_at.desc(), ExportJob.id)
        .limit(limit)
    )
    with db.transaction() as session:
        return list(session.scalars(query))


def claim(db: Database, job_id: str, at: datetime) -> bool:
    """queued → running; False if another worker has it or it is no longer queued."""
    return _move(db, job_id, (QUEUED,), status=RUNNING, started_at=at)


def finish(db: Database, job_id: str, at: datetime, rows: int, size: int, sha256: str) -> bool:
    """running → done, with what the file holds."""
    done = {"status": DONE, "finished_at": at, "rows": rows, "size": size, "sha256": sha256}
    return _move(db, job_id, (RUNNING,), **done)


def fail(db: Database, job_id: str, at: datetime, error: str) -> bool:
    """queued or running → failed, with a message for the evaluator."""
    return _move(db, job_id, (QUEUED, RUNNING), status=FAILED, finished_at=at, error=error[:500])


def expire(db: Database, now: datetime, keep: timedelta) -> list[ExportJob]:
    """Jobs made longer than `keep` ago become expired (their files are the caller's to delete);
    jobs running longer than STALLED_AFTER become failed. Returns the newly expired jobs."""
    with db.transaction() as session:
        stale = update(ExportJob).where(
            ExportJob.status == RUNNING, ExportJob.started_at < now - STALLED_AFTER
        )
        session.execute(stale.values(status=FAILED, finished_at=now, error=STALLED))
        old = select(ExportJob).where(
            ExportJob.status.in_((QUEUED, DONE, FAILED)), ExportJob.created_at < now - keep
        )
        expired = list(session.scalars(old))
        for job in expired:
            job.status = EXPIRED
        return expired


def _move(db: Database, job_id: str, sources: tuple[str, ...], **values: object) -> bool:
    statement = (
        update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.status.in_(sources))
        .values(**values)
    )
    with db.transaction() as session:
        return session.execute(statement).rowcount == 1  # type: ignore[attr-defined, no-any-return]
