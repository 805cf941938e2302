"""The worker's side of a job: built once, failed with advice, expired, stalled."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from survey.jobs import current_jobs, store, work
from survey.jobs.setup import RETRY_SECONDS
from survey.staff.accounts import update_user
from survey.staff.downloads import service
from survey.storage.audit import all_entries
from survey.storage.db import UNREACHABLE, DatabaseUnavailableError
from survey.storage.models import ExportJob
from tests.survey.conftest import ANSWERS, NOW, TOPIC, WAVE, Clock, add_staff, make_app, state_of
from tests.survey.staff.downloads.conftest import SCOPED
from tests.survey.staff.downloads.conftest import store as keep


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    """One scoped evaluator and two responses of their topic, on each database."""
    app = make_app(database_url, tmp_path, clock)
    add_staff(app, SCOPED, "evaluator", (TOPIC,))
    for _ in range(2):
        keep(app, TOPIC, ANSWERS)
    yield app
    state_of(app).db.dispose()


def queued(app: Flask, fmt: str = "xlsx") -> str:
    """A job as the view leaves it, not yet handed to any worker."""
    asked = store.Asked(SCOPED, WAVE, TOPIC, (TOPIC,), fmt, NOW)
    return store.create(state_of(app).db, asked).id


def run(app: Flask, job_id: str) -> ExportJob:
    jobs = current_jobs(app)
    work.run(jobs.state, jobs.folder, job_id)
    found = store.get(jobs.state.db, job_id)
    assert found is not None
    return found


def test_a_job_is_built_once_even_if_delivered_twice(app: Flask) -> None:
    job_id = queued(app, "sav")
    first = run(app, job_id)
    assert first.status == store.DONE and first.rows == 2 and first.size
    second = run(app, job_id)
    assert second.finished_at == first.finished_at  # the second delivery found it claimed
    prepared = [e for e in all_entries(state_of(app).db) if e.detail.get("status") == "prepared"]
    assert len(prepared) == 1


def test_a_crash_fails_the_job_leaves_no_partial_file_and_reaches_the_log(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(request: service.Request, fmt: str, path: Path) -> int:
        path.write_bytes(b"half a workbook")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service, "write", broken)
    job_id = queued(app)
    with pytest.raises(RuntimeError, match="disk on fire"):  # Huey logs it with its traceback
        run(app, job_id)
    found = store.get(state_of(app).db, job_id)
    assert found is not None and found.status == store.FAILED and found.error == work.FAILED_INSIDE
    assert not list(current_jobs(app).folder.path.iterdir())


def test_a_full_disk_fails_the_job_with_a_message_an_admin_can_act_on(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(request: service.Request, fmt: str, path: Path) -> int:
        path.write_bytes(b"PK")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(service, "write", no_space)
    found = run(app, queued(app))
    assert found.status == store.FAILED and found.error == work.DISK_FULL
    assert not list(current_jobs(app).folder.path.iterdir())  # the partial file is gone


def test_a_disabled_account_gets_no_file(app: Flask) -> None:
    job_id = queued(app)
    update_user(state_of(app).db, SCOPED, NOW, "cli:test", active=False)
    found = run(app, job_id)
    assert found.status == store.FAILED and found.error == work.NO_LONGER
    failed = [e for e in all_entries(state_of(app).db) if e.detail.get("status") == "failed"]
    assert failed and failed[0].actor == SCOPED


def test_a_job_whose_worker_died_is_failed_by_the_tidy_up(app: Flask, clock: Clock) -> None:
    db = state_of(app).db
    job_id = queued(app)
    assert store.claim(db, job_id, NOW)  # a worker took it, then was killed
    clock.now = NOW + store.STALLED_AFTER + timedelta(minutes=1)
    current_jobs(app).tidy()
    found = store.get(db, job_id)
    assert found is not None and found.status == store.FAILED and found.error == store.STALLED
    assert not store.claim(db, job_id, clock.now)  # and no worker revives it


def test_a_job_taken_while_the_database_was_away_is_retried_a_minute_later(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = current_jobs(app)
    job_id = queued(app)
    claim = store.claim
    away = iter([DatabaseUnavailableError(UNREACHABLE, "connection refused")])

    def claim_once_away(*args: object) -> bool:
        error = next(away, None)
        if error is not None:
            raise error
        return claim(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "claim", claim_once_away)
    jobs.submit(job_id)  # the test queue runs the task at once: the database is away
    [retry] = jobs.queue().scheduled()
    assert retry.retry_delay == RETRY_SECONDS
    assert store.get(state_of(app).db, job_id).status == store.QUEUED  # type: ignore[union-attr]
    jobs.queue().execute(retry, timestamp=retry.eta)  # a minute later, the database is back
    assert store.get(state_of(app).db, job_id).status == store.DONE  # type: ignore[union-attr]
