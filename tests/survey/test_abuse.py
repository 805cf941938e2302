"""Abuse defences: CSRF, honeypot, fill time, unknown fields, rate limits, invitation codes."""

from __future__ import annotations

import io
import socket
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from survey.abuse import LocalCounts, limiter, storage_uri
from survey.storage.repository import count_responses, create_invitations, responses
from tests.conftest import require
from tests.survey.conftest import (
    ANSWERS,
    INVITED_TOPIC,
    URL,
    WAVE,
    CheckingClient,
    Clock,
    Page,
    make_app,
    state_of,
)
from tests.survey.storage.test_repository import run_in_threads

INVITED_URL = f"/{INVITED_TOPIC}/{WAVE}/"
REDIS = "redis://127.0.0.1:6379"


def sqlite_app(tmp_path: Path, clock: Clock, **overrides: object) -> Flask:
    """A SQLite app with some settings changed."""
    return make_app(f"sqlite:///{tmp_path / 'abuse.sqlite3'}", tmp_path, clock, **overrides)


def test_a_post_without_csrf_token_is_a_readable_400(page_client: CheckingClient) -> None:
    body = page_client.form()
    del body["csrf_token"]
    page = page_client.post(URL, body, status=400)
    assert "安全校验已失效" in page.text()


def test_a_forged_or_foreign_ticket_is_refused(page_client: CheckingClient) -> None:
    page = page_client.post(URL, page_client.form(ticket="forged"), status=400)
    assert "校验信息无效" in page.text()
    foreign = page_client.form(INVITED_URL)["ticket"]
    page = page_client.post(URL, page_client.form(ticket=foreign), status=400)
    assert "属于另一个调查" in page.text()


def test_unknown_fields_are_rejected(page_client: CheckingClient) -> None:
    page = page_client.post(URL, page_client.form(admin="1"), status=400)
    assert "不认识的字段：admin" in page.text()


def test_a_checkbox_value_sent_twice_is_refused_and_nothing_is_stored(
    page_client: CheckingClient,
) -> None:
    body = page_client.form(went_well=["工作人员态度好"] * 200)
    page = page_client.post(URL, body, status=400)
    assert "答案重复提交了：哪些方面做得好？（可多选，可不选）" in page.text()
    db = state_of(page_client.client.application).db
    assert count_responses(db) == 0


def test_a_radio_answer_sent_twice_is_refused_like_a_repeated_checkbox(
    page_client: CheckingClient,
) -> None:
    for twice in (["满意", "不满意"], ["满意", "满意"]):
        page = page_client.post(URL, page_client.form(satisfaction=twice), status=400)
        assert "答案重复提交了：总体来说，您对本议题的治理工作是否满意？" in page.text()
    assert count_responses(state_of(page_client.client.application).db) == 0


def test_a_hidden_field_sent_twice_is_refused_in_words_a_resident_can_act_on(
    page_client: CheckingClient,
) -> None:
    body = page_client.form()
    for name in ("csrf_token", "ticket"):
        page = page_client.post(URL, body | {name: [body[name]] * 2}, status=400)
        assert "问卷页面的隐藏字段重复提交了" in page.text()
        assert "请重新打开问卷" in page.text()
        assert "这些问题的答案重复提交了" not in page.text()  # no question was repeated
    assert count_responses(state_of(page_client.client.application).db) == 0


def test_a_file_in_a_multipart_body_is_refused_as_an_unknown_field(
    page_client: CheckingClient,
) -> None:
    for name in ("upload", "comment"):
        body = page_client.form() | {name: (io.BytesIO(b"x" * 100), "a.txt")}
        page = page_client.post(URL, body, status=400, content_type="multipart/form-data")
        assert f"问卷不接受上传文件（字段：{name}）" in page.text()
    assert count_responses(state_of(page_client.client.application).db) == 0


def test_control_characters_are_removed_from_a_comment_before_it_is_stored(
    page_client: CheckingClient,
) -> None:
    comment = "充电\x00桩\x07很\x1b好\x7f\ufffe\n第二行\t完"
    page_client.post(URL, page_client.form(comment=comment))
    [row] = responses(state_of(page_client.client.application).db, "ebike-charging", WAVE)
    assert row.answers["comment"] == "充电桩很好\n第二行\t完"


