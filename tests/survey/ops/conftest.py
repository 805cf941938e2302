"""Ops fixtures: a filled survey database on SQLite and in a scratch PostgreSQL database."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from survey.storage.db import Database
from survey.storage.migrate import upgrade
from survey.storage.repository import Submission, create_invitations, save_response
from tests.conftest import require
from tests.survey.conftest import ANSWERS, INVITED_TOPIC, NOW, POSTGRES, WAVE, postgres_reachable

Rows = dict[str, list[tuple[Any, ...]]]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated survey database holding responses and invitations, on each engine.

    PostgreSQL gets a database of its own, not a schema: pg_dump and pg_restore --clean work
    on whole databases, and must not touch what other tests keep in the shared one.
    """
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'survey.sqlite3'}")
        yield from _filled(db)
        return
    require(postgres_reachable(), f"PostgreSQL at {POSTGRES}")
    tools = all(shutil.which(tool) for tool in ("pg_dump", "pg_restore"))
    require(tools, "pg_dump and pg_restore (Debian package postgresql-client-15)")
    with scratch_database() as url:
        yield from _filled(Database(url))


@pytest.fixture
def fresh(store: Database, tmp_path: Path) -> Iterator[str]:
    """An empty database on `store`'s engine: where the guide restores a backup to test it."""
    if store.url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restore-test.sqlite3'}"
        return
    with scratch_database() as url:
        yield url


@contextmanager
def scratch_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    name = f"yiti_ops_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(POSTGRES).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


def _filled(db: Database) -> Iterator[Database]:
    upgrade(db)
    fill(db)
    try:
        yield db
    finally:
        db.dispose()


def fill(db: Database, first: int = 0, count: int = 3) -> None:
    """Store `count` responses through the repository, two of them with invitation codes."""
    codes = create_invitations(db, INVITED_TOPIC, WAVE, count + 1, f"batch-{first}")
    for number in range(first, first + count):
        submission = Submission(
            submission_id=f"{number:032d}",
            topic=INVITED_TOPIC,
            wave=WAVE,
            version="civil-dog-keeping@1",
            channel="invitation",
            answers=ANSWERS | {"comment": f"第 {number} 份"},
            submitted_at=NOW + timedelta(minutes=number),
            flags=("too_fast",) if number % 2 else (),
            source=f"source{number}",
            invitation=codes[number - first] if number - first < 2 else None,
        )
        save_response(db, submission)


def rows(db: Database) -> Rows:
    """Every row of every table (Alembic's included), in primary-key order."""
    tables = MetaData()
    tables.reflect(db.engine)
    with db.engine.connect() as connection:
        return {
            name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for name, table in tables.tables.items()
        }


def wipe(db: Database) -> None:
    """Drop every table."""
    tables = MetaData()
    tables.reflect(db.engine)
    tables.drop_all(db.engine)
