"""Downloads built by the worker: asking for one, following it, fetching the file.

An XLSX or SAV of more rows than `YITI_EXPORT_INLINE_ROWS` would keep a request (and the
evaluator) waiting for minutes, so its link shows a page that offers to build it in the
background. The job belongs to the account that asked: anyone else is told it does not exist,
and fetching it checks the account may still see every topic in it. Each step is audited.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from flask import abort, current_app, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue

from survey.jobs import current_jobs, store
from survey.jobs.work import QUEUE_DOWN, audit
from survey.lazy import lazy
from survey.staff.downloads.blueprint import ROLES, attachment, downloads, request_for, scope_for
from survey.staff.downloads.scope import ALL, Scope, resolve
from survey.staff.sessions import account, require_role, require_topic
from survey.state import current_state
from survey.storage.models import ExportJob
from survey.waves import as_utc

if TYPE_CHECKING:
    from survey.staff.downloads import service
else:  # pandas and pyarrow load with the first download a worker serves (survey/lazy.py)
    service = lazy("survey.staff.downloads.service")

# Formats the worker builds; CSV streams in the request at any size.
BACKGROUND = ("xlsx", "sav")
JOB_ID = re.compile("[0-9a-f]{32}")  # uuid4 hex, as survey.jobs.store makes them


def too_large_for_request(ask: service.Request, fmt: str) -> int | None:
    """The scope's row count if `fmt` of it should be built by the worker, else None."""
    if fmt not in BACKGROUND:
        return None
    rows = service.expected_rows(ask)
    return rows if rows > current_jobs().inline_rows else None


def offer(
    ask: service.Request, fmt: str, rows: int, *, for_manifest: bool = False
) -> ResponseReturnValue:
    """The page that explains the wait and asks to build `fmt` in the background; also where
    an XLSX or SAV manifest is asked for, since only a built file's manifest can be true."""
    action = url_for("downloads.prepare", wave=ask.scope.wave, slug=ask.scope.slug, fmt=fmt)
    titles = {t.slug: t.title for t in current_state().content.topics}
    scope = ask.scope
    what = f"全部 {len(scope.topics)} 个议题" if scope.slug == ALL else f"“{titles[scope.slug]}”"
    return render_template(
        "downloads/large.html",
        scope=scope,
        what=what,
        fmt=fmt,
        rows=rows,
        action=action,
        for_manifest=for_manifest,
        hours=int(current_jobs().keep.total_seconds() // 3600),
    )


@downloads.post("/<wave>/<slug>.<fmt>/prepare")
@require_role(*ROLES)
def prepare(wave: str, slug: str, fmt: str) -> ResponseReturnValue:
    """Queue the file and go to its page (303: a reload does not queue it twice)."""
    if slug != ALL:
        require_topic(slug)
    if fmt not in BACKGROUND:
        abort(404)
    ask = request_for(scope_for(wave, slug))
    scope = ask.scope
    asked = store.Asked(ask.actor, scope.wave, scope.slug, scope.topics, fmt, ask.at)
    waiting = store.pending(ask.db, asked)  # a double click asks for the same file twice
    job = waiting if waiting is not None else _queue(ask, asked)
    return redirect(url_for("downloads.job", job_id=job.id), 303)


def _queue(ask: service.Request, asked: store.Asked) -> ExportJob:
    job = store.create(ask.db, asked)
    ask.audit(asked.format, status="queued", job=job.id)
    try:
        current_jobs().submit(job.id)
    except Exception:  # any storage's outage: the job must not wait forever for nothing
        current_app.logger.exception("export job %s: the queue did not take it", job.id)
        store.fail(ask.db, job.id, ask.at, QUEUE_DOWN)
        audit(current_state(), job, status="failed", error=QUEUE_DOWN)
    return job


@downloads.get("/jobs/<job_id>/")
@require_role(*ROLES)
def job(job_id: str) -> ResponseReturnValue:
    """Where the file stands, and its link once it is ready."""
    found = _owned(job_id)
    return render_template(
        "downloads/job.html",
        job=found,
        status=status_of(found),
        labels=store.LABELS,
        name=_name(found),
        hours=int(current_jobs().keep.total_seconds() // 3600),
    )


@downloads.get("/jobs/<job_id>/file")
@require_role(*ROLES)
def job_file(job_id: str) -> ResponseReturnValue:
    """The finished file, to the account that asked, while it may still see its topics."""
    found, _ = _ready(job_id)
    try:  # opened before anything is audited: the tidy-up may have deleted it a moment ago
        handle = current_jobs().folder.file(found).open("rb")
    except FileNotFoundError:
        abort(404)
    media = service.FORMATS[found.format][1]
    audit(current_state(), found, status="completed", rows=found.rows, sha256=found.sha256)
    sent = send_file(handle, media, as_attachment=True, download_name=_name(found), etag=False)
    sent.headers["Cache-Control"] = "no-store"
    sent.headers["X-Content-SHA256"] = str(found.sha256)
    sent.headers["X-Row-Count"] = str(found.rows)
    return sent


@downloads.get("/jobs/<job_id>/manifest.json")
@require_role(*ROLES)
def job_manifest(job_id: str) -> ResponseReturnValue:
    """The manifest of the very file built: its rows and SHA-256, not a rebuild's."""
    found, scope = _ready(job_id)
    assert found.finished_at is not None and found.rows is not None and found.sha256
    from survey.analysis.export import Manifest  # pandas and pyarrow, on first use

    manifest = Manifest(
        file=_name(found),
        format=found.format,
        rows=found.rows,
        sha256=found.sha256,
        filters=scope.filters() | {"generated_by": found.requested_by, "job": found.id},
        questionnaire_version="；".join(scope.versions()),
        generated_at=found.finished_at,
    )
    audit(current_state(), found, status="manifest", rows=found.rows, sha256=found.sha256)
    headers = attachment(f"{_name(found)}.manifest.json")
    return manifest.to_json(), 200, headers | {"Content-Type": "application/json"}


def _owned(job_id: str) -> ExportJob:
    if not JOB_ID.fullmatch(job_id):  # no job's: and PostgreSQL would refuse a NUL with a 500
        abort(404)
    found = store.owned(current_state().db, job_id, account().email)
    if found is None:
        abort(404)
    return found


def _ready(job_id: str) -> tuple[ExportJob, Scope]:
    """A finished, unexpired job whose every topic the account may still see, or 404."""
    found = _owned(job_id)
    if found.status != store.DONE or _past_keep(found):
        abort(404)
    if not current_jobs().folder.file(found).is_file():  # another server, without the share
        abort(404)
    sees = account().sees_topic
    scope = resolve(current_state().content, found.wave, found.slug, sees)
    if scope is None or not set(found.topics) <= set(scope.topics):
        abort(404)
    return found, scope


def status_of(found: ExportJob) -> str:
    """The job's status as the evaluator should read it: past the keeping time it is expired,
    even before the worker's tidy-up has said so."""
    return store.EXPIRED if found.status == store.EXPIRED or _past_keep(found) else found.status


def _past_keep(found: ExportJob) -> bool:
    """Older than the keeping time, even if the tidy-up has not run yet."""
    now: datetime = current_state().clock()
    return now - as_utc(found.created_at) > current_jobs().keep


def _name(found: ExportJob) -> str:
    return f"{found.slug}-{found.wave}.{service.FORMATS[found.format][0]}"