def test_an_expired_form_is_shown_again_with_answers_and_channel_kept(
    page_client: CheckingClient, clock: Clock
) -> None:
    body = page_client.form(URL + "?channel=qr")
    clock.now += timedelta(hours=25)  # the form was left open overnight and then some
    page = page_client.post(URL, body, status=200)
    assert "请检查答案后再次提交" in page.text()
    assert page.hidden("ticket") != body["ticket"]
    assert page.checked("change", "有所改善")
    page_client.post(URL, body | {"ticket": page.hidden("ticket")})
    [row] = responses(state_of(page_client.client.application).db, "ebike-charging", WAVE)
    assert row.channel == "qr"


def test_honeypot_and_fast_answers_are_stored_with_flags(tmp_path: Path, clock: Clock) -> None:
    app = sqlite_app(tmp_path, clock, YITI_MIN_FILL_SECONDS=60)
    client = CheckingClient(app.test_client())
    client.post(URL, client.form(website="http://spam.example"))
    [row] = responses(state_of(app).db, "ebike-charging", WAVE)
    assert row.flags == ["honeypot", "too_fast"]
    assert "spam" not in str(row.answers)


def test_busy_address_and_device_are_flagged_not_dropped(tmp_path: Path, clock: Clock) -> None:
    app = sqlite_app(tmp_path, clock, YITI_FLAG_IP_LIMIT="2/hour", YITI_FLAG_DEVICE_LIMIT="1/day")
    client = CheckingClient(app.test_client())
    for _ in range(3):
        client.post(URL, client.form())
    rows = responses(state_of(app).db, "ebike-charging", WAVE)
    assert [r.flags for r in rows] == [[], ["busy_device"], ["busy_address", "busy_device"]]
    assert len({r.source for r in rows}) == 1 and "127.0.0.1" not in rows[0].source


def test_a_flood_from_one_address_gets_a_readable_429(tmp_path: Path, clock: Clock) -> None:
    app = sqlite_app(tmp_path, clock, YITI_POST_LIMIT="2/minute")
    client = CheckingClient(app.test_client())
    client.post(URL, client.form())
    client.post(URL, client.form())
    page = client.post(URL, client.form(), status=429)
    assert "提交过于频繁" in page.text()
    assert 1 <= int(page.response.headers["Retry-After"]) <= 60  # within the minute's window
    assert count_responses(state_of(app).db) == 2


