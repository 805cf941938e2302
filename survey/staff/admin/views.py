"""Admin pages (blueprint `admin`, /staff/admin/…): waves, publishing, invitation codes.

Admins only: auditors and evaluators get 403, anonymous visitors the login page. Publishing
shows the figures that would go public and asks for confirmation; the act and its audit entry
commit together (survey.staff.admin.store).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from generator.content.models import Wave
from survey.abuse import source_key
from survey.staff.admin import invitations, store
from survey.staff.admin import waves as service
from survey.staff.admin.forms import ActForm, InvitationForm
from survey.staff.evaluators.store import log_views
from survey.staff.sessions import account, require_role, staff_context
from survey.state import current_state

admin = Blueprint("admin", __name__, url_prefix="/staff/admin")
admin.context_processor(staff_context)


def _actor() -> store.Actor:
    return store.Actor(account().email, current_state().clock(), source_key())


def _wave_or_404(wave_id: str) -> Wave:
    found = next((w for w in current_state().content.site.waves if w.id == wave_id), None)
    if found is None:
        abort(404)
    return found


@admin.get("/waves/")
@require_role("admin")
def waves() -> ResponseReturnValue:
    """Every wave: dates, state, responses, publication, and the invitation codes form."""
    return _waves_page(_invitation_form())


def _waves_page(form: InvitationForm, status: int = 200) -> ResponseReturnValue:
    state = current_state()
    return render_template(
        "admin/waves.html", rows=service.rows(state), form=form, act=ActForm()
    ), status


def _invitation_form() -> InvitationForm:
    form = InvitationForm()
    form.choose(*invitations.choices(current_state()))
    return form


@admin.get("/waves/<wave>/publish")
@require_role("admin")
def review(wave: str) -> ResponseReturnValue:
    """The figures publishing would make public, with the confirm button (results.view)."""
    return _review_page(_wave_or_404(wave))


def _review_page(found: Wave, problem: str = "", status: int = 200) -> ResponseReturnValue:
    state = current_state()
    shown = service.review(state, found)
    if shown.topics:
        detail = {"wave": found.id, "topics": [t.slug for t, _ in shown.topics], "page": "publish"}
        log_views(state.db, _actor(), ["results.view"], detail)
    return render_template(
        "admin/review.html", review=shown, problem=problem or shown.problem, act=ActForm()
    ), status


@admin.post("/waves/<wave>/publish")
@require_role("admin")
def publish(wave: str) -> ResponseReturnValue:
    """Publish a closed wave's aggregate results (audited as wave.publish)."""
    found = _wave_or_404(wave)
    if not ActForm().validate_on_submit():
        abort(400)
    problem = service.publish(current_state(), _actor(), found)
    if problem:
        return _review_page(found, problem, 409)
    return redirect(url_for(".waves", _anchor=f"wave-{found.id}"), 303)


@admin.post("/waves/<wave>/unpublish")
@require_role("admin")
def unpublish(wave: str) -> ResponseReturnValue:
    """Withdraw a wave's published results (audited as wave.unpublish)."""
    found = _wave_or_404(wave)
    if not ActForm().validate_on_submit():
        abort(400)
    store.unpublish(current_state().db, _actor(), found.id)  # already withdrawn: nothing to do
    return redirect(url_for(".waves", _anchor=f"wave-{found.id}"), 303)


@admin.post("/invitations")
@require_role("admin")
def invite() -> ResponseReturnValue:
    """Mint invitation codes; the CSV in this response is their only copy (invitations.create)."""
    form = _invitation_form()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _waves_page(form, 400)
    state = current_state()
    found = _wave_or_404(form.wave.data)
    problem = invitations.refusal(state, form.topic.data, found)
    if problem:
        form.topic.errors = [problem]
        return _waves_page(form, 400)
    issued = invitations.issue(state, _actor(), form.topic.data, found, form.count.data)
    headers = {
        "Content-Disposition": f'attachment; filename="{issued.filename}"',
        "Cache-Control": "no-store",
    }
    return Response(issued.body, mimetype="text/csv", headers=headers)
