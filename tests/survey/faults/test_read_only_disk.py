"""A SQLite database that cannot be written (read-only file or mount, full disk): a clear page."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from survey.storage.db import DISK_FULL, READ_ONLY
from survey.storage.repository import count_responses
from tests.survey.conftest import URL, CheckingClient, Clock, make_app, state_of
from tests.survey.faults.test_database_outage import assert_answers_kept


def test_read_only_sqlite_gives_503_that_says_so_with_answers(
    tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    # Tests run as root, for whom chmod does not stop writes: SQLite's own read-only mode
    # (`mode=ro`) refuses writes the way a read-only mount or file does for the service user.
    path = tmp_path / "survey.sqlite3"
    state_of(make_app(f"sqlite:///{path}", tmp_path, clock)).db.dispose()
    app = make_app(f"sqlite:///file:{path}?mode=ro&uri=true", tmp_path, clock)
    client = CheckingClient(app.test_client())
    page = client.post(URL, client.form(), status=503)
    assert_answers_kept(page)
    assert READ_ONLY in page.text()
    assert "Traceback" not in page.text()
    assert "read-only" in caplog.text or "readonly" in caplog.text
    assert count_responses(state_of(app).db) == 0
    state_of(app).db.dispose()


def test_full_sqlite_disk_gives_503_that_says_so_with_answers(tmp_path: Path, clock: Clock) -> None:
    # SQLite's max_page_count makes the engine answer SQLITE_FULL exactly as on a full disk;
    # 512-byte pages (the smallest) make sure one response needs a page more than there is.
    path = tmp_path / "survey.sqlite3"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA page_size=512")
        connection.execute("VACUUM")
    app = make_app(f"sqlite:///{path}", tmp_path, clock)
    db = state_of(app).db
    db.dispose()
    event.listen(db.engine, "connect", _no_room)
    client = CheckingClient(app.test_client())
    page = client.post(URL, client.form(comment="长" * 500), status=503)
    assert DISK_FULL in page.text()
    assert page.tag("textarea", name="comment").get_text().strip() == "长" * 500
    db.dispose()


def _no_room(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    pages = cursor.execute("PRAGMA page_count").fetchone()[0]
    cursor.execute(f"PRAGMA max_page_count={pages}")
    cursor.close()
