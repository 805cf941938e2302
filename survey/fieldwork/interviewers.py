"""Interviewers' pages (blueprint `interviewers`, /staff/calls/…): next case, the case with its
phone and history, the call's outcome, and the interview.

Interviewers only (other roles 403, anonymous visitors to the login page); a topic outside the
account's scope is 404, and so is a case the interviewer does not hold, so a case id tells
nobody else anything. Every page works without JavaScript: buttons are POST forms with CSRF.
"""

from __future__ import annotations

from typing import Final

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from generator.content.models import Questionnaire, Topic
from survey.abuse import source_key
from survey.config import phone_cipher
from survey.fieldwork import cases, interview, queue
from survey.fieldwork.calls import Outcome, OutcomeError, record_outcome
from survey.fieldwork.crypto import PhoneCipher
from survey.fieldwork.forms import (
    NextCaseForm,
    OutcomeForm,
    PhoneForm,
    phone_form_class,
    repeat_refusal,
)
from survey.fieldwork.scope import fieldwork_waves, settings_of
from survey.residents import tickets
from survey.staff.sessions import account, require_role, require_topic, staff_context
from survey.state import current_state
from survey.storage.repository import ConflictError, stored_alike

interviewers = Blueprint("interviewers", __name__, url_prefix="/staff/calls")
interviewers.context_processor(staff_context)
INTERVIEWER: Final = ("interviewer",)
# What the start page says after a redirect (`?saved=`), so a refresh repeats nothing.
SAVED: Final = {
    "outcome": "拨打结果已记录。",
    "refusal": "受访者不同意接受访问，已记为拒绝访问（2.11）。",
    "interview": "访问已完成并保存，谢谢！可以领取下一个个案。",
}


def _me() -> tuple[int, str]:
    me = account()
    return me.id, me.email


def _cipher() -> PhoneCipher:
    """The app's phone cipher (YITI_FIELDWORK_KEY, see survey/config.py)."""
    return phone_cipher(current_app.config)


@interviewers.get("/")
@require_role(*INTERVIEWER)
def index() -> ResponseReturnValue:
    """The fieldwork waves of the account's topics."""
    return render_template("fieldwork/calls/index.html", waves=fieldwork_waves())


def _scoped(wave: str, slug: str) -> Topic:
    """The topic at this URL if it runs fieldwork in `wave` and the account may work it."""
    require_topic(slug)
    topic = next((t for t in current_state().content.topics if t.slug == slug), None)
    if topic is None or wave not in topic.waves:
        abort(404)
    return topic


@interviewers.get("/<wave>/<slug>/")
@require_role(*INTERVIEWER)
def start(wave: str, slug: str) -> ResponseReturnValue:
    """The start page: calling hours, whether calls may be made now, 下一个个案."""
    topic = _scoped(wave, slug)
    saved = SAVED.get(request.args.get("saved", ""), "")
    return _start_page(topic, wave, saved, NextCaseForm())


def _start_page(
    topic: Topic, wave: str, message: str, form: NextCaseForm, status: int = 200
) -> ResponseReturnValue:
    state = current_state()
    settings = settings_of(topic.slug, wave)
    reason = queue.closed_reason(settings, state.clock())
    held = queue.held_by(state.db, topic.slug, wave, account().id)
    page = render_template(
        "fieldwork/calls/start.html",
        topic=topic,
        wave=wave,
        settings=settings,
        reason=reason,
        held=held,
        message=message,
        form=form,
    )
    return page, status


@interviewers.post("/<wave>/<slug>/next")
@require_role(*INTERVIEWER)
def next_case(wave: str, slug: str) -> ResponseReturnValue:
    """Hold a case (the one already held first) and open it; or say why there is none."""
    topic = _scoped(wave, slug)
    form = NextCaseForm()
    if not form.validate_on_submit():
        abort(400)
    user_id, email = _me()
    state = current_state()
    taken = queue.next_case(state.db, slug, wave, user_id, email, state.clock(), source_key())
    if taken.case_id is None:
        return _start_page(topic, wave, taken.reason, form, 409)
    return redirect(url_for(".case", wave=wave, slug=slug, case_id=taken.case_id), 303)


@interviewers.get("/<wave>/<slug>/cases/<id:case_id>/")
@require_role(*INTERVIEWER)
def case(wave: str, slug: str, case_id: int) -> ResponseReturnValue:
    """The held case: phone, where, past calls; the outcome form and 开始访问."""
    topic = _scoped(wave, slug)
    return _case_page(topic, wave, case_id, OutcomeForm(formdata=None), "")


def _elsewhere(topic: Topic, wave: str, case_id: int) -> bool:
    """Whether the case exists but belongs to another topic or wave than this URL's.

    A case's topic and wave never change, so this check holds for the request; without it an
    interview opened under another topic's address would store that topic's answers and close
    this case as complete.
    """
    found = queue.held_case(current_state().db, case_id, account().id)
    return found is not None and (found.topic, found.wave) != (topic.slug, wave)


def _case_page(
    topic: Topic, wave: str, case_id: int, form: OutcomeForm, error: str, status: int = 200
) -> ResponseReturnValue:
    state = current_state()
    user_id, email = _me()
    if _elsewhere(topic, wave, case_id):
        abort(404)
    now = state.clock()
    opened = cases.open_case(state.db, _cipher(), case_id, user_id, email, now, source_key())
    if opened is None:
        abort(404)
    page = render_template(
        "fieldwork/calls/case.html", topic=topic, wave=wave, case=opened, form=form, error=error
    )
    return page, status


