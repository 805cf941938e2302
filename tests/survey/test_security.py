"""Security headers on every route and error page; session cookies that are safe and expire."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from survey.security import HEADERS, HSTS
from tests.survey.conftest import TOPIC, WAVE, CheckingClient, Clock, make_app, state_of

PRODUCTION = {"YITI_ENV": "production", "SECRET_KEY": "k" * 64}


@pytest.fixture
def production_app(tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    """The survey app as YITI_ENV=production starts it, on SQLite."""
    app = make_app(f"sqlite:///{tmp_path / 'survey.sqlite3'}", tmp_path, clock, **PRODUCTION)
    yield app
    state_of(app).db.dispose()


def receipt_of(client: CheckingClient) -> str:
    """Submit a complete answer and return the receipt code from the thanks page's URL."""
    page = client.post(f"/{TOPIC}/{WAVE}/", client.form())
    return page.response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def every_route(app: Flask, receipt: str) -> list[tuple[str, str]]:
    """(method, URL) per rule in the app's URL map, parameters filled from the shipped content;
    GET where the rule takes it, else its other method."""
    values: dict[str, Any] = {
        "slug": TOPIC,
        "wave": WAVE,
        "receipt": receipt,
        "filename": "survey.css",
    }
    with app.test_request_context():
        rules = list(app.url_map.iter_rules())
        urls = [
            (
                "GET" if "GET" in (rule.methods or ()) else "POST",
                app.url_for(rule.endpoint, **{k: values[k] for k in rule.arguments}),
            )
            for rule in rules
        ]
    return urls


def assert_secure_headers(response: TestResponse, hsts: bool = False) -> None:
    """Every security header is present with our value; HSTS only when asked for."""
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, f"{response.request.path}: {name}"
    assert ("Strict-Transport-Security" in response.headers) is hsts


def test_every_route_sends_the_security_headers(page_client: CheckingClient) -> None:
    app = page_client.client.application
    urls = every_route(app, receipt_of(page_client))
    assert len(urls) == len(list(app.url_map.iter_rules())) >= 5
    for method, url in urls:
        response = page_client.client.open(url, method=method)
        response.close()  # the static file's handle
        # 400: a POST-only route (logout) without its CSRF token.
        assert response.status_code == (200 if method == "GET" else 400), url
        assert_secure_headers(response)


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


def test_production_adds_hsts_to_every_response(production_app: Flask) -> None:
    client = production_app.test_client()
    for url in ["/", f"/{TOPIC}/{WAVE}/", "/nowhere"]:
        response = client.get(url)
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


def test_sessions_expire_after_a_day(page_client: CheckingClient) -> None:
    # Flask refuses signed session cookies older than this, permanent or not.
    assert page_client.client.application.permanent_session_lifetime == timedelta(days=1)
