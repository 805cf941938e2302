"""Logging in and out over HTTP: sessions, throttling, lockout, expiry, no open redirect."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask

from survey.staff.accounts import update_user
from survey.staff.throttle import FREE_FAILURES
from survey.storage.audit import entries
from tests.survey.conftest import (
    NOW,
    PASSWORD,
    CheckingClient,
    Clock,
    add_staff,
    log_in,
    state_of,
)


def logged_in_as(client: CheckingClient) -> str | None:
    """The email the staff header shows after following the login page, or None."""
    page = client.client.get("/staff/login/", follow_redirects=True).get_data(as_text=True)
    found = re.search(r"<span>([^<（]+)（", page)
    return found.group(1) if found else None


def attempt(client: CheckingClient, email: str, password: str, status: int) -> str:
    page = client.get("/staff/login/")
    body = {"csrf_token": page.hidden("csrf_token"), "email": email, "password": password}
    return client.post("/staff/login/", body, status=status).text()


def test_a_wrong_password_shows_one_message_and_keeps_the_email(
    app: Flask, client: CheckingClient
) -> None:
    add_staff(app, "eva@example.org", "evaluator")
    text = attempt(client, "eva@example.org", "not the password", 400)
    assert "邮箱或密码不正确" in text


def test_empty_fields_are_named_next_to_the_field(app: Flask, client: CheckingClient) -> None:
    page = client.get("/staff/login/")
    shown = client.post("/staff/login/", {"csrf_token": page.hidden("csrf_token")}, status=400)
    assert shown.errors() == {"email": "请填写邮箱", "password": "请填写密码"}


def test_an_overlong_or_unreadable_email_is_named_in_chinese_not_a_server_error(
    app: Flask, client: CheckingClient
) -> None:
    add_staff(app, "eva@example.org", "evaluator")
    too_long = "邮箱最多 254 个字符，请检查是否多粘贴了内容"
    for typed, message in [
        ("a" * 300 + "@example.org", too_long),
        ("İ" * 200 + "@example.org", too_long),  # 200 characters, 400 in lower case
        ("eva\x00@example.org", "邮箱中有无法识别的字符，请重新输入"),
    ]:
        page = client.get("/staff/login/")
        body = {"csrf_token": page.hidden("csrf_token"), "email": typed, "password": PASSWORD}
        shown = client.post("/staff/login/", body, status=400)  # a page, also on PostgreSQL
        assert shown.errors() == {"email": message}
    page = client.get("/staff/login/")
    body = {"csrf_token": page.hidden("csrf_token"), "email": "eva@example.org"}
    shown = client.post("/staff/login/", body | {"password": "p" * 1025}, status=400)
    assert shown.errors() == {"password": "密码最多 1024 个字符，请检查是否多粘贴了内容"}
    assert logged_in_as(client) is None
    log_in(client, " EVA@example.org ")  # spaces and capitals still find the account


def test_a_login_without_csrf_token_is_refused(app: Flask, client: CheckingClient) -> None:
    add_staff(app, "eva@example.org", "evaluator")
    client.post("/staff/login/", {"email": "eva@example.org", "password": PASSWORD}, status=400)


def test_repeated_failures_answer_429_with_retry_after_even_for_the_right_password(
    app: Flask, client: CheckingClient
) -> None:
    add_staff(app, "eva@example.org", "evaluator")
    for _ in range(FREE_FAILURES - 1):
        attempt(client, "eva@example.org", "not the password", 400)
    assert "需等待 30 秒" in attempt(client, "eva@example.org", "not the password", 400)
    page = client.get("/staff/login/")
    body = {"csrf_token": page.hidden("csrf_token"), "email": "eva@example.org"}
    waiting = client.post("/staff/login/", body | {"password": PASSWORD}, status=429)
    assert waiting.response.headers["Retry-After"] == "30"
    assert "需等待 30 秒" in waiting.text()


def reply(client: CheckingClient, email: str, password: str) -> tuple[int, str | None, str]:
    """A login's status, Retry-After and page, with what differs per request taken out."""
    page = client.get("/staff/login/")
    body = {"csrf_token": page.hidden("csrf_token"), "email": email, "password": password}
    response = client.client.post("/staff/login/", data=body)
    html = re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))
    return response.status_code, response.headers.get("Retry-After"), html.replace(email, "EMAIL")


def test_known_unknown_disabled_and_waiting_emails_get_the_same_replies(app: Flask) -> None:
    app.config["YITI_LOGIN_LIMIT"] = "100/minute"  # the address limit is not what is compared
    add_staff(app, "known@example.org", "evaluator")
    add_staff(app, "off@example.org", "evaluator")
    update_user(state_of(app).db, "off@example.org", NOW, "cli:test", active=False)
    replies = {}
    for email in ("known@example.org", "nobody@example.org", "off@example.org"):
        client = CheckingClient(app.test_client())
        replies[email] = [reply(client, email, "not the password") for _ in range(5)]
    assert replies["known@example.org"] == replies["nobody@example.org"]
    assert replies["known@example.org"] == replies["off@example.org"]
    assert [status for status, _, _ in replies["nobody@example.org"]] == [400] * 3 + [429] * 2


