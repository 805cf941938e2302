"""Pages for residents: the questionnaire, the thank-you page with a receipt, privacy, index."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import generate_csrf

from survey.abuse import device_key, flags_for, limiter, post_limit
from survey.codes import ALPHABET
from survey.errors import log_unavailable, retry_advice
from survey.residents import pagecache, tickets
from survey.residents.forms import SurveyForm, clean_text
from survey.residents.repeats import repeated_fields
from survey.residents.service import Survey, find_survey, open_surveys, submit
from survey.state import current_state
from survey.storage.db import DatabaseUnavailableError
from survey.storage.repository import ConflictError, InvitationError, receipt_exists

respondents = Blueprint("respondents", __name__)
RECEIPT = re.compile(f"[{ALPHABET}-]{{1,20}}")  # as survey.codes.mint writes them
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
# Fields of a blank questionnaire whose value differs per request (CSRF may be off in tests).
SLOTS = ("csrf_token", "ticket", "invitation")
# The hard limit on answers, on the blueprint rather than on the view: Flask-Limiter then checks
# it once, before the request, instead of also wrapping the view in a second pass over its
# limits for every page view and answer (issue 17). Only the questionnaire takes POSTs here;
# its counters keep the same key (the endpoint), and any POST route added here is limited too.
limiter.limit(post_limit, methods=["POST"])(respondents)


@respondents.get("/")
def index() -> ResponseReturnValue:
    """The surveys open now."""
    state = current_state()
    return render_template(
        "respondents/index.html", surveys=open_surveys(state.content, state.clock())
    )


@respondents.get("/privacy/")
def privacy() -> ResponseReturnValue:
    """The privacy notice on its own page."""
    return render_template("respondents/privacy.html")


@respondents.route("/<slug>/<wave>/", methods=["GET", "POST"])
def questionnaire(slug: str, wave: str) -> ResponseReturnValue:
    """The questionnaire: served with a fresh ticket; answers stored once, then a receipt."""
    state = current_state()
    survey = find_survey(state.content, slug, wave, state.clock(), state.questionnaire)
    if survey is None:
        abort(404)
    if not survey.accepting or survey.questionnaire is None:
        status = 403 if request.method == "POST" else 200
        return render_template("respondents/closed.html", survey=survey), status
    if request.method != "POST":  # GET, and HEAD as Flask answers it
        return _blank(survey)
    if request.mimetype not in FORM_TYPES:
        abort(400, description="只接受网页表单提交的答卷。")
    # Answers come from the form body only (Flask-WTF would otherwise also read JSON).
    return _answer(survey, state.form_for(survey.questionnaire)(formdata=request.form))


def _blank(survey: Survey) -> ResponseReturnValue:
    """A fresh form: the blank page rendered once, with this request's token, ticket and code."""
    assert survey.questionnaire is not None
    key = (survey.topic.slug, survey.wave.id, survey.questionnaire.version, request.script_root)
    page = current_state().pages.get(key, lambda: _draw_blank(survey))
    # The device id goes into the session cookie this page sets anyway (for the CSRF token),
    # so the POST finds it there and need not sign and send a new cookie.
    device_key()
    fresh: dict[str, Callable[[], str]] = {
        "csrf_token": generate_csrf,
        "ticket": lambda: _new_ticket(survey, request.args.get("channel")),
        # An SMS link's code, without control characters (a NUL is invalid in the page).
        "invitation": lambda: clean_text(request.args.get("code", ""))[:40],
    }
    return page.fill({slot: fresh[slot]() for slot in page.slots})


def _draw_blank(survey: Survey) -> tuple[str, dict[str, str]]:
    """The blank questionnaire page with a marker where each per-request value goes."""
    assert survey.questionnaire is not None
    form = current_state().form_for(survey.questionnaire)(formdata=None)
    marks = pagecache.markers(tuple(slot for slot in SLOTS if slot in form))
    for slot, mark in marks.items():
        if slot == "csrf_token":
            form.csrf_token.current_token = mark
        else:
            form[slot].data = mark
    page = render_template("respondents/questionnaire.html", survey=survey, form=form, notice=None)
    return page, marks


