"""What one app instance holds: its content, its database and its clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import current_app

from generator.content.loader import Content
from generator.content.models import Questionnaire
from survey.residents.forms import SurveyForm, form_class
from survey.residents.pagecache import PageCache
from survey.storage.db import Database

EXTENSION = "yiti_survey"


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def clock_from(config: Mapping[str, Any]) -> Callable[[], datetime]:
    """The clock: `YITI_CLOCK` (tests), a fixed `YITI_NOW` (demos, benchmarks), or real time."""
    if config.get("YITI_CLOCK"):
        clock: Callable[[], datetime] = config["YITI_CLOCK"]
        return clock
    if config.get("YITI_NOW"):
        fixed = datetime.fromisoformat(str(config["YITI_NOW"]))
        if fixed.tzinfo is None:
            raise ValueError("YITI_NOW 必须带时区，例如 2026-11-27T12:00:00+08:00")
        return lambda: fixed
    return utc_now


@dataclass(frozen=True)
class AppState:
    """Loaded once in `create_app`; tests pass their own clock."""

    content: Content
    db: Database
    clock: Callable[[], datetime] = utc_now
    # Form classes by (topic, wave): built once, so their widgets' rendered options are reused.
    forms: dict[tuple[str, str], type[SurveyForm]] = field(default_factory=dict)
    # Blank questionnaire pages, rendered once (survey/residents/pagecache.py).
    pages: PageCache = field(default_factory=PageCache)
    # Questionnaires by (topic, wave): content merges and validates one on every look-up (~0.1 ms).
    questionnaires: dict[tuple[str, str], Questionnaire | None] = field(default_factory=dict)

    def questionnaire(self, topic: str, wave: str) -> Questionnaire | None:
        """What `topic` asks in `wave`, from content, merged once."""
        key = (topic, wave)
        if key not in self.questionnaires:
            self.questionnaires[key] = self.content.questionnaires.for_wave(topic, wave)
        return self.questionnaires[key]

    def form_for(self, questionnaire: Questionnaire) -> type[SurveyForm]:
        """The form class for `questionnaire`, built on first use."""
        key = (questionnaire.topic, questionnaire.wave)
        if key not in self.forms:
            self.forms[key] = form_class(questionnaire, self.content.directory)
        return self.forms[key]


def current_state() -> AppState:
    """The running app's state."""
    state: AppState = current_app.extensions[EXTENSION]
    return state
