"""The supervisor's figures on a worked example, and the page that shows them.

Two interviewers in Beijing time on 2026-11-27:
  A: case 1 10:00–10:10 complete (interview 10 min), case 3 10:20–10:21 no answer,
     case 2 11:00–11:12 complete (12 min)          → 3 attempts, 2 completes, 1.2 h, 1.67/h
  B: case 4 14:00–14:03 complete (3 min, straight-lined), case 6 14:10–14:11 refusal
                                                      → 2 attempts, 1 complete, 0.18 h, 5.45/h
  case 5 released, never called (3.11). Quotas: 海淀区 3 (2 done), 朝阳区 1 (1 done: met).
Interview lengths 10, 12, 3: median 10 min, 40% of it 4 min, so B's 3-minute one is short.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import select

from survey.fieldwork.interview import pseudonym
from survey.fieldwork.supervision import InterviewerRow, QuotaRow, supervise
from survey.fieldwork.tables import Call
from survey.storage.models import User
from survey.storage.repository import Submission, save_response
from tests.survey.conftest import ANSWERS, state_of
from tests.survey.fieldwork.conftest import TOPIC, WAVE, Field, staff_client

SECRET = "test-secret"
STRAIGHT = {"change": "明显改善", "solved": "已解决", "satisfaction": "非常满意"}  # first options


def at(hour: int, minute: int) -> datetime:
    """2026-11-27 at hour:minute Beijing time, in UTC."""
    return datetime(2026, 11, 27, hour - 8, minute, tzinfo=UTC)


def worked_example(app: Flask) -> None:
    db = state_of(app).db
    field = Field(db)
    field.quota("海淀区", 3)
    field.quota("朝阳区", 1)
    c1, c2, c3 = field.cases(3, district="海淀区")
    c4, c5, c6 = field.cases(3, district="朝阳区")
    staff_client(app, "a@example.org")
    staff_client(app, "b@example.org")
    a, b = _id(app, "a@example.org"), _id(app, "b@example.org")
    calls = [
        (c1, a, at(10, 0), at(10, 10), "1.1"),
        (c3, a, at(10, 20), at(10, 21), "3.13"),
        (c2, a, at(11, 0), at(11, 12), "1.1"),
        (c4, b, at(14, 0), at(14, 3), "1.1"),
        (c6, b, at(14, 10), at(14, 11), "2.11"),
    ]
    with db.transaction() as session:
        session.add_all(
            Call(case_id=c, interviewer_id=w, started_at=s, ended_at=e, code=code, note="")
            for c, w, s, e, code in calls
        )
    for case_id, code in [(c1, "1.1"), (c2, "1.1"), (c4, "1.1"), (c6, "2.11")]:
        _close(field, case_id, code)
    with db.transaction() as session:
        from survey.fieldwork.tables import Case

        found = session.get(Case, c3)
        assert found is not None
        found.last_code, found.attempts = "3.13", 1
    assert c5
    for who, start, end, answers in [
        (a, at(10, 0), at(10, 10), ANSWERS),
        (a, at(11, 0), at(11, 12), ANSWERS),
        (b, at(14, 0), at(14, 3), ANSWERS | STRAIGHT | {"district": "朝阳区", "street": None}),
    ]:
        _interview(app, who, start, end, answers)


def _close(field: Field, case_id: int, code: str) -> None:
    from survey.fieldwork.tables import Case

    with field.db.transaction() as session:
        found = session.get(Case, case_id)
        assert found is not None
        found.status, found.final_code, found.last_code, found.attempts = "final", code, code, 1


def _interview(app: Flask, who: int, start: datetime, end: datetime, answers: dict) -> None:  # type: ignore[type-arg]
    questionnaire = state_of(app).content.questionnaires.for_wave(TOPIC, WAVE)
    assert questionnaire is not None
    save_response(
        state_of(app).db,
        Submission(
            uuid.uuid4().hex,
            TOPIC,
            WAVE,
            questionnaire.version,
            "phone",
            answers,
            end,
            mode="phone",
            interviewer=pseudonym(SECRET, who),
            started_at=start,
        ),
    )


def _id(app: Flask, email: str) -> int:
    with state_of(app).db.transaction() as session:
        return int(session.scalar(select(User.id).where(User.email == email)) or 0)


def test_the_worked_example_gives_quotas_codes_interviewers_and_flags(fw_app: Flask) -> None:
    worked_example(fw_app)
    state = state_of(fw_app)
    questionnaire = state.content.questionnaires.for_wave(TOPIC, WAVE)
    assert questionnaire is not None
    figures = supervise(state.db, questionnaire, state.content.site.satisfaction, SECRET)
    assert figures.quotas == [
        QuotaRow("朝阳区", "1", 1, met=True),
        QuotaRow("海淀区", "3", 2, met=False),
    ]
    assert figures.codes == [
        ("1.1", "完成访问", 3),
        ("2.11", "拒绝访问", 1),
        ("3.13", "无人接听", 1),
        ("3.11", "已发放、未拨打", 1),
    ]
    assert figures.interviewers == [
        InterviewerRow("a@example.org", 3, 2, "1.2", "1.7", "11.0 分钟"),
        InterviewerRow("b@example.org", 2, 1, "0.2", "—", "3.0 分钟"),  # too short to rate
    ]
    assert (figures.median_minutes, figures.short_limit) == ("10.0 分钟", "4.0 分钟")
    assert [(f.interviewer, f.minutes) for f in figures.short] == [("b@example.org", "3.0 分钟")]
    assert [f.interviewer for f in figures.straight] == ["b@example.org"]
    assert [(e.interviewer, e.p_adjusted) for e in figures.effects] == [
        ("a@example.org", "未检验"),  # everyone satisfied: nothing to test
        ("b@example.org", "未检验"),
    ]


def test_the_supervisor_page_shows_the_figures_and_no_phone(fw_app: Flask) -> None:
    worked_example(fw_app)
    client = staff_client(fw_app, "boss@example.org", "supervisor")
    index = client.get("/staff/fieldwork/")
    assert "电动自行车充电设置建设" in index.text()
    page = client.get(f"/staff/fieldwork/{WAVE}/{TOPIC}/")
    text = page.text()
    assert "已满，停止发放" in text and "b@example.org" in text and "1.7" in text
    assert "双比例 z 检验" in text and "Holm" in text
    assert "1990000" not in text.replace(" ", "")  # no phone of the fake block
    client.get(f"/staff/calls/{WAVE}/{TOPIC}/", status=403)


def test_an_interviewer_may_not_open_the_supervisor_page(fw_app: Flask) -> None:
    client = staff_client(fw_app, "caller@example.org")
    client.get(f"/staff/fieldwork/{WAVE}/{TOPIC}/", status=403)


def test_a_wave_or_topic_without_fieldwork_is_404_not_a_server_error(fw_app: Flask) -> None:
    client = staff_client(fw_app, "boss@example.org", "supervisor")
    elsewhere = [(f"{WAVE}%00", TOPIC), ("2024-end", TOPIC), (WAVE, "no-such-topic")]
    for wave, slug in [*elsewhere, (WAVE, "%00"), (WAVE, "%E2%80%AE"), (WAVE, "x" * 300)]:
        client.get(f"/staff/fieldwork/{wave}/{slug}/", status=404)
