"""Evaluator results pages: waves, a wave's topic table, a topic's results, its responses.

Admins and evaluators only (auditors 403, anonymous visitors to the login page); an evaluator
sees only the topics they are scoped to, and any other topic is 404. Every page that shows
figures or response data writes an audit entry (results.view, responses.view).
"""

from __future__ import annotations

from typing import Final

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from generator.content.models import Topic, Wave
from survey.abuse import source_key
from survey.staff.evaluators import scope, store
from survey.staff.evaluators.forms import ExcludeForm, IncludeForm
from survey.staff.evaluators.present import CHANNEL_LABELS
from survey.staff.sessions import account, require_role, staff_context
from survey.state import current_state
from survey.templating import FLAG_LABELS

evaluators = Blueprint("evaluators", __name__, url_prefix="/staff/results")
evaluators.context_processor(staff_context)
STAFF: Final = ("admin", "evaluator")
PER_PAGE: Final = 50  # responses per page of the list
MAX_PAGE: Final = 2**31 // PER_PAGE + 1  # response ids are INTEGER: no list has more pages


def _actor() -> store.Actor:
    return store.Actor(account().email, current_state().clock(), source_key())


@evaluators.get("/")
@require_role(*STAFF)
def index() -> ResponseReturnValue:
    """The calendar's waves, newest first, with how many of the account's topics each has."""
    waves = [(w, len(scope.visible_topics(w))) for w in scope.waves()]
    return render_template("evaluators/index.html", waves=waves)


@evaluators.get("/<wave>/")
@require_role(*STAFF)
def wave(wave: str) -> ResponseReturnValue:
    """The topics of one wave with their headline figures (audited as results.view)."""
    # The analysis stack (pandas, statsmodels) loads with the first results page a worker
    # serves, not in every worker at start: most workers only ever serve residents (issue 17).
    from survey.staff.evaluators.results import wave_table

    found = scope.wave_or_404(wave)
    topics = scope.visible_topics(found)
    state = current_state()
    table = wave_table(state.db, found, topics, state.content.site.satisfaction)
    detail = {"wave": found.id, "topics": [t.slug for t in topics]}
    store.log_views(state.db, _actor(), ["results.view"], detail)
    return render_template("evaluators/wave.html", table=table)


@evaluators.get("/<wave>/<slug>/")
@require_role(*STAFF)
def topic(wave: str, slug: str) -> ResponseReturnValue:
    """One topic's results; its comments are response data, so responses.view is logged too."""
    from survey.staff.evaluators.topic import MODES, mode, topic_results  # as in `wave`

    found, subject = _scoped(wave, slug)
    weighting = mode(request.args.get("weighting"), found)
    state = current_state()
    results = topic_results(state, subject, found, weighting)
    detail = {"topic": subject.slug, "wave": found.id, "weighting": weighting}
    actions = ["results.view"] + (["responses.view"] if results.comments else [])
    store.log_views(state.db, _actor(), actions, detail | {"comments": len(results.comments)})
    return render_template("evaluators/topic.html", results=results, modes=MODES)


@evaluators.get("/<wave>/<slug>/responses/")
@require_role(*STAFF)
def responses(wave: str, slug: str) -> ResponseReturnValue:
    """The topic's responses, newest first, each with its flags and exclusion."""
    return _responses_page(*_scoped(wave, slug), request.args.get("page", 1, type=int), {})


@evaluators.post("/<wave>/<slug>/responses/<id:response_id>/exclude")
@require_role(*STAFF)
def exclude(wave: str, slug: str, response_id: int) -> ResponseReturnValue:
    """Leave a response out of every figure, with a reason (audited as exclusion.add)."""
    found, subject = _scoped(wave, slug)
    form = ExcludeForm()
    page = form.page.data or 1
    if not form.validate_on_submit():
        if "reason" not in form.errors:
            abort(400)
        errors = {response_id: form.errors["reason"][0]}
        return _responses_page(found, subject, page, errors, form.reason.data or "", 400)
    reason = form.reason.data.strip()
    if not store.exclude(current_state().db, _actor(), subject.slug, found.id, response_id, reason):
        abort(404)
    return _back(found, subject, page, response_id)


@evaluators.post("/<wave>/<slug>/responses/<id:response_id>/include")
@require_role(*STAFF)
def include(wave: str, slug: str, response_id: int) -> ResponseReturnValue:
    """Undo an exclusion: the response counts again (audited as exclusion.remove)."""
    found, subject = _scoped(wave, slug)
    form = IncludeForm()
    if not form.validate_on_submit():
        abort(400)
    if not store.include(current_state().db, _actor(), subject.slug, found.id, response_id):
        abort(404)
    return _back(found, subject, form.page.data or 1, response_id)


def _scoped(wave: str, slug: str) -> tuple[Wave, Topic]:
    found = scope.wave_or_404(wave)
    return found, scope.topic_or_404(found, slug)


def _back(wave: Wave, topic: Topic, page: int, response_id: int) -> ResponseReturnValue:
    url = url_for(".responses", wave=wave.id, slug=topic.slug, page=page)
    return redirect(f"{url}#response-{response_id}", 303)


def _responses_page(
    wave: Wave,
    topic: Topic,
    page: int,
    errors: dict[int, str],
    typed: str = "",
    status: int = 200,
) -> ResponseReturnValue:
    """Render one page of the list; `errors` (by response id) come from a refused exclusion."""
    if not 1 <= page <= MAX_PAGE:  # a huge page's OFFSET overflows the database's integers
        abort(404)
    state = current_state()
    rows, total = store.listed(state.db, topic.slug, wave.id, (page - 1) * PER_PAGE, PER_PAGE)
    last = max(1, -(-total // PER_PAGE))
    if page > last:
        abort(404)
    detail = {"topic": topic.slug, "wave": wave.id, "page": page, "rows": len(rows)}
    store.log_views(state.db, _actor(), ["responses.view"], detail)
    return render_template(
        "evaluators/responses.html",
        wave=wave,
        topic=topic,
        rows=rows,
        total=total,
        page=page,
        last=last,
        errors=errors,
        typed=typed,
        flag_labels=FLAG_LABELS,
        channel_labels=CHANNEL_LABELS,
    ), status
