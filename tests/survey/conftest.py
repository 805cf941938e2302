"""Survey fixtures: an app on SQLite and on PostgreSQL, a fixed clock, a checking client."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import html5lib
import pytest
from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from werkzeug.test import TestResponse

from survey import create_app
from survey.state import AppState
from survey.storage.db import Database
from survey.storage.migrate import upgrade
from survey.storage.repository import create_schema
from tests.conftest import CONTENT, require

# Inside the shipped 2026-end wave (2026-11-15 09:00 to 2026-12-15 18:00, Beijing time).
NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
TOPIC, WAVE = "ebike-charging", "2026-end"
URL = f"/{TOPIC}/{WAVE}/"
INVITED_TOPIC = "civil-dog-keeping"  # access: invitation in the shipped content
POSTGRES = os.environ.get("YITI_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# A complete, valid set of answers to the shipped e-bike charging questionnaire.
ANSWERS: dict[str, Any] = {
    "awareness": "听说过",
    "change": "有所改善",
    "solved": "已解决",
    "satisfaction": "满意",
    "went_well": ["办理时间更短", "反馈及时"],
    "district": "海淀区",
    "street": "110108001",  # 万寿路街道, 海淀区
    "hotline": "打过",
    "charging_distance": "小区内",
    "comment": "加装后方便多了",
}


@dataclass
class Clock:
    """A clock tests can set; the app reads it through YITI_CLOCK."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


def postgres_reachable(url: str = POSTGRES) -> bool:
    """Whether the test PostgreSQL answers within two seconds."""
    engine = create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a private schema in the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'survey.sqlite3'}"
        return
    require(postgres_reachable(), f"PostgreSQL at {POSTGRES}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def migrated_db(database_url: str) -> Iterator[Database]:
    """A database at the latest migration, as `yiti survey upgrade` leaves it (each store)."""
    database = Database(database_url)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> Clock:
    """The app's clock, set inside the open 2026-end wave."""
    return Clock()


def make_app(database_url: str, tmp_path: Path, clock: Clock, **overrides: Any) -> Flask:
    """An app on `database_url` with the shipped content and its tables created."""
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "YITI_CONTENT_DIR": str(CONTENT),
        "YITI_INSTANCE_DIR": str(tmp_path / "instance"),
        "YITI_CLOCK": clock,
        "YITI_MIN_FILL_SECONDS": 0,
        "YITI_QUEUE_URL": "immediate",  # background downloads are built inside the request
    } | overrides
    app = create_app(config)
    create_schema(state_of(app).db)
    return app


def state_of(app: Flask) -> AppState:
    """The app's content, database and clock."""
    state: AppState = app.extensions["yiti_survey"]
    return state


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    """The survey app on each database."""
    app = make_app(database_url, tmp_path, clock)
    yield app
    state_of(app).db.dispose()


@pytest.fixture
def sqlite_app(tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    """The survey app on SQLite only, for tests about pages rather than storage."""
    app = make_app(f"sqlite:///{tmp_path / 'survey.sqlite3'}", tmp_path, clock)
    yield app
    state_of(app).db.dispose()


@dataclass
class Page:
    """A fetched page: the response and its parsed HTML."""

    response: TestResponse
    soup: BeautifulSoup

    def text(self) -> str:
        """The visible text, whitespace collapsed."""
        return re.sub(r"\s+", " ", self.soup.get_text(" ")).strip()

    def hidden(self, name: str) -> str:
        """The value of a hidden input."""
        return str(self.tag("input", name=name)["value"])

    def tag(self, element: str, **attrs: str) -> Tag:
        """The first `element` with `attrs`; the test fails if there is none."""
        found = self.soup.find(element, attrs=dict[str, Any](attrs))
        assert isinstance(found, Tag), f"no <{element}> with {attrs}"
        return found

    def checked(self, name: str, value: str) -> bool:
        """Whether the radio button or checkbox `name`=`value` is checked."""
        return self.tag("input", name=name, value=value).has_attr("checked")

    def errors(self) -> dict[str, str]:
        """Error messages shown next to fields, by field name."""
        return {
            str(p["id"]).removesuffix("-error"): p.get_text().removeprefix("错误：")
            for p in self.soup.select("p.error")
        }


class CheckingClient:
    """A test client that checks every page it fetches (status, one h1, valid HTML, CSRF)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, url: str, status: int = 200, **kwargs: Any) -> Page:
        """GET `url`, expecting `status` and a well-formed page."""
        return self._check(self.client.get(url, **kwargs), status)

    def post(self, url: str, data: Any, status: int = 303, **kwargs: Any) -> Page:
        """POST `data` to `url`, expecting `status` (a redirect by default)."""
        return self._check(self.client.post(url, data=data, **kwargs), status)

    def form(self, url: str = URL, **answers: Any) -> dict[str, Any]:
        """GET the questionnaire and return a complete POST body with its CSRF token and ticket."""
        page = self.get(url)
        body = {"csrf_token": page.hidden("csrf_token"), "ticket": page.hidden("ticket")}
        return body | {"website": ""} | ANSWERS | answers

    def _check(self, response: TestResponse, status: int) -> Page:
        assert response.status_code == status, response.get_data(as_text=True)[:2000]
        if response.status_code in (301, 302, 303):
            return Page(response, BeautifulSoup("", "html.parser"))
        html = response.get_data(as_text=True)
        html5lib.HTMLParser(strict=True).parse(html)  # raises on any parse error
        soup = BeautifulSoup(html, "html.parser")
        assert len(soup.find_all("h1")) == 1, "a page has exactly one <h1>"
        assert soup.find("html", attrs={"lang": "zh-CN"}) is not None
        for form in soup.find_all("form", attrs={"method": "post"}):
            assert form.find("input", attrs={"name": "csrf_token"}), "POST form without CSRF token"
        return Page(response, soup)


@pytest.fixture
def client(app: Flask) -> CheckingClient:
    """A checking client on the app (each database)."""
    return CheckingClient(app.test_client())


@pytest.fixture
def page_client(sqlite_app: Flask) -> CheckingClient:
    """A checking client on the SQLite app."""
    return CheckingClient(sqlite_app.test_client())


# Staff accounts: every test that logs in uses these, so the password rules are met once.
PASSWORD = "correct horse battery staple"


def add_staff(app: Flask, email: str, role: str, topics: tuple[str, ...] = ()) -> None:
    """Create an account on `app`'s database (as `yiti survey user add` would)."""
    from survey.staff.accounts import add_user

    add_user(state_of(app).db, email, role, PASSWORD, NOW, "cli:test", topics)


def log_in(client: CheckingClient, email: str, password: str = PASSWORD) -> Page:
    """Log `client` in as `email`; fails the test unless the login succeeds."""
    page = client.get("/staff/login/")
    body = {"csrf_token": page.hidden("csrf_token"), "email": email, "password": password}
    return client.post("/staff/login/", body, status=302)
