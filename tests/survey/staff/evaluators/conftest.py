"""Evaluator page fixtures: responses seeded as the collector stores them, and logged-in staff."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask

from survey.storage.repository import Submission, responses, save_response
from tests.survey.conftest import (
    NOW,
    TOPIC,
    WAVE,
    CheckingClient,
    Page,
    add_staff,
    log_in,
    state_of,
)

OTHER_TOPIC = "civil-dog-keeping"  # also runs in 2026-end
EVALUATOR = "eva@example.org"
SCOPED = "scoped@example.org"  # sees OTHER_TOPIC only


@dataclass(frozen=True)
class Answer:
    """One response to seed: the answers the figures read, and how it was flagged."""

    satisfaction: str
    district: str = "海淀区"
    solved: str = "不适用"
    awareness: str = "不知道"
    went_well: tuple[str, ...] = ()
    went_badly: tuple[str, ...] = ()
    comment: str | None = None
    flags: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def seed(app: Flask, answers: Iterable[Answer], topic: str = TOPIC, wave: str = WAVE) -> list[int]:
    """Store `answers` through the repository, a minute apart; return their ids, oldest first."""
    db = state_of(app).db
    before = {r.id for r in responses(db, topic, wave)}
    for i, a in enumerate(answers):
        body = {
            "satisfaction": a.satisfaction,
            "district": a.district,
            "street": None,
            "solved": a.solved,
            "awareness": a.awareness,
            "went_well": list(a.went_well),
            "went_badly": list(a.went_badly),
            "comment": a.comment,
            **a.extra,
        }
        submission = Submission(
            submission_id=uuid.uuid4().hex,
            topic=topic,
            wave=wave,
            version="standard-1",
            channel="link",
            answers=body,
            submitted_at=NOW - timedelta(days=1) + timedelta(minutes=i),
            flags=a.flags,
        )
        save_response(db, submission)
    return [r.id for r in responses(db, topic, wave) if r.id not in before]


def many(count: int, satisfaction: str, **fields: Any) -> list[Answer]:
    """`count` identical answers."""
    return [Answer(satisfaction, **fields) for _ in range(count)]


def evaluator(app: Flask, client: CheckingClient, email: str = EVALUATOR, **kw: Any) -> None:
    """An evaluator (every topic unless `topics`) logged in on `client`."""
    add_staff(app, email, kw.get("role", "evaluator"), tuple(kw.get("topics", ())))
    log_in(client, email)


def literal_set() -> list[Answer]:
    """Forty responses whose figures are worked out by hand in the tests.

    满意率 32/38 (two 说不清), top box 10/38, mean (10·100 + 14·75 + 8·50 + 4·25 + 2·0)/38,
    解决率 20/35 (five 不适用), 知晓率 30/40; three flagged too fast; 海淀区 32, 朝阳区 8.
    """
    satisfaction = (
        ["非常满意"] * 10 + ["满意"] * 14 + ["基本满意"] * 8
        + ["不满意"] * 4 + ["非常不满意"] * 2 + ["说不清"] * 2
    )  # fmt: skip
    solved = ["已解决"] * 20 + ["部分解决"] * 10 + ["未解决"] * 5 + ["不适用"] * 5
    awareness = ["知道，并了解具体措施"] * 10 + ["听说过"] * 20 + ["不知道"] * 10
    district = ["海淀区"] * 32 + ["朝阳区"] * 8
    return [
        Answer(s, district=d, solved=v, awareness=a, flags=("too_fast",) if i < 3 else ())
        for i, (s, v, a, d) in enumerate(
            zip(satisfaction, solved, awareness, district, strict=True)
        )
    ]


def text_at(page: Page, selector: str) -> str:
    """The text of the first element matching the CSS `selector`; the test fails if none."""
    found = page.soup.select_one(selector)
    assert found is not None, f"nothing matches {selector}"
    return found.get_text()
