"""A gunicorn worker killed with SIGKILL mid-burst: every acknowledged answer is stored once.

On both stores: a SQLite file, and a private schema in the test PostgreSQL (tests/survey/conftest.py
`database_url`: created for the test and dropped after it; missing PostgreSQL skips, or fails in CI).
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from survey.storage.db import Database
from survey.storage.migrate import upgrade
from survey.storage.repository import responses
from tests.conftest import require
from tests.deploy.conftest import (
    GUNICORN,
    GUNICORN_CONFIG,
    Server,
    free_port,
    running,
    survey_environment,
)
from tests.survey.conftest import ANSWERS, TOPIC, WAVE

WORKERS = 3
RESIDENTS = 8  # submitting one survey after another until a kill has cut a request
KILL_AFTER = 15  # receipts in hand when the first worker is killed
BURST_SECONDS = 120  # generous: a loaded 2-core CI machine took 35 s for the first receipts
KILL_SETTLE = 0.5  # seconds for a client to notice its connection dropped
ATTEMPTS = 5  # a resident presses "submit" again after a dropped connection
# What a client sees when the worker holding its request dies: no answer, or half a body.
DROPPED = (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)
HIDDEN = re.compile(r'name="(csrf_token|ticket)"[^>]*value="([^"]+)"')


@pytest.fixture
def burst_server(tmp_path: Path, database_url: str) -> Iterator[tuple[Server, str, int]]:
    """gunicorn as shipped with several workers on a fresh database of each kind; and its
    master pid. The schema is dropped only after gunicorn has stopped (the fixture order)."""
    require(GUNICORN.exists(), f"gunicorn at {GUNICORN}")
    db = Database(database_url)
    upgrade(db)
    db.dispose()
    # One test address sends the whole burst.
    environment = survey_environment(
        tmp_path, DATABASE_URL=database_url, YITI_POST_LIMIT="100000/minute"
    )
    port = free_port()
    pid = tmp_path / "gunicorn.pid"
    command = [str(GUNICORN), "--config", str(GUNICORN_CONFIG), "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(WORKERS), "--pid", str(pid)]
    server = Server(f"http://127.0.0.1:{port}", tmp_path / "gunicorn.log")
    for started in running(command, server, environment):
        yield started, environment["DATABASE_URL"], int(pid.read_text())


def workers(master: int) -> list[int]:
    """The master's worker processes now (Linux: the kernel lists a process's children)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def submit(base: str, cut: list[str]) -> str:
    """One resident: GET the form, POST the answers (each again if the connection drops, noted
    in `cut`)."""
    url = f"{base}/survey/{TOPIC}/{WAVE}/"
    with requests.Session() as session:
        body = _form(session, url, cut)
        for _ in range(ATTEMPTS):
            try:
                answer = session.post(url, data=body, allow_redirects=False, timeout=30)
            except requests.Timeout:
                continue  # a loaded machine; the resident gives up waiting and submits again
            except DROPPED:
                cut.append("POST")
                continue  # the worker died holding this request; the same form is sent again
            assert answer.status_code == 303, answer.text[:500]
            return answer.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    raise AssertionError(f"no receipt after {ATTEMPTS} attempts")


def _form(session: requests.Session, url: str, cut: list[str]) -> dict[str, object]:
    for _ in range(ATTEMPTS):
        try:
            page = session.get(url, timeout=30)
        except requests.Timeout:
            continue
        except DROPPED:
            cut.append("GET")
            continue  # the worker died while serving the form: the resident reloads
        assert page.status_code == 200, page.text[:500]
        return dict(HIDDEN.findall(page.text)) | {"website": ""} | ANSWERS
    raise AssertionError(f"no form after {ATTEMPTS} attempts")


def test_sigkill_of_a_worker_mid_burst_loses_and_doubles_nothing(
    burst_server: tuple[Server, str, int],
) -> None:
    server, database, master = burst_server
    receipts: list[str] = []
    cut: list[str] = []  # requests whose connection a kill dropped
    stop = threading.Event()

    def resident() -> None:
        """Submits one survey after another until the burst is over."""
        while not stop.is_set():
            receipts.append(submit(server.base, cut))

    with ThreadPoolExecutor(max_workers=RESIDENTS) as pool:
        running_residents = [pool.submit(resident) for _ in range(RESIDENTS)]
        try:
            _wait_for(lambda: len(receipts) >= KILL_AFTER, "the first receipts")
            _kill_until_a_request_is_cut(master, cut)
        finally:
            stop.set()
        for finished in running_residents:
            finished.result()  # a resident's failed assertion fails the test here
    db = Database(database)
    stored = responses(db, TOPIC, WAVE)
    db.dispose()
    assert cut, "no kill cut off a request in flight"
    assert Counter(r.receipt for r in stored) == Counter(receipts)
    assert len({r.submission_id for r in stored}) == len(stored) == len(receipts)


def _kill_until_a_request_is_cut(master: int, cut: list[str]) -> None:
    """SIGKILL one worker after another while the residents keep submitting, until a kill has
    dropped a request in flight (a worker may sit between two requests when killed)."""
    killed: set[int] = set()
    deadline = time.monotonic() + BURST_SECONDS
    while not cut and time.monotonic() < deadline:
        victim = next((pid for pid in workers(master) if pid not in killed), None)
        if victim is None:  # every worker is a killed one still being replaced
            time.sleep(KILL_SETTLE)
            continue
        os.kill(victim, signal.SIGKILL)
        killed.add(victim)
        time.sleep(KILL_SETTLE)


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + BURST_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"no {what} after {BURST_SECONDS} s"
        time.sleep(0.05)
