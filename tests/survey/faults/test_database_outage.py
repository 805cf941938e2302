"""A database that goes away: a 503 that keeps the answers, then recovery without a restart."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from survey.storage.repository import count_responses
from tests.conftest import require
from tests.survey.conftest import (
    ANSWERS,
    POSTGRES,
    URL,
    CheckingClient,
    Clock,
    Page,
    make_app,
    postgres_reachable,
    state_of,
)


def assert_answers_kept(page: Page) -> None:
    """The questionnaire is shown again, with every answer the resident gave still filled in."""
    assert page.tag("form", method="post")
    assert page.checked("satisfaction", ANSWERS["satisfaction"])
    assert page.checked("change", ANSWERS["change"])
    for choice in ANSWERS["went_well"]:
        assert page.checked("went_well", choice)
    assert page.tag("textarea", name="comment").get_text().strip() == ANSWERS["comment"]
    assert "请稍等一两分钟后再次点击提交" in page.text()


def test_unreachable_sqlite_gives_503_with_answers_and_recovers(
    tmp_path: Path, clock: Clock
) -> None:
    folder = tmp_path / "db"
    app = make_app(f"sqlite:///{folder / 'survey.sqlite3'}", tmp_path, clock)
    db = state_of(app).db
    client = CheckingClient(app.test_client())
    body = client.form()
    db.dispose()  # no pooled connection keeps the moved file open
    folder.rename(tmp_path / "away")  # the file can no longer be opened: SQLITE_CANTOPEN
    page = client.post(URL, body, status=503)
    assert_answers_kept(page)
    assert "暂时无法连接数据库" in page.text()
    (tmp_path / "away").rename(folder)
    client.post(URL, body, status=303)  # the same form, same ticket, no restart
    assert count_responses(db) == 1
    db.dispose()


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A database of its own in the test PostgreSQL, which tests may close to connections."""
    require(postgres_reachable(), f"PostgreSQL at {POSTGRES}")
    name = f"yiti_fault_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def set_postgres_reachable(name: str, reachable: bool) -> None:
    """Open or close `name` to new connections; closing also ends the ones it has."""
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"ALTER DATABASE {name} ALLOW_CONNECTIONS {reachable}"))
        if not reachable:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
    admin.dispose()


def test_unreachable_postgres_gives_503_with_answers_and_recovers(
    postgres_database: str, tmp_path: Path, clock: Clock
) -> None:
    url = POSTGRES.rsplit("/", 1)[0] + f"/{postgres_database}"
    app: Flask = make_app(url, tmp_path, clock)
    db = state_of(app).db
    client = CheckingClient(app.test_client())
    assert count_responses(db) == 0  # a pooled connection, about to be killed under the app
    body = client.form()
    set_postgres_reachable(postgres_database, False)
    page = client.post(URL, body, status=503)
    assert_answers_kept(page)
    set_postgres_reachable(postgres_database, True)
    client.post(URL, body, status=303)
    assert count_responses(db) == 1
    db.dispose()


def test_answers_after_a_postgres_restart_are_stored_at_once(
    postgres_database: str, tmp_path: Path, clock: Clock
) -> None:
    """The answers' INSERT takes a pooled connection without pinging it: one found dead is
    replaced and the INSERT runs again, so the resident sees no 503; reading pages still ping."""
    url = POSTGRES.rsplit("/", 1)[0] + f"/{postgres_database}"
    app: Flask = make_app(url, tmp_path, clock)
    db = state_of(app).db
    client = CheckingClient(app.test_client())
    assert count_responses(db) == 0  # a pooled connection, about to be killed under the app
    set_postgres_reachable(postgres_database, False)  # ends every connection it has
    set_postgres_reachable(postgres_database, True)
    client.post(URL, client.form(), status=303)
    set_postgres_reachable(postgres_database, False)
    set_postgres_reachable(postgres_database, True)
    assert count_responses(db) == 1  # pinged, replaced, read
    db.dispose()


def test_pages_that_read_the_database_say_503_while_it_is_away(
    tmp_path: Path, clock: Clock
) -> None:
    folder = tmp_path / "db"
    app = make_app(f"sqlite:///{folder / 'survey.sqlite3'}", tmp_path, clock)
    state_of(app).db.dispose()
    folder.rename(tmp_path / "away")
    page = CheckingClient(app.test_client()).get(f"{URL}thanks/ABCD-EFGH/", status=503)
    assert "暂时无法连接数据库" in page.text()
    assert "Traceback" not in page.text()
