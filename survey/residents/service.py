"""What the respondent views ask for: find a survey, and turn a valid form into a stored response."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from generator.content.loader import Content
from generator.content.models import Questionnaire, Topic, Wave
from survey.abuse import stored_source
from survey.analysis.columns import STREET_NAME
from survey.residents.forms import SurveyForm
from survey.residents.tickets import Ticket
from survey.storage.db import Database
from survey.storage.repository import Submission, save_response
from survey.waves import is_open, next_wave, open_wave


@dataclass(frozen=True)
class Survey:
    """One topic's survey in one wave, and whether it takes answers at a given time."""

    topic: Topic
    wave: Wave
    questionnaire: Questionnaire | None
    accepting: bool
    upcoming: bool
    next_wave: Wave | None
    open_now: Wave | None  # the topic's wave taking answers now, which may be another one


# (topic, wave) → questionnaire; the app state's cached look-up, or content's own.
Lookup = Callable[[str, str], Questionnaire | None]


def find_survey(
    content: Content, slug: str, wave_id: str, now: datetime, lookup: Lookup | None = None
) -> Survey | None:
    """The survey at `/<slug>/<wave_id>/`, or None if the topic does not run that wave."""
    for_wave = lookup or content.questionnaires.for_wave
    topic = next((t for t in content.topics if t.slug == slug), None)
    if topic is None or wave_id not in topic.waves:
        return None
    wave = next((w for w in content.site.waves if w.id == wave_id), None)
    if wave is None:
        return None
    questionnaire = for_wave(slug, wave_id)
    accepting = questionnaire is not None and is_open(wave, now)
    later = next_wave(content.site, topic, now)
    current = open_wave(content.site, topic, now)
    if current is not None and for_wave(slug, current.id) is None:
        current = None
    return Survey(topic, wave, questionnaire, accepting, now < wave.opens, later, current)


def open_surveys(content: Content, now: datetime) -> list[tuple[Topic, Wave]]:
    """Every topic with a wave open at `now` and a questionnaire for it."""
    out = []
    for topic in content.topics:
        wave = open_wave(content.site, topic, now)
        if wave is not None and content.questionnaires.for_wave(topic.slug, wave.id):
            out.append((topic, wave))
    return out


def submit(
    db: Database,
    content: Content,
    survey: Survey,
    form: SurveyForm,
    ticket: Ticket,
    *,
    now: datetime,
    flags: tuple[str, ...],
) -> str:
    """Store the answers of a validated form; return the receipt (the same one if resent)."""
    assert survey.questionnaire is not None
    answers = with_street_name(content, form.answers())
    code = form["invitation"].data if "invitation" in form else None
    submission = Submission(
        submission_id=ticket.submission_id,
        topic=survey.topic.slug,
        wave=survey.wave.id,
        version=survey.questionnaire.version,
        channel=ticket.channel,
        answers=answers,
        submitted_at=now,
        flags=flags,
        source=stored_source(survey.wave.id),
        invitation=code,
    )
    return save_response(db, submission)


def with_street_name(content: Content, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers with the chosen 街乡镇's name beside its statistical code (which stays in
    `street`), so every export carries both, for real and sample answers alike."""
    code = answers.get("street")
    if not code:
        return answers
    name = next(s.name for s in content.directory.streets if s.code == code)
    return answers | {STREET_NAME: name}
