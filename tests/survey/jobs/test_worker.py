"""`yiti survey worker` as a real process: it takes a job the app queued, builds it, stops on SIGINT.

On SQLite the queue is a file beside the database; on PostgreSQL it is Huey's tables in the
survey's own database (the test's private schema), as in production.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from survey.jobs import current_jobs, store
from survey.jobs.queue import APPLICATION_NAME
from tests.survey.conftest import (
    ANSWERS,
    NOW,
    POSTGRES,
    TOPIC,
    WAVE,
    Clock,
    add_staff,
    make_app,
    state_of,
)
from tests.survey.staff.downloads.conftest import SCOPED
from tests.survey.staff.downloads.conftest import store as keep

CONTENT = Path(__file__).resolve().parents[3] / "content"
# The queue's connections still open (survey.jobs.queue names them).
QUEUE_BACKENDS = (
    f"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{APPLICATION_NAME}'"
)
PATIENCE = 120  # seconds the worker may take to start (imports) and build a two-row file


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    """The app with a real queue (not immediate), as `yiti serve` and production run it."""
    app = make_app(database_url, tmp_path, clock, YITI_QUEUE_URL=None)
    add_staff(app, SCOPED, "evaluator", (TOPIC,))
    keep(app, TOPIC, ANSWERS)
    yield app
    current_jobs(app).close()
    state_of(app).db.dispose()


def start_worker(app: Flask, tmp_path: Path) -> subprocess.Popen[bytes]:
    """`python -m survey.jobs.cli` with the app's settings in its environment."""
    env = os.environ | {
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": "test-secret",
        "YITI_CONTENT_DIR": str(CONTENT),
        "YITI_INSTANCE_DIR": str(tmp_path / "instance"),
        "YITI_EXPORT_DIR": app.config["YITI_EXPORT_DIR"],
    }
    command = [sys.executable, "-m", "survey.jobs.cli"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_the_worker_builds_a_job_the_app_queued_and_stops_on_sigint(
    app: Flask, tmp_path: Path
) -> None:
    jobs = current_jobs(app)
    assert not jobs.immediate
    # Asked now by the real clock: the worker runs on it, and its tidy task expires a job asked
    # more than YITI_EXPORT_KEEP_HOURS ago, so a job dated at the tests' fixed NOW (days ago)
    # was expired whenever tidying came before the build (CI saw "still expired").
    asked = store.Asked(SCOPED, WAVE, TOPIC, (TOPIC,), "xlsx", datetime.now(UTC))
    job = store.create(state_of(app).db, asked)
    jobs.submit(job.id)
    worker = start_worker(app, tmp_path)
    try:
        deadline = time.monotonic() + PATIENCE
        while (found := store.get(state_of(app).db, job.id)) and found.status != store.DONE:
            assert worker.poll() is None, worker.communicate()[0].decode()
            assert time.monotonic() < deadline, f"still {found.status} after {PATIENCE} s"
            time.sleep(0.3)
        assert found is not None and found.rows == 1
        assert jobs.folder.file(found).is_file()
    finally:
        worker.send_signal(signal.SIGINT)
        output = worker.communicate(timeout=30)[0].decode()
    assert worker.returncode == 0, output


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # connections are PG's
def test_an_app_server_keeps_no_queue_connection_open_after_queueing(app: Flask) -> None:
    """Every app server's every worker would otherwise hold one more PostgreSQL connection."""
    job = store.create(state_of(app).db, store.Asked(SCOPED, WAVE, TOPIC, (TOPIC,), "xlsx", NOW))
    current_jobs(app).submit(job.id)
    watcher = create_engine(POSTGRES)
    try:
        with watcher.connect() as connection:
            left = connection.execute(text(QUEUE_BACKENDS)).scalar_one()
    finally:
        watcher.dispose()
    assert left == 0
