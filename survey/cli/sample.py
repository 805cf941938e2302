"""Synthetic sample responses, so a newcomer's `make run` has results to read and download.

They are stored like real answers but with the channel `sample`, which nothing else uses, so
they can always be told apart (and an evaluator sees the channel in every download). Refused
in production. Answers are drawn per question from the questionnaire itself: district by
census population, a street of that district, satisfaction skewed as published waves were
(about 90% satisfied) with a small per-district effect, so breakdowns and suppression show.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import numpy as np

from generator.content.loader import Content
from generator.content.models import Questionnaire, Wave
from generator.content.models.questionnaire import Question
from survey.codes import RECEIPT_LENGTH, mint
from survey.residents.service import with_street_name
from survey.storage.db import Database
from survey.storage.models import Response
from survey.storage.repository import Submission

CHANNEL: Final = "sample"
SATISFACTION: Final = (0.36, 0.34, 0.18, 0.06, 0.02, 0.04)  # 非常满意 … 说不清
COMMENTS: Final = (
    "小区新装了充电桩，晚上充电方便多了，希望再多几个。",
    "充电桩经常被占着，建议加强管理。",
    "楼道里不让停车以后安全多了。",
    "希望收费再透明一些，说明每度电多少钱。",
    "反映的问题很快就有人回电话，处理及时。",
    "离家最近的充电点还是太远，老人用不方便。",
)
COMMENT_SHARE: Final = 0.25


def sample_targets(content: Content, now: datetime) -> list[Questionnaire]:
    """Each topic's questionnaire for every wave that has opened by `now`."""
    opened = {wave.id for wave in content.site.waves if wave.opens <= now}
    found = (
        content.questionnaires.for_wave(topic.slug, wave)
        for topic in content.topics
        for wave in topic.waves
        if wave in opened
    )
    return [questionnaire for questionnaire in found if questionnaire is not None]


def sample_responses(
    content: Content, questionnaire: Questionnaire, count: int, now: datetime, seed: int = 2026
) -> Iterator[Response]:
    """`count` synthetic responses to `questionnaire`, submitted within its wave up to `now`."""
    rng = np.random.default_rng(seed)
    wave = next(w for w in content.site.waves if w.id == questionnaire.wave)
    districts = content.directory.districts
    population = np.array([d.population_2020 for d in districts], dtype=float)
    effects = rng.normal(0.0, 0.6, size=len(districts))  # some districts do better than others
    for _ in range(count):
        at = int(rng.choice(len(districts), p=population / population.sum()))
        answers = {
            q.id: _answer(rng, q, content, districts[at].name, float(effects[at]))
            for q in questionnaire.questions
        }
        yield _response(questionnaire, with_street_name(content, answers), _moment(rng, wave, now))


def _answer(
    rng: np.random.Generator, question: Question, content: Content, district: str, effect: float
) -> Any:
    if question.kind == "district":
        return district
    if question.kind == "street":
        streets = [s.code for s in content.directory.streets if s.district == district]
        return str(rng.choice(streets)) if streets else None
    if question.kind == "comment":
        return str(rng.choice(COMMENTS)) if rng.random() < COMMENT_SHARE else None
    if question.kind == "multiple":
        return [option for option in question.options if rng.random() < 0.3]
    return str(rng.choice(question.options, p=_weights(question, effect)))


def _weights(question: Question, effect: float) -> np.ndarray:
    """Earlier options more likely; the satisfaction scale shifted by the district's effect."""
    if question.id == "satisfaction" and len(question.options) == len(SATISFACTION):
        base = np.log(np.array(SATISFACTION))
        base[:3] += effect  # the satisfied levels together move with the district
    else:
        base = -0.7 * np.arange(len(question.options), dtype=float)
    weights = np.exp(base)
    return np.asarray(weights / weights.sum())


def _moment(rng: np.random.Generator, wave: Wave, now: datetime) -> datetime:
    """A time inside the wave and not after `now`, in UTC like real submissions.

    The calendar's times carry +08:00; SQLite keeps the wall time and reads it back as UTC, so
    a Beijing time stored as is came back eight hours late, after now.
    """
    end = min(wave.closes, now)
    span = max((end - wave.opens).total_seconds(), 0.0)
    return (wave.opens + timedelta(seconds=float(rng.uniform(0, span)))).astimezone(UTC)


def _response(questionnaire: Questionnaire, answers: dict[str, Any], at: datetime) -> Response:
    submission = Submission(
        submission_id=secrets.token_hex(16),
        topic=questionnaire.topic,
        wave=questionnaire.wave,
        version=questionnaire.version,
        channel=CHANNEL,
        answers=answers,
        submitted_at=at,
    )
    return Response(
        submission_id=submission.submission_id,
        receipt=mint(RECEIPT_LENGTH),
        topic=submission.topic,
        wave=submission.wave,
        version=submission.version,
        submitted_at=at,
        channel=CHANNEL,
        district=answers["district"],
        street=answers.get("street"),
        satisfaction=answers["satisfaction"],
        answers=answers,
        digest=submission.digest(),
        flags=[],
        source="",
    )


def store_sample(db: Database, responses: Iterator[Response], batch: int = 2000) -> int:
    """Insert `responses` in batches (one transaction each); return how many were stored."""
    stored = 0
    pending: list[Response] = []
    for response in responses:
        pending.append(response)
        if len(pending) == batch:
            stored += _insert(db, pending)
            pending = []
    return stored + (_insert(db, pending) if pending else 0)


def _insert(db: Database, rows: list[Response]) -> int:
    with db.transaction() as session:
        session.add_all(rows)
    return len(rows)