def test_page_views_skip_the_search_for_limits_and_answers_do_not(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = sqlite_app(tmp_path, clock, YITI_POST_LIMIT="1/minute")
    searches: list[str | None] = []  # Flask-Limiter asks for exemptions on every check
    exemptions = limiter.limit_manager.exemption_scope

    def counted(flask_app: Flask, endpoint: str | None, *args: object) -> object:
        searches.append(endpoint)
        return exemptions(flask_app, endpoint, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(limiter.limit_manager, "exemption_scope", counted)
    client = CheckingClient(app.test_client())
    form = client.form()  # a GET of the questionnaire
    client.get(URL)
    assert searches == []
    client.post(URL, form)
    assert set(searches) == {"respondents.questionnaire"}
    client.post(URL, client.form(), status=429)  # the limit still holds


def test_the_same_form_posted_from_several_threads_is_stored_once(
    tmp_path: Path, clock: Clock
) -> None:
    app = sqlite_app(tmp_path, clock, WTF_CSRF_ENABLED=False)  # threads share no session
    served = app.test_client().get(URL)
    soup = BeautifulSoup(served.get_data(as_text=True), "html.parser")
    body = ANSWERS | {"ticket": Page(served, soup).hidden("ticket")}

    def post() -> str:
        response = app.test_client().post(URL, data=body)
        assert response.status_code == 303
        return response.headers["Location"]

    assert len(set(run_in_threads(6, post))) == 1
    assert count_responses(state_of(app).db) == 1


def test_an_invited_wave_asks_for_a_code_that_works_once(page_client: CheckingClient) -> None:
    db = state_of(page_client.client.application).db
    [code] = create_invitations(db, INVITED_TOPIC, WAVE, 1, "test")
    page = page_client.get(f"{INVITED_URL}?channel=invitation&code={code}")
    assert page.tag("input", name="invitation")["value"] == code
    answers = {"leash": "多数拴绳", "charging_distance": None}
    body = {k: v for k, v in (page_client.form(INVITED_URL) | answers).items() if v is not None}
    missing = page_client.post(INVITED_URL, body, status=200)
    assert missing.errors()["invitation"] == "请填写短信中的邀请码"
    page_client.post(INVITED_URL, body | {"invitation": code.lower()})
    again = page_client.form(INVITED_URL) | answers | {"invitation": code}
    again = {k: v for k, v in again.items() if v is not None}
    refused = page_client.post(INVITED_URL, again, status=200)
    assert refused.errors()["invitation"] == "邀请码无效或已经使用过，请核对短信中的邀请码"
    assert count_responses(db, INVITED_TOPIC, WAVE) == 1


def test_oversized_and_malformed_bodies_get_readable_pages(page_client: CheckingClient) -> None:
    page = page_client.post(URL, {"comment": "x" * 100_000}, status=413)
    assert "太长" in page.text()
    raw = page_client.client.post(
        URL, data=b"\xff\xfe%%%&&=", content_type="application/x-www-form-urlencoded"
    )
    assert raw.status_code == 400
    page_client.get(URL + "thanks/" + "A" * 50 + "/", status=404)


def redis_app(tmp_path: Path, clock: Clock, **limits: str) -> Flask:
    """An app counting its limits in Redis under a key prefix of its own (tests run in parallel)."""
    require(redis_reachable(), f"Redis at {REDIS}")
    prefix = f"yiti-test-{uuid.uuid4().hex[:8]}"
    return sqlite_app(
        tmp_path, clock, RATELIMIT_STORAGE_URI=REDIS, RATELIMIT_KEY_PREFIX=prefix, **limits
    )


def test_rate_limits_can_live_in_redis(tmp_path: Path, clock: Clock) -> None:
    app = redis_app(tmp_path, clock, YITI_FLAG_DEVICE_LIMIT="1/day")
    client = CheckingClient(app.test_client())
    client.post(URL, client.form())
    client.post(URL, client.form())
    rows = responses(state_of(app).db, "ebike-charging", WAVE)
    assert [r.flags for r in rows] == [[], ["busy_device"]]


def test_in_redis_busy_address_and_device_are_both_counted(tmp_path: Path, clock: Clock) -> None:
    app = redis_app(tmp_path, clock, YITI_FLAG_IP_LIMIT="2/hour", YITI_FLAG_DEVICE_LIMIT="1/day")
    client = CheckingClient(app.test_client())
    for _ in range(3):
        client.post(URL, client.form())
    rows = responses(state_of(app).db, "ebike-charging", WAVE)
    assert [r.flags for r in rows] == [[], ["busy_device"], ["busy_address", "busy_device"]]


def redis_reachable() -> bool:
    """Whether Redis answers at 127.0.0.1:6379."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_an_unexpected_failure_is_a_plain_500_page(
    page_client: CheckingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError("database on fire")

    monkeypatch.setattr("survey.residents.service.save_response", broken)
    page = page_client.post(URL, page_client.form(), status=500)
    assert "服务器出错了" in page.text()
    assert "database on fire" not in page.text() and "Traceback" not in page.text()


def test_behind_a_proxy_the_forwarded_address_is_the_one_counted(
    tmp_path: Path, clock: Clock
) -> None:
    app = sqlite_app(tmp_path, clock, YITI_PROXY_COUNT=1)
    client = CheckingClient(app.test_client())
    for address in ("203.0.113.7", "203.0.113.8"):
        headers = {"X-Forwarded-For": address}
        client.post(URL, client.form(), headers=headers)
    rows = responses(state_of(app).db, "ebike-charging", WAVE)
    assert len({r.source for r in rows}) == 2


class CountedTimer:
    """A stand-in for threading.Timer that counts how many were started and never runs."""

    started = 0

    def __init__(self, *_args: object) -> None:
        pass

    def start(self) -> None:
        CountedTimer.started += 1

    def is_alive(self) -> bool:
        return False


def test_in_memory_limits_start_no_thread_per_hit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("limits.storage.memory.threading.Timer", CountedTimer)
    CountedTimer.started = 0
    counter = FixedWindowRateLimiter(LocalCounts())
    limit = parse("3/minute")
    hits = [counter.hit(limit, "yiti", "flag-device", "abc") for _ in range(5)]
    assert hits == [True, True, True, False, False]
    assert CountedTimer.started == 1  # the one limits' constructor starts, none per hit


def test_in_memory_counters_whose_window_ended_are_swept() -> None:
    counts = LocalCounts()
    counts.incr("old", 60)
    counts.incr("current", 60)
    counts.expirations["old"] = time.time() - 1  # its minute is over; nobody asks for it again
    counts.next_sweep = 0
    counts.incr("other", 60)
    assert "old" not in counts.storage and "old" not in counts.expirations
    assert counts.get("current") == 1


def test_the_default_memory_store_is_the_thread_free_one(tmp_path: Path, clock: Clock) -> None:
    assert sqlite_app(tmp_path, clock).config["RATELIMIT_STORAGE_URI"] == "yiti-memory://"
    assert storage_uri(REDIS) == REDIS
