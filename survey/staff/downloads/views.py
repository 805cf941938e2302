"""Evaluators' downloads: per topic and wave, or all their topics of a wave, in their formats.

Login required for admins and evaluators; auditors get 403; a topic outside the account's
scope answers 404 like one that does not exist. The views resolve the scope and hand over to
`survey.staff.downloads.service`; they never open a database session.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import (
    Response,
    abort,
    render_template,
    request,
    send_file,
    stream_with_context,
)
from flask.typing import ResponseReturnValue

from survey.analysis.errors import ExportTooLargeError
from survey.jobs import current_jobs, store
from survey.lazy import lazy
from survey.staff.downloads import background
from survey.staff.downloads.blueprint import ROLES, attachment, downloads, request_for, scope_for
from survey.staff.downloads.index import DISPOSITION_LINKS, LINKS, listing
from survey.staff.downloads.scope import ALL, Scope
from survey.staff.sessions import account, require_role, require_topic
from survey.state import current_state

if TYPE_CHECKING:
    from survey.staff.downloads import service
else:  # pandas and pyarrow load with the first download a worker serves (survey/lazy.py)
    service = lazy("survey.staff.downloads.service")


@downloads.errorhandler(ExportTooLargeError)
def too_large(error: ExportTooLargeError) -> ResponseReturnValue:
    """413 with what to download instead (the site-wide 413 page speaks of a long answer)."""
    page = render_template("errors/error.html", status=413, title="文件太大", advice=str(error))
    return page, 413


@downloads.get("/")
@require_role(*ROLES)
def index() -> ResponseReturnValue:
    """Every wave with the account's topics and a link per format."""
    state = current_state()
    answered, surveyed = service.answered(state.db), service.surveyed(state.db)
    waves = listing(state.content, account().sees_topic, answered, surveyed)
    jobs = [(job, background.status_of(job)) for job in store.recent(state.db, account().email)]
    return render_template(
        "downloads/index.html",
        waves=waves,
        links=LINKS,
        disposition_links=DISPOSITION_LINKS,
        jobs=jobs,
        labels=store.LABELS,
        inline_rows=current_jobs().inline_rows,
    )


@downloads.get("/<wave>/<slug>.<fmt>")
@require_role(*ROLES)
def download(wave: str, slug: str, fmt: str) -> ResponseReturnValue:
    """One file; CSV streams, the others are built in a temporary file first."""
    if slug != ALL:
        require_topic(slug)
    if fmt != service.MANIFEST and fmt not in service.FORMATS:
        abort(404)
    ask = request_for(scope_for(wave, slug))
    if fmt == service.MANIFEST:
        return _manifest(ask)
    if fmt in service.DISPOSITIONS and not service.has_fieldwork(ask):
        abort(404)  # no telephone fieldwork in this scope: no dispositions to give
    rows = background.too_large_for_request(ask, fmt)
    if rows is not None:
        return background.offer(ask, fmt, rows)
    if fmt in ("csv", "csv-utf8"):
        body = stream_with_context(service.csv_stream(ask, bom=fmt == "csv"))
        return _response(body, ask.scope, fmt)
    built = service.build(ask, fmt)
    ask.audit(fmt, status="completed", rows=built.rows, sha256=built.sha256)
    extension, media = service.FORMATS[fmt]
    name = ask.scope.filename(extension)
    sent = send_file(built.handle, media, as_attachment=True, download_name=name, etag=False)
    sent.headers["Cache-Control"] = "no-store"
    sent.headers["X-Content-SHA256"] = built.sha256
    sent.headers["X-Row-Count"] = str(built.rows)
    return sent


def _manifest(ask: service.Request) -> ResponseReturnValue:
    of = request.args.get("of", "csv")
    if of not in service.FORMATS or (of in service.DISPOSITIONS and not service.has_fieldwork(ask)):
        abort(404)
    if of in background.BACKGROUND:  # a rebuilt XLSX or SAV differs (creation time inside):
        return background.offer(ask, of, service.expected_rows(ask), for_manifest=True)
    body = service.manifest(ask, of).to_json()
    name = ask.scope.filename(f"{service.FORMATS[of][0]}.manifest.json")
    return Response(body, mimetype="application/json", headers=attachment(name))


def _response(body: Iterable[bytes], scope: Scope, fmt: str) -> Response:
    extension, media = service.FORMATS[fmt]
    sent = Response(body, content_type=media, headers=attachment(scope.filename(extension)))
    sent.headers["Cache-Control"] = "no-store"  # response data never sits in a shared cache
    return sent
