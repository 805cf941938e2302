"""Download fixtures: responses as the collector stores them (Chinese text, comments a spreadsheet
would run, a flagged one, an excluded one) in two topics, and staff of every role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
from flask import Flask

from survey.analysis.frame import responses_frame
from survey.analysis.variables import Variable, prepare
from survey.residents.service import with_street_name
from survey.staff.evaluators.store import Actor, exclude
from survey.storage.repository import Submission, responses, save_response
from tests.survey.conftest import ANSWERS, NOW, TOPIC, WAVE, CheckingClient, add_staff, state_of

OTHER = "civil-dog-keeping"  # also surveyed in 2026-end
ADMIN, EVALUATOR, SCOPED, AUDITOR = (
    "admin@example.org",
    "eva@example.org",
    "scoped@example.org",  # sees TOPIC only
    "audit@example.org",
)
# Comments that are formulas to a spreadsheet (OWASP CSV injection), and ordinary Chinese text.
FORMULAS = ('=HYPERLINK("http://evil.example","点我")', "+1", "-1", "@SUM(A1:A9)")
CHINESE = "电动车充电桩终于装好了，谢谢！"
OTHER_MARK = "只有养犬议题才有的意见"
REASON = "同一来源一分钟内提交 40 份"


@dataclass(frozen=True)
class Seeded:
    """The stored responses of the two topics, and which ones were flagged or excluded."""

    flagged: str  # receipt
    excluded: str  # receipt


def store(app: Flask, topic: str, answers: dict[str, Any], flags: tuple[str, ...] = ()) -> str:
    """Save one response as the collector would; returns its receipt."""
    state = state_of(app)
    questionnaire = state.content.questionnaires.for_wave(topic, WAVE)
    assert questionnaire is not None
    stored = with_street_name(state.content, answers)
    submission = Submission(
        uuid.uuid4().hex, topic, WAVE, questionnaire.version, "web", stored, NOW, flags
    )
    return save_response(state.db, submission)


@pytest.fixture
def seeded(app: Flask) -> Seeded:
    """Six ebike-charging responses and one civil-dog-keeping response, staff of every role."""
    for email, role, topics in [
        (ADMIN, "admin", ()),
        (EVALUATOR, "evaluator", ()),
        (SCOPED, "evaluator", (TOPIC,)),
        (AUDITOR, "auditor", ()),
    ]:
        add_staff(app, email, role, topics)
    store(app, TOPIC, ANSWERS | {"comment": CHINESE})
    flagged = store(app, TOPIC, ANSWERS | {"comment": FORMULAS[0]}, ("too_fast", "honeypot"))
    others = [store(app, TOPIC, ANSWERS | {"comment": text}) for text in FORMULAS[1:]]
    plain = {k: v for k, v in ANSWERS.items() if k not in ("comment", "charging_distance")}
    store(app, TOPIC, plain | {"went_well": [], "satisfaction": "说不清"})
    store(app, OTHER, plain | {"comment": OTHER_MARK})
    excluded = others[0]
    db = state_of(app).db
    target = next(r for r in responses(db, TOPIC, WAVE) if r.receipt == excluded)
    assert exclude(db, Actor(ADMIN, NOW), TOPIC, WAVE, target.id, REASON)
    return Seeded(flagged, excluded)


def expected(app: Flask, topics: list[str], variables: tuple[Variable, ...]) -> pd.DataFrame:
    """The stored rows through the analysis path (json per row, pandas), declared columns."""
    db = state_of(app).db
    stored = [r for t in topics for r in responses(db, t, WAVE)]
    stored.sort(key=lambda r: r.id)
    names = ["id", "receipt", "topic", "wave", "version", "submitted_at", "channel", "mode"]
    names += ["interviewer", "started_at"]
    records = [
        {n: getattr(r, n) for n in [*names, "district", "street", "satisfaction", "answers"]}
        | {"flags": r.flags}
        for r in stored
    ]
    reasons = _reasons(app)
    frame = responses_frame(records, [r.id for r in stored if r.id in reasons])
    frame["flags"] = ["；".join(r.flags) or None for r in stored]
    frame["exclusion_reason"] = [reasons.get(r.id) for r in stored]
    return prepare(frame, variables).reset_index(drop=True)


def _reasons(app: Flask) -> dict[int, str]:
    from survey.storage.models import Exclusion

    with state_of(app).db.transaction() as session:
        return {e.response_id: e.reason for e in session.query(Exclusion)}


def logged_in(app: Flask, email: str) -> CheckingClient:
    """A checking client logged in as `email`."""
    from tests.survey.conftest import log_in

    client = CheckingClient(app.test_client())
    log_in(client, email)
    return client
