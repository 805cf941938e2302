"""The supervisor's pages (blueprint `supervisors`, /staff/fieldwork/…): the fieldwork waves of
the account's topics, and per wave the quotas, dispositions, interviewers and quality flags.

Supervisors only (other roles 403); topics outside the account's scope are 404. No page here
reads a phone: the figures come from dispositions, calls and the stored interviews.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from flask import Blueprint, abort, current_app, render_template
from flask.typing import ResponseReturnValue

from survey.fieldwork.queue import STALE_HOLD_MINUTES
from survey.fieldwork.scope import fieldwork_waves, settings_of
from survey.lazy import lazy
from survey.staff.sessions import require_role, require_topic, staff_context
from survey.state import current_state

if TYPE_CHECKING:
    from survey.fieldwork import quality, supervision
else:  # pandas and statsmodels load at a worker's first supervisor page, not at start (issue 17)
    quality = lazy("survey.fieldwork.quality")
    supervision = lazy("survey.fieldwork.supervision")

supervisors = Blueprint("supervisors", __name__, url_prefix="/staff/fieldwork")
supervisors.context_processor(staff_context)
SUPERVISOR: Final = ("supervisor",)


@supervisors.get("/")
@require_role(*SUPERVISOR)
def index() -> ResponseReturnValue:
    """The fieldwork waves of the account's topics."""
    return render_template("fieldwork/supervision/index.html", waves=fieldwork_waves())


@supervisors.get("/<wave>/<slug>/")
@require_role(*SUPERVISOR)
def wave_page(wave: str, slug: str) -> ResponseReturnValue:
    """One topic's fieldwork: quotas, dispositions, interviewers, quality flags."""
    require_topic(slug)
    state = current_state()
    topic = next((t for t in state.content.topics if t.slug == slug), None)
    # Content first: a questionnaire is not made for an unknown topic's slug (it would fail
    # validation), nor the database asked about one (PostgreSQL refuses a NUL).
    if topic is None or wave not in topic.waves:
        abort(404)
    questionnaire = state.questionnaire(slug, wave)
    settings = settings_of(slug, wave)
    if questionnaire is None or settings is None:
        abort(404)
    figures = supervision.supervise(
        state.db, questionnaire, state.content.site.satisfaction, current_app.config["SECRET_KEY"]
    )
    return render_template(
        "fieldwork/supervision/wave.html",
        topic=topic,
        settings=settings,
        figures=figures,
        short_share=f"{quality.SHORT_SHARE:.0%}",
        scale_min=quality.SCALE_MIN_OPTIONS,
        alpha=quality.ALPHA,
        stale_minutes=STALE_HOLD_MINUTES,
    )
