"""The interviewer's path through the pages: log in, next case, outcome or interview, saved."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from survey.fieldwork.hours import local
from survey.fieldwork.interview import pseudonym
from survey.storage.audit import all_entries
from survey.storage.models import Response
from survey.storage.repository import responses
from tests.survey.conftest import (
    ANSWERS,
    CheckingClient,
    Page,
    state_of,
)
from tests.survey.fieldwork.conftest import TOPIC, WAVE, Field, phone_of, staff_client

START = f"/staff/calls/{WAVE}/{TOPIC}/"


def interviewer(app: Flask, email: str = "caller@example.org") -> CheckingClient:
    return staff_client(app, email, "interviewer")


def take_case(client: CheckingClient) -> tuple[str, Page]:
    start = client.get(START)
    body = {"csrf_token": start.hidden("csrf_token")}
    location = client.post(f"{START}next", body).response.headers["Location"]
    return location, client.get(location)


def test_an_interviewer_takes_a_case_sees_its_phone_and_records_no_answer(fw_app: Flask) -> None:
    (case_id,) = Field(state_of(fw_app).db).cases(1)
    client = interviewer(fw_app)
    home = client.get("/staff/login/", follow_redirects=True)
    assert "电话访问" in home.text()
    url, case = take_case(client)
    assert url.endswith(f"/cases/{case_id}/")
    assert "199 0000 0000" in case.text()  # phone_of(0), shown to its holder
    body = {"csrf_token": case.hidden("csrf_token"), "code": "3.13", "note": "无人接"}
    saved = client.post(f"{url}outcome", body)
    assert saved.response.headers["Location"].endswith("?saved=outcome")
    assert "拨打结果已记录" in client.get(f"{START}?saved=outcome").text()
    assert client.get(url, status=404)  # released: no longer theirs
    entries = all_entries(state_of(fw_app).db)
    actions = [e.action for e in entries]
    assert actions.count("case.open") == 1 and "case.outcome" in actions
    assert all(e.source for e in entries if e.action.startswith("case."))  # the address, hashed
    assert phone_of(0)[3:] not in repr([e.detail for e in all_entries(state_of(fw_app).db)])


def test_a_completed_interview_is_an_ordinary_phone_response_without_the_case(
    fw_app: Flask,
) -> None:
    field = Field(state_of(fw_app).db)
    (case_id,) = field.cases(1)
    client = interviewer(fw_app)
    url, _ = take_case(client)
    form = client.get(f"{url}interview")
    assert "（不读出）" in form.text()
    assert "电动自行车充电设置建设" in form.tag("section", **{"class": "script"}).get_text()
    body = _answers(form, consent="同意，开始访问")
    done = client.post(f"{url}interview", body)
    assert done.response.headers["Location"].endswith("?saved=interview")
    again = client.post(f"{url}interview", body)  # a resend: stored once, told "saved" again
    assert again.response.headers["Location"].endswith("?saved=interview")
    assert "访问已完成并保存" in client.get(f"{START}?saved=interview").text()
    (stored,) = responses(state_of(fw_app).db, TOPIC, WAVE)
    user_id = _user_id(fw_app, "caller@example.org")
    assert (stored.mode, stored.channel) == ("phone", "phone")
    assert stored.interviewer == pseudonym("test-secret", user_id)
    assert stored.started_at is not None and stored.answers["satisfaction"] == "满意"
    row = _row(fw_app, stored.id)
    assert not {"case_id", "contact_id", "phone"} & set(row)
    assert "'c0'" not in repr(row) and "199000" not in repr(row)  # contact id, phone
    case = field.case(case_id)
    assert (case.status, case.final_code) == ("final", "1.1")


def test_an_interview_resent_with_changed_answers_says_they_were_not_saved(
    fw_app: Flask,
) -> None:
    Field(state_of(fw_app).db).cases(1)
    client = interviewer(fw_app)
    url, _ = take_case(client)
    body = _answers(client.get(f"{url}interview"), consent="同意，开始访问")
    client.post(f"{url}interview", body)
    changed = client.post(f"{url}interview", body | {"satisfaction": "不满意"}, status=409)
    assert "这次的答案与上次不同" in changed.text() and "本次提交没有保存" in changed.text()
    (stored,) = responses(state_of(fw_app).db, TOPIC, WAVE)
    assert stored.answers["satisfaction"] == "满意"  # the first answers stand


def test_an_answer_or_outcome_sent_twice_is_refused_naming_the_question(fw_app: Flask) -> None:
    field = Field(state_of(fw_app).db)
    (case_id,) = field.cases(1)
    client = interviewer(fw_app)
    url, case = take_case(client)
    body = _answers(client.get(f"{url}interview"), consent="同意，开始访问")
    twice = MultiDict([*((k, v) for k, v in body.items() if k != "went_well"), *_TWICE])
    page = client.post(f"{url}interview", twice, status=400)
    assert "答案重复提交了" in page.text() and "哪些方面做得好" in page.text()
    both = MultiDict(
        [("csrf_token", case.hidden("csrf_token")), ("code", "3.13"), ("code", "2.11")]
    )
    page = client.post(f"{url}outcome", both, status=400)
    assert "答案重复提交了：本次拨打结果" in page.text()
    assert responses(state_of(fw_app).db, TOPIC, WAVE) == []
    assert (field.case(case_id).status, field.case(case_id).attempts) == ("held", 0)


_TWICE = [("went_well", "反馈及时"), ("went_well", "反馈及时")]  # one checkbox value twice


def test_consent_refused_records_a_refusal_and_stores_no_answers(fw_app: Flask) -> None:
    field = Field(state_of(fw_app).db)
    (case_id,) = field.cases(1)
    client = interviewer(fw_app)
    url, _ = take_case(client)
    form = client.get(f"{url}interview")
    body = {"csrf_token": form.hidden("csrf_token"), "ticket": form.hidden("ticket")}
    done = client.post(f"{url}interview", body | {"consent": "不同意（记为拒绝访问 2.11）"})
    assert done.response.headers["Location"].endswith("?saved=refusal")
    assert responses(state_of(fw_app).db, TOPIC, WAVE) == []
    assert (field.case(case_id).final_code, field.case(case_id).attempts) == ("2.11", 1)


def test_a_missing_answer_keeps_the_case_and_says_which_question(fw_app: Flask) -> None:
    field = Field(state_of(fw_app).db)
    (case_id,) = field.cases(1)
    client = interviewer(fw_app)
    url, _ = take_case(client)
    form = client.get(f"{url}interview")
    body = _answers(form, consent="同意，开始访问")
    del body["satisfaction"]
    page = client.post(f"{url}interview", body, status=400)
    assert "总体来说，您对本议题的治理工作是否满意？" in page.text()
    assert field.case(case_id).status == "held"


def test_another_interviewer_gets_404_for_a_case_they_do_not_hold(fw_app: Flask) -> None:
    Field(state_of(fw_app).db).cases(1)
    url, _ = take_case(interviewer(fw_app))
    other = interviewer(fw_app, "other@example.org")
    other.get(url, status=404)
    other.get(f"{url}interview", status=404)


def test_a_held_case_is_not_found_under_another_topics_or_waves_address(fw_app: Flask) -> None:
    field = Field(state_of(fw_app).db)
    (case_id,) = field.cases(1)
    client = interviewer(fw_app)
    url, case = take_case(client)
    for elsewhere in (f"/staff/calls/{WAVE}/civil-dog-keeping/", f"/staff/calls/2024-end/{TOPIC}/"):
        other = f"{elsewhere}cases/{case_id}/"
        client.get(other, status=404)
        client.get(f"{other}interview", status=404)
        body = {"csrf_token": case.hidden("csrf_token"), "code": "3.13"}
        client.post(f"{other}outcome", body, status=404)
    stored = field.case(case_id)
    assert (stored.status, stored.attempts) == ("held", 0)
    client.get(url)  # still theirs at its own address


def test_a_case_id_beyond_any_row_is_not_found(fw_app: Flask) -> None:
    client = interviewer(fw_app)
    for huge in (2**31, 10**20):
        client.get(f"{START}cases/{huge}/", status=404)
        client.get(f"{START}cases/{huge}/interview", status=404)


def _answers(form: Page, **extra: Any) -> dict[str, Any]:
    return (
        {"csrf_token": form.hidden("csrf_token"), "ticket": form.hidden("ticket")} | ANSWERS | extra
    )


def _user_id(app: Flask, email: str) -> int:
    from survey.storage.models import User

    with state_of(app).db.transaction() as session:
        return int(session.scalar(select(User.id).where(User.email == email)) or 0)


def _row(app: Flask, response_id: int) -> dict[str, Any]:
    with state_of(app).db.transaction() as session:
        row = session.get(Response, response_id)
        assert row is not None
        return {c.name: getattr(row, c.name) for c in Response.__table__.columns}


def test_a_callback_without_a_valid_time_is_refused_on_the_case_page(fw_app: Flask) -> None:
    field = Field(state_of(fw_app).db)
    (case_id,) = field.cases(1)
    client = interviewer(fw_app)
    url, case = take_case(client)
    body = {"csrf_token": case.hidden("csrf_token"), "code": "2.21"}
    page = client.post(f"{url}outcome", body, status=400)
    assert "约定回访时请填写回访时间" in page.text()
    page = client.post(f"{url}outcome", body | {"callback_at": "明天下午"}, status=400)
    assert "请按“2026-11-27 16:30”的格式填写日期和时间" in page.errors()["callback_at"]
    for far in ("0001-01-01T00:00", "9999-12-31T10:00"):  # year 1: a 500 converting to UTC
        page = client.post(f"{url}outcome", body | {"callback_at": far}, status=400)
        assert page.errors()["callback_at"] == "请填写 2000 年到 2099 年之间的日期和时间"
    later = body | {"callback_at": "2026-11-27T16:30"}  # Beijing time, typed by the interviewer
    client.post(f"{url}outcome", later)
    stored = field.case(case_id)
    assert stored.next_call_at is not None
    assert local(stored.next_call_at).strftime("%H:%M") == "16:30"