@interviewers.post("/<wave>/<slug>/cases/<id:case_id>/outcome")
@require_role(*INTERVIEWER)
def outcome(wave: str, slug: str, case_id: int) -> ResponseReturnValue:
    """Record the call's outcome; back to the start page for the next case."""
    topic = _scoped(wave, slug)
    form = OutcomeForm()
    if _elsewhere(topic, wave, case_id):
        abort(404)
    if refusal := repeat_refusal(form, request.form):
        abort(400, description=refusal)
    if not form.validate_on_submit():
        return _case_page(topic, wave, case_id, form, "", 400)
    user_id, email = _me()
    state = current_state()
    reported = Outcome(form.code.data, callback_at=form.callback_utc(), note=form.note.data or "")
    try:
        record_outcome(state.db, case_id, user_id, email, reported, state.clock(), source_key())
    except OutcomeError as exc:
        return _case_page(topic, wave, case_id, form, str(exc), 400)
    return redirect(url_for(".start", wave=wave, slug=slug, saved="outcome"), 303)


@interviewers.route("/<wave>/<slug>/cases/<id:case_id>/interview", methods=["GET", "POST"])
@require_role(*INTERVIEWER)
def interview_page(wave: str, slug: str, case_id: int) -> ResponseReturnValue:
    """The interview: the call script, consent, the questionnaire; stored as a response."""
    topic = _scoped(wave, slug)
    state = current_state()
    questionnaire = state.questionnaire(slug, wave)
    user_id, _ = _me()
    if questionnaire is None:
        abort(404)
    form_type = phone_form_class(questionnaire, state.content.directory)
    if _elsewhere(topic, wave, case_id):
        abort(404)
    if queue.held_case(state.db, case_id, user_id) is None:
        return _not_held(topic, questionnaire, case_id, form_type(formdata=request.form))
    if request.method != "POST":
        form = form_type(formdata=None)
        form.ticket.data = _ticket(slug, wave)
        return _interview(topic, questionnaire, case_id, form)
    return _answered(topic, questionnaire, case_id, form_type(formdata=request.form))


def _answered(
    topic: Topic, questionnaire: Questionnaire, case_id: int, form: PhoneForm
) -> ResponseReturnValue:
    state, (user_id, email) = current_state(), _me()
    if refusal := repeat_refusal(form, request.form):
        abort(400, description=refusal)
    ticket = _read_ticket(questionnaire, form)
    now = state.clock()
    slug, wave = topic.slug, questionnaire.wave
    if form.consent.validate(form) and form.refused():
        try:
            refused = (case_id, user_id, email, ticket.served_at, now, source_key())
            interview.refuse(state.db, *refused)
        except OutcomeError as exc:
            return _interview(topic, questionnaire, case_id, form, str(exc), 409)
        return redirect(url_for(".start", wave=wave, slug=slug, saved="refusal"), 303)
    if not form.validate_on_submit():
        return _interview(topic, questionnaire, case_id, form, "", 400)
    alias = interview.pseudonym(current_app.config["SECRET_KEY"], user_id)
    who = (user_id, email, alias)
    try:
        interview.complete(
            state.db,
            state.content,
            questionnaire,
            form.answers(),
            ticket,
            who,
            now,
            case_id,
            source_key(),
        )
    except (OutcomeError, ConflictError) as exc:
        return _interview(topic, questionnaire, case_id, form, str(exc), 409)
    return redirect(url_for(".start", wave=wave, slug=slug, saved="interview"), 303)


def _not_held(
    topic: Topic, questionnaire: Questionnaire, case_id: int, form: PhoneForm
) -> ResponseReturnValue:
    """A resent interview (double click, refresh) finds its response stored and the case
    closed: it is told "saved", as the first POST was; with answers changed since, that they
    were not saved (the first ones stand). Anything else is not theirs: 404."""
    if request.method == "POST" and form.validate_on_submit():
        ticket = _read_ticket(questionnaire, form)
        state = current_state()
        alias = interview.pseudonym(current_app.config["SECRET_KEY"], account().id)
        resent = interview.as_submission(
            state.content, questionnaire, form.answers(), ticket, alias, state.clock()
        )
        alike = stored_alike(state.db, resent)
        if alike:
            saved = url_for(
                ".start", wave=questionnaire.wave, slug=questionnaire.topic, saved="interview"
            )
            return redirect(saved, 303)
        if alike is False:
            refused = str(ConflictError(""))
            return _interview(topic, questionnaire, case_id, form, refused, 409)
    abort(404)


def _ticket(slug: str, wave: str) -> str:
    """A signed ticket: the submission id (a resent POST counts once) and the start time."""
    secret, now = current_app.config["SECRET_KEY"], current_state().clock()
    return tickets.issue(secret, slug, wave, "link", now)


def _read_ticket(questionnaire: Questionnaire, form: PhoneForm) -> tickets.Ticket:
    config, now = current_app.config, current_state().clock()
    try:
        return tickets.read(
            config["SECRET_KEY"],
            form.ticket.data or "",
            questionnaire.topic,
            questionnaire.wave,
            config["YITI_TICKET_MAX_AGE"],
            now,
        )
    except tickets.TicketError as exc:
        abort(400, description=f"{exc}，请重新打开访问页面。")


def _interview(
    topic: Topic,
    questionnaire: Questionnaire,
    case_id: int,
    form: PhoneForm,
    error: str = "",
    status: int = 200,
) -> ResponseReturnValue:
    phone = questionnaire.phone
    script = phone.script.replace("{topic}", topic.title) if phone else ""
    unread = set(current_state().content.site.satisfaction.excluded)
    page = render_template(
        "fieldwork/calls/interview.html",
        topic=topic,
        questionnaire=questionnaire,
        case_id=case_id,
        form=form,
        script=script,
        consent_question=phone.consent if phone else "",
        unread=unread,
        error=error,
    )
    return page, status
