"""The worker's side of an export job: build the file beside its siblings, record, tidy up.

A file is written under a temporary name and renamed when complete, so a download never sees
half a file; the job row turns `done` only after the rename. A job the worker cannot build
turns `failed` with a message the evaluator can act on; the traceback goes to the worker's log.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from survey.analysis.errors import ExportTooLargeError
from survey.jobs import store
from survey.lazy import lazy
from survey.staff.accounts import active_user
from survey.staff.sessions import Account
from survey.state import AppState
from survey.storage.audit import append
from survey.storage.models import ExportJob

if TYPE_CHECKING:
    from survey.staff.downloads import service
else:  # pandas and pyarrow load with the first job (survey/lazy.py)
    service = lazy("survey.staff.downloads.service")

FAILED_INSIDE = "生成时出错（已记入服务器日志）；请稍后重新生成，如仍失败请联系管理员"
DISK_FULL = "服务器存放导出文件的磁盘已满，文件未生成；请联系管理员清理后重新生成"
QUEUE_DOWN = "无法把任务交给后台进程（队列暂时不可用）；请稍后重新生成"
NO_LONGER = "您的账户已停用，或已无权查看这些议题；文件未生成"


class RefusedError(Exception):
    """The job can no longer be built for the one who asked (account or scope changed)."""


@dataclass(frozen=True)
class Folder:
    """Where finished files wait: `<job id>.<extension>`, readable by the app servers."""

    path: Path

    def file(self, job: ExportJob) -> Path:
        """The finished file of `job`."""
        return self.path / f"{job.id}.{service.FORMATS[job.format][0]}"

    def draft(self, job: ExportJob) -> Path:
        """Where `job`'s file is written until it is complete."""
        return self.path / f"{job.id}.part"


def run(state: AppState, folder: Folder, job_id: str) -> None:
    """Build the job's file if it is still queued; any other state means it was handled."""
    if not store.claim(state.db, job_id, state.clock()):
        return
    job = store.get(state.db, job_id)
    assert job is not None  # claimed a moment ago; jobs are never deleted
    try:
        request = _request(state, job)
        built = _write(request, job, folder)
    except (ExportTooLargeError, RefusedError) as exc:
        _failed(state, job, str(exc))
        return
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            _failed(state, job, FAILED_INSIDE)
            raise
        _failed(state, job, DISK_FULL)
        return
    except Exception:
        _failed(state, job, FAILED_INSIDE)
        raise  # Huey logs the traceback
    rows, size, digest = built
    store.finish(state.db, job.id, state.clock(), rows, size, digest)
    request.audit(job.format, status="prepared", job=job.id, rows=rows, sha256=digest)


def _request(state: AppState, job: ExportJob) -> service.Request:
    """The download as the evaluator asked for it, limited to what they may still see."""
    user = active_user(state.db, job.requested_by)
    if user is None:
        raise RefusedError(NO_LONGER)
    account = Account(user)

    def sees(topic: str) -> bool:
        return account.sees_topic(topic) and topic in job.topics

    # Imported here, not at the top: the downloads package's views import survey.jobs, which
    # imports this module while it starts, so a top-level import would be circular.
    from survey.staff.downloads.scope import resolve

    scope = resolve(state.content, job.wave, job.slug, sees)
    if scope is None:
        raise RefusedError(NO_LONGER)
    return service.Request(state.db, scope, job.requested_by, state.clock())


def _write(request: service.Request, job: ExportJob, folder: Folder) -> tuple[int, int, str]:
    """rows, bytes and SHA-256 of the finished file."""
    from survey.analysis.export import file_sha256

    folder.path.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = folder.draft(job)
    try:
        rows = service.write(request, job.format, draft)
        digest, size = file_sha256(draft), draft.stat().st_size
        draft.replace(folder.file(job))
    finally:
        draft.unlink(missing_ok=True)
    return rows, size, digest


def _failed(state: AppState, job: ExportJob, message: str) -> None:
    store.fail(state.db, job.id, state.clock(), message)
    audit(state, job, status="failed", error=message)


def audit(state: AppState, job: ExportJob, **detail: object) -> None:
    """A `download` entry about `job`, in the name of the evaluator who asked for it."""
    body = {"format": job.format, "job": job.id, "filters": _filters(job)} | detail
    target = f"{job.slug}/{job.wave}"
    append(state.db, state.clock(), job.requested_by, "download", target=target, detail=body)


def _filters(job: ExportJob) -> dict[str, str]:
    return {"wave": job.wave, "topic": job.slug, "topics": ",".join(job.topics)}


def tidy(state: AppState, folder: Folder, keep: timedelta) -> int:
    """Expire jobs older than `keep` and delete their files; returns how many expired."""
    expired = store.expire(state.db, state.clock(), keep)
    for job in expired:
        folder.file(job).unlink(missing_ok=True)
        folder.draft(job).unlink(missing_ok=True)
    return len(expired)