def _answer(survey: Survey, form: SurveyForm) -> ResponseReturnValue:
    """Check, store and redirect (POST-redirect-GET); or show the form again with messages."""
    refusal = _refusal(form)
    if refusal:
        abort(400, description=refusal)
    try:
        ticket = _read_ticket(survey, form)
    except tickets.TicketError as exc:
        if not exc.expired:
            abort(400, description=f"{exc}，请重新打开问卷。")
        return _renewed(survey, form, exc.channel)
    if not form.validate_on_submit():
        return _page(survey, form)
    try:
        receipt = _store(survey, form, ticket)
    except InvitationError as exc:
        form["invitation"].errors = [str(exc)]
        return _page(survey, form)
    except ConflictError as exc:
        return render_template("respondents/conflict.html", survey=survey, error=exc), 409
    except DatabaseUnavailableError as exc:
        # The same form, answers and ticket again: a retry counts once under the same id.
        log_unavailable(exc)
        return _page(survey, form, notice=retry_advice(exc), status=503)
    slug, wave = survey.topic.slug, survey.wave.id
    return redirect(url_for(".thanks", slug=slug, wave=wave, receipt=receipt), 303)


def _refusal(form: SurveyForm) -> str | None:
    """Why the body is not one a browser sends for this form: files, unknown fields, or fields
    sent twice (survey/residents/repeats.py)."""
    if request.files:
        return f"问卷不接受上传文件（字段：{'、'.join(sorted(request.files))[:200]}）。"
    unknown = sorted(set(request.form) - {f.name for f in form})
    if unknown:
        return f"表单中有不认识的字段：{'、'.join(unknown)[:200]}"
    twice = repeated_fields(form, request.form)
    if not twice:
        return None
    questions = {f.name: str(f.label.text) for f in form.question_fields()}
    asked = [questions[name] for name in twice if name in questions]
    if asked:
        return f"这些问题的答案重复提交了：{'、'.join(asked)[:200]}。请刷新问卷后重新填写提交。"
    # Only the page's own hidden fields (token, ticket): their names mean nothing to a resident.
    hidden = "、".join(twice)[:200]
    return (
        f"问卷页面的隐藏字段重复提交了（{hidden}），这不是浏览器会发出的表单：请重新打开问卷填写。"
    )


def _read_ticket(survey: Survey, form: SurveyForm) -> tickets.Ticket:
    config = current_app.config
    token = form.ticket.data or ""
    max_age, now = config["YITI_TICKET_MAX_AGE"], current_state().clock()
    return tickets.read(
        config["SECRET_KEY"], token, survey.topic.slug, survey.wave.id, max_age, now
    )


def _renewed(survey: Survey, form: SurveyForm, channel: str) -> ResponseReturnValue:
    """A form left open too long: shown again with its answers and a fresh ticket."""
    form.validate()
    form.ticket.data = _new_ticket(survey, channel)
    return _page(survey, form, notice="页面打开时间较长，请检查答案后再次提交。")


def _store(survey: Survey, form: SurveyForm, ticket: tickets.Ticket) -> str:
    state = current_state()
    now = state.clock()
    flags = flags_for(form.website.data, ticket, now)
    return submit(state.db, state.content, survey, form, ticket, now=now, flags=flags)


@respondents.get("/<slug>/<wave>/thanks/<receipt>/")
def thanks(slug: str, wave: str, receipt: str) -> ResponseReturnValue:
    """The thank-you page with the receipt code."""
    state = current_state()
    survey = find_survey(state.content, slug, wave, state.clock(), state.questionnaire)
    # A receipt's shape is checked before the database, which would refuse a NUL with a 500.
    if survey is None or not RECEIPT.fullmatch(receipt):
        abort(404)
    if not receipt_exists(state.db, slug, wave, receipt):
        abort(404)
    return render_template("respondents/thanks.html", survey=survey, receipt=receipt)


def _new_ticket(survey: Survey, channel: str | None) -> str:
    secret, now = current_app.config["SECRET_KEY"], current_state().clock()
    return tickets.issue(secret, survey.topic.slug, survey.wave.id, channel or "link", now)


def _page(
    survey: Survey, form: SurveyForm, notice: str | None = None, status: int = 200
) -> ResponseReturnValue:
    page = render_template(
        "respondents/questionnaire.html", survey=survey, form=form, notice=notice
    )
    return page, status
