"""Drawing and releasing on the database: open fieldwork only, once, seed kept, quotas set."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from generator.content.loader import Content
from survey.fieldwork.bulk import insert_cases
from survey.fieldwork.draw import Plan, draw_sample, frame_counts, release
from survey.fieldwork.settings import FieldworkError, close_fieldwork, open_fieldwork
from survey.fieldwork.tables import Case, FieldworkWave, Quota
from survey.storage.audit import entries
from survey.storage.db import Database
from tests.survey.fieldwork.conftest import AT, TOPIC, WAVE

ACTOR = "cli:test"
SHARES = {"东城区": 60, "西城区": 30, "朝阳区": 10}


@pytest.fixture
def frame(db: Database) -> Database:
    """100 contacts in three districts (tokens stand in for ciphertext)."""
    rows = [(district, i) for district, n in SHARES.items() for i in range(n)]
    table = pd.DataFrame(
        {
            "topic": TOPIC,
            "wave": WAVE,
            "contact_id": [f"{d}-{i:03d}" for d, i in rows],
            "phone_token": [f"token-{d}-{i}" for d, i in rows],
            "phone_key": [f"key-{d}-{i}" for d, i in rows],
            "district": [d for d, _ in rows],
            "street": None,
            "attributes": "{}",
            "sample": False,
            "batch": "b",
            "status": "frame",
            "attempts": 0,
        }
    )
    with db.transaction() as session:
        insert_cases(session.connection(), table)
    return db


def districts(content: Content) -> tuple[str, ...]:
    return tuple(d.name for d in content.directory.districts)


def drawn(db: Database) -> dict[str, int]:
    with db.transaction() as session:
        found = session.execute(
            select(Case.contact_id, Case.replicate).where(Case.status != "frame")
        )
        return {str(c): int(r or 0) for c, r in found}


def test_drawing_needs_open_fieldwork(frame: Database, content: Content) -> None:
    with pytest.raises(FieldworkError, match="尚未开始"):
        draw_sample(frame, TOPIC, WAVE, districts(content), Plan(10, None, None, 1, 1), (AT, ACTOR))
    open_fieldwork(frame, TOPIC, WAVE, "09:00-21:00", 6, AT, ACTOR)
    close_fieldwork(frame, TOPIC, WAVE, AT, ACTOR)
    with pytest.raises(FieldworkError, match="已结束"):
        draw_sample(frame, TOPIC, WAVE, districts(content), Plan(10, None, None, 1, 1), (AT, ACTOR))


def test_a_proportional_draw_is_stored_with_its_seed_quotas_and_audit(
    frame: Database, content: Content
) -> None:
    open_fieldwork(frame, TOPIC, WAVE, "09:00-21:00", 6, AT, ACTOR)
    plan = Plan(20, None, 10, 2, seed=42)
    result = draw_sample(frame, TOPIC, WAVE, districts(content), plan, (AT, ACTOR))
    assert {d: n for d, n in result.sizes.items() if n} == {"东城区": 12, "西城区": 6, "朝阳区": 2}
    assert sorted(drawn(frame).values()).count(1) == 10
    with frame.transaction() as session:
        assert session.get(FieldworkWave, (TOPIC, WAVE)).seed == 42  # type: ignore[union-attr]
        quotas = {q.district: q.target for q in session.scalars(select(Quota))}
    assert quotas == {"东城区": 6, "西城区": 3, "朝阳区": 1}
    entry = entries(frame, limit=1)[0]
    assert entry.action == "fieldwork.draw" and entry.detail["seed"] == 42
    assert entry.detail["sizes"] == {"东城区": 12, "西城区": 6, "朝阳区": 2}
    assert frame_counts(frame, TOPIC, WAVE, districts(content)).sum() == 80


def test_a_second_draw_is_refused_unless_redrawn_and_the_seed_reproduces_it(
    frame: Database, content: Content
) -> None:
    open_fieldwork(frame, TOPIC, WAVE, "09:00-21:00", 6, AT, ACTOR)
    places = districts(content)
    draw_sample(frame, TOPIC, WAVE, places, Plan(20, None, None, 2, seed=7), (AT, ACTOR))
    first = drawn(frame)
    with pytest.raises(FieldworkError, match="--redraw"):
        draw_sample(frame, TOPIC, WAVE, places, Plan(20, None, None, 2, seed=7), (AT, ACTOR))
    draw_sample(frame, TOPIC, WAVE, places, Plan(20, None, None, 2, 8, redraw=True), (AT, ACTOR))
    assert drawn(frame) != first and len(drawn(frame)) == 20
    draw_sample(frame, TOPIC, WAVE, places, Plan(20, None, None, 2, 7, redraw=True), (AT, ACTOR))
    assert drawn(frame) == first


def test_release_makes_one_replicate_callable_and_then_no_redraw(
    frame: Database, content: Content
) -> None:
    open_fieldwork(frame, TOPIC, WAVE, "09:00-21:00", 6, AT, ACTOR)
    places = districts(content)
    draw_sample(frame, TOPIC, WAVE, places, Plan(20, None, None, 2, seed=3), (AT, ACTOR))
    later = AT + timedelta(hours=1)
    assert release(frame, TOPIC, WAVE, None, (later, ACTOR))[0] == 1
    with frame.transaction() as session:
        released = list(session.scalars(select(Case).where(Case.status == "released")))
    assert len(released) == 10 and {c.replicate for c in released} == {1}
    assert {c.next_call_at.replace(tzinfo=later.tzinfo) for c in released} == {later}  # type: ignore[union-attr]
    with pytest.raises(FieldworkError, match="第 1 组不存在或已发放"):
        release(frame, TOPIC, WAVE, 1, (later, ACTOR))
    assert release(frame, TOPIC, WAVE, None, (later, ACTOR))[0] == 2
    with pytest.raises(FieldworkError, match="没有待发放的样本组"):
        release(frame, TOPIC, WAVE, None, (later, ACTOR))
    with pytest.raises(FieldworkError, match="已发放，不能重新抽样"):
        draw_sample(
            frame, TOPIC, WAVE, places, Plan(20, None, None, 2, 3, redraw=True), (AT, ACTOR)
        )
    assert entries(frame, limit=1)[0].detail["replicate"] == 2