def test_too_many_attempts_from_one_address_get_429(app: Flask, client: CheckingClient) -> None:
    app.config["YITI_LOGIN_LIMIT"] = "3/minute"
    for _ in range(3):
        attempt(client, "nobody@example.org", "not the password", 400)
    page = client.get("/staff/login/")
    body = {"csrf_token": page.hidden("csrf_token"), "email": "x@example.org", "password": "y"}
    refused = client.post("/staff/login/", body, status=429)
    assert 1 <= int(refused.response.headers["Retry-After"]) <= 60  # within the minute's window


def test_logout_needs_a_post_with_csrf_and_ends_the_session(
    app: Flask, client: CheckingClient
) -> None:
    add_staff(app, "audit@example.org", "auditor")
    log_in(client, "audit@example.org")
    client.client.get("/staff/logout/")  # a link or an image cannot log anyone out
    client.client.post("/staff/logout/")  # nor can another site's form (no CSRF token)
    assert logged_in_as(client) == "audit@example.org"
    page = client.client.get("/staff/login/", follow_redirects=True).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    client.post("/staff/logout/", {"csrf_token": csrf.group(1)}, status=302)
    assert logged_in_as(client) is None
    assert next(entry.action for entry in entries(state_of(app).db)) == "logout"


def test_next_only_accepts_a_path_on_this_site(app: Flask, client: CheckingClient) -> None:
    add_staff(app, "eva@example.org", "evaluator")
    page = client.get("/staff/login/?next=//evil.example/")
    body = {
        "csrf_token": page.hidden("csrf_token"),
        "email": "eva@example.org",
        "password": PASSWORD,
    }
    response = client.client.post("/staff/login/?next=//evil.example/", data=body)
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_an_idle_session_expires(app: Flask, client: CheckingClient, clock: Clock) -> None:
    add_staff(app, "audit@example.org", "auditor")
    log_in(client, "audit@example.org")
    assert logged_in_as(client) == "audit@example.org"
    clock.now += timedelta(minutes=int(app.config["YITI_LOGIN_IDLE_MINUTES"]) - 1)
    assert logged_in_as(client) == "audit@example.org"  # activity keeps the session
    clock.now += timedelta(minutes=int(app.config["YITI_LOGIN_IDLE_MINUTES"]) + 1)
    assert logged_in_as(client) is None


def test_a_busy_session_still_ends_after_the_maximum_length(
    app: Flask, client: CheckingClient, clock: Clock
) -> None:
    add_staff(app, "audit@example.org", "auditor")
    log_in(client, "audit@example.org")
    for _ in range(int(app.config["YITI_LOGIN_MAX_HOURS"]) * 3 + 1):
        clock.now += timedelta(minutes=20)
        logged_in_as(client)
    assert logged_in_as(client) is None


def test_a_staff_page_sends_an_anonymous_visitor_to_log_in_and_back(
    app: Flask, client: CheckingClient
) -> None:
    from flask import Blueprint

    from survey.staff.sessions import require_role

    bp = Blueprint("probe", __name__)

    @bp.get("/staff/probe/")
    @require_role("auditor")
    def probe() -> str:
        return "<!doctype html><html lang='zh-CN'><title>t</title><h1>probe</h1></html>"

    app.register_blueprint(bp)
    response = client.client.get("/staff/probe/")
    assert response.status_code == 302 and "/staff/login/" in response.headers["Location"]
    login_page = client.get(response.headers["Location"])
    assert "此页面需要登录" in login_page.text()
    add_staff(app, "audit@example.org", "auditor")
    page = client.get("/staff/login/")
    body = {
        "csrf_token": page.hidden("csrf_token"),
        "email": "audit@example.org",
        "password": PASSWORD,
    }
    done = client.client.post(response.headers["Location"], data=body)
    assert done.headers["Location"] == "/staff/probe/"
    add_staff(app, "eva@example.org", "evaluator")
    other = CheckingClient(app.test_client())
    log_in(other, "eva@example.org")
    assert other.client.get("/staff/probe/").status_code == 403  # wrong role


def test_residents_pages_never_touch_a_staff_session_or_rewrite_their_cookie(
    app: Flask, client: CheckingClient
) -> None:
    from tests.survey.conftest import URL

    client.get(URL)  # the questionnaire sets the resident's session (CSRF token, device)
    for url in (URL, "/", "/privacy/"):
        response = client.client.get(url)
        assert "Set-Cookie" not in response.headers, url


def test_every_staff_blueprint_is_named_as_one(app: Flask) -> None:
    from survey.staff.sessions import STAFF_BLUEPRINTS

    staff = {
        rule.endpoint.split(".")[0]
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/staff/")
    }
    assert staff == STAFF_BLUEPRINTS
