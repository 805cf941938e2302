"""Security headers on every route and error page; session cookies that are safe and expire."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from survey.fieldwork.crypto import new_key
from survey.security import HEADERS, HSTS, STAFF_CACHE_CONTROL, STAFF_PREFIX
from tests.survey.conftest import (
    PASSWORD,
    TOPIC,
    WAVE,
    CheckingClient,
    Clock,
    add_staff,
    log_in,
    make_app,
    state_of,
)
from tests.survey.routes import (
    Call,
    Visitor,
    calls,
    replies,
    seed,
    value_sets,
    visitors,
)

PRODUCTION = {"YITI_ENV": "production", "SECRET_KEY": "k" * 64, "YITI_FIELDWORK_KEY": new_key()}
# Routes that answer with a file to save rather than a page (when they answer 200).
FILE_ENDPOINTS = {"downloads.download", "auditors.export", "admin.invite"}
# Those the generic calls succeed on (invitations need a count the calls do not send).
FILES_SENT_TO_SOMEONE = {"downloads.download", "auditors.export"}


@pytest.fixture
def production_app(tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    """The survey app as YITI_ENV=production starts it, on SQLite."""
    app = make_app(f"sqlite:///{tmp_path / 'survey.sqlite3'}", tmp_path, clock, **PRODUCTION)
    yield app
    state_of(app).db.dispose()


@pytest.fixture
def everyone(tmp_path: Path, clock: Clock) -> Iterator[tuple[Flask, list[Call], list[Visitor]]]:
    """An app on SQLite with responses in two topics, every call the access test makes, and the
    visitors: anonymous, a scoped evaluator, an auditor and an admin (no rate limits)."""
    app = make_app(
        f"sqlite:///{tmp_path / 'survey.sqlite3'}", tmp_path, clock, RATELIMIT_ENABLED=False
    )
    todo = calls(app, value_sets(seed(app)))
    yield app, todo, list(visitors(app).values())
    state_of(app).db.dispose()


def assert_secure_headers(response: TestResponse, hsts: bool = False) -> None:
    """Every security header is present with our value; HSTS only when asked for."""
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, f"{response.request.path}: {name}"
    assert ("Strict-Transport-Security" in response.headers) is hsts


def test_every_route_sends_the_security_headers_to_everyone(
    everyone: tuple[Flask, list[Call], list[Visitor]],
) -> None:
    """Every rule of the URL map (as the access test fills it), anonymous and logged in, whatever
    the status: pages, redirects, errors, downloads and the static files."""
    app, todo, people = everyone
    assert {c.rule.endpoint for c in todo} == {r.endpoint for r in app.url_map.iter_rules()}
    statuses = set()
    for *_, response, _text in replies(people, todo):
        assert_secure_headers(response)
        statuses.add(response.status_code)
    assert {200, 302, 403, 404} <= statuses  # pages, login redirects and refusals all checked


def test_staff_replies_are_never_stored_by_any_cache(
    everyone: tuple[Flask, list[Call], list[Visitor]],
) -> None:
    """Response data and audit entries must not stay in a shared cache or the browser's
    back/forward cache after logout: every /staff reply says no-store, refusals included."""
    _, todo, people = everyone
    staff = [c for c in todo if c.url.startswith(STAFF_PREFIX)]
    assert staff
    for visitor, call, response, _ in replies(people, staff):
        where = f"{visitor.role} {call.method} {call.url}"
        assert response.headers.get("Cache-Control") == STAFF_CACHE_CONTROL, where


def test_downloads_are_attachments_that_browsers_may_not_sniff(
    everyone: tuple[Flask, list[Call], list[Visitor]],
) -> None:
    """A CSV or manifest opened in the browser could be sniffed as HTML with a pasted comment
    in it; as an attachment with nosniff it is only ever saved."""
    _, todo, people = everyone
    files = [c for c in todo if c.rule.endpoint in FILE_ENDPOINTS]
    sent = set()
    for _, call, response, _ in replies(people, files):
        if response.status_code == 200:
            sent.add(call.rule.endpoint)
            assert response.headers["Content-Disposition"].startswith("attachment;"), call.url
            assert response.headers["X-Content-Type-Options"] == "nosniff", call.url
            assert not (response.mimetype or "").startswith("text/html"), call.url
    # Each kind of file was sent at least once (a failed download proves nothing here).
    assert sent >= {c.rule.endpoint for c in files} & FILES_SENT_TO_SOMEONE


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/no-such-topic/2026-end/", 404),
        ("GET", "/nowhere", 404),
        ("DELETE", f"/{TOPIC}/{WAVE}/", 405),
        ("POST", f"/{TOPIC}/{WAVE}/", 400),  # no CSRF token
        ("GET", "/static/missing.css", 404),
    ],
)
def test_error_pages_send_the_security_headers(
    page_client: CheckingClient, method: str, url: str, status: int
) -> None:
    response = page_client.client.open(url, method=method)
    assert response.status_code == status
    assert_secure_headers(response)


def test_an_unexpected_error_page_sends_the_security_headers(tmp_path: Path, clock: Clock) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'survey.sqlite3'}", tmp_path, clock)

    @app.get("/broken/")
    def broken() -> str:
        raise RuntimeError("boom")

    response = app.test_client().get("/broken/")
    state_of(app).db.dispose()
    assert response.status_code == 500
    assert "boom" not in response.get_data(as_text=True)
    assert_secure_headers(response)


def test_the_content_security_policy_allows_nothing_inline_or_foreign() -> None:
    policy = HEADERS["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "*" not in policy
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy


def test_pages_have_no_inline_script_or_style(page_client: CheckingClient) -> None:
    for url in ["/", "/privacy/", f"/{TOPIC}/{WAVE}/", "/nowhere"]:
        status = 404 if url == "/nowhere" else 200
        soup = page_client.get(url, status=status).soup
        assert soup.find("style") is None, url
        assert not [tag for tag in soup.find_all(True) if tag.has_attr("style")], url
        for script in soup.find_all("script"):
            assert script.get("src"), f"{url}: inline <script>"
        for tag in soup.find_all(True):
            assert not [a for a in tag.attrs if a.startswith("on")], f"{url}: inline handler"


def test_production_adds_hsts_to_every_route(production_app: Flask) -> None:
    anonymous = Visitor("anonymous", production_app.test_client())
    anonymous.refresh_token()
    todo = calls(production_app, value_sets(seed(production_app)))
    for *_, response, _text in replies([anonymous], todo):
        assert response.headers["Strict-Transport-Security"] == HSTS
        assert_secure_headers(response, hsts=True)


def session_cookie(response: TestResponse) -> str:
    """The Set-Cookie header of the session cookie."""
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def test_the_session_cookie_is_httponly_and_samesite_lax(page_client: CheckingClient) -> None:
    cookie = session_cookie(page_client.client.get(f"/{TOPIC}/{WAVE}/"))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # a laptop serves plain http


def test_production_sends_the_session_cookie_over_https_only(production_app: Flask) -> None:
    cookie = session_cookie(production_app.test_client().get(f"/{TOPIC}/{WAVE}/"))
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_a_staff_login_starts_a_fresh_httponly_samesite_browser_session(
    page_client: CheckingClient,
) -> None:
    app = page_client.client.application
    add_staff(app, "ev@example.org", "evaluator")
    before = session_cookie(page_client.client.get("/staff/login/"))
    cookie = session_cookie(log_in(page_client, "ev@example.org").response)
    assert cookie.split(";")[0] != before.split(";")[0]  # a new session, not the visitor's
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # a laptop serves plain http
    # No Expires or Max-Age: the cookie ends with the browser; the server ends the login after
    # YITI_LOGIN_IDLE_MINUTES idle or YITI_LOGIN_MAX_HOURS in all (tests/survey/staff/test_login.py).
    assert "Expires" not in cookie
    assert "Max-Age" not in cookie


def test_production_sends_the_staff_session_cookie_over_https_only(production_app: Flask) -> None:
    add_staff(production_app, "ev@example.org", "evaluator")
    client = CheckingClient(production_app.test_client())
    https = "https://survey.example.org"
    page = client.get("/staff/login/", base_url=https)
    # Flask-WTF checks the Referer of HTTPS posts; Referrer-Policy same-origin lets it through.
    same_origin = {"Referer": f"{https}/staff/login/"}
    body = {
        "csrf_token": page.hidden("csrf_token"),
        "email": "ev@example.org",
        "password": PASSWORD,
    }
    cookie = session_cookie(
        client.post("/staff/login/", body, status=302, base_url=https, headers=same_origin).response
    )
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires" not in cookie


def test_sessions_expire_after_a_day(page_client: CheckingClient) -> None:
    # Flask refuses signed session cookies older than this, permanent or not.
    assert page_client.client.application.permanent_session_lifetime == timedelta(days=1)
