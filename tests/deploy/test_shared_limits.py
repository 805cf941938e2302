"""Rate limits hold across gunicorn workers when they share Redis, and do not without it.

Four browsers submit at once from one address, alternately to two gunicorn servers of one
worker each (as two app servers behind a load balancer), so two worker processes always share
the burst; the kernel's choice of worker inside one server cannot hide the sharing (one worker
of two did answer everything in some loaded runs). With Redis every worker adds to one count: exactly the hard limit (`YITI_POST_LIMIT`) is accepted
and every submission after it is refused with 429, and the soft limits flag exactly the
submissions past theirs. With the default per-process `memory://` store the same burst gets more
than the limit through, which is why deploy/README.md asks for Redis: the test can fail.
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import requests

from survey.storage.db import Database
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

REDIS = os.environ.get("YITI_TEST_REDIS", "redis://127.0.0.1:6379/1")
LIMIT = 5  # submissions per address per hour, then 429
FLAG_ADDRESS = 2  # per address per hour, then flagged busy_address
FLAG_DEVICE = 2  # per browser per day, then flagged busy_device
CLIENTS = 4  # browsers submitting at once: more than workers, so both are kept busy
ROUNDS = 3  # submissions per browser: 12 in all, well past the limit
HIDDEN = re.compile(r'name="(csrf_token|ticket)"[^>]*value="([^"]+)"')
# The access log with the answering worker's pid: "<1234> POST /ebike-charging/2026-end/ 303".
ACCESS = "%(p)s %(m)s %(U)s %(s)s"
ANSWERED = re.compile(r"^<(\d+)> POST \S+ (\d{3})$", re.M)


def redis_reachable() -> bool:
    """Whether Redis answers PING at 127.0.0.1:6379 within two seconds."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as probe:
            probe.sendall(b"PING\r\n")
            return probe.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def limited(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[list[Server], str, str]]:
    """Two gunicorns as shipped, one worker each, on one database with small limits and the
    store under test; the servers, the database and the store. Counters get a key prefix of
    their own, deleted after."""
    require(GUNICORN.exists(), f"gunicorn at {GUNICORN}")
    storage = "memory://"
    if request.param == "redis":
        require(redis_reachable(), f"Redis at {REDIS}")
        storage = REDIS
    prefix = f"yiti-test-{uuid.uuid4().hex[:12]}"
    environment = survey_environment(
        tmp_path,
        YITI_RATELIMIT_STORAGE_URI=storage,
        YITI_POST_LIMIT=f"{LIMIT}/hour",
        YITI_FLAG_IP_LIMIT=f"{FLAG_ADDRESS}/hour",
        YITI_FLAG_DEVICE_LIMIT=f"{FLAG_DEVICE}/day",
        YITI_MIN_FILL_SECONDS="0",
    )
    # The shipped settings; the app built by the factory gunicorn can call, given the prefix
    # (not a setting the environment can give).
    app = f"survey:create_app({{'RATELIMIT_KEY_PREFIX': '{prefix}'}})"
    try:
        with ExitStack() as stack:
            servers = [
                stack.enter_context(serving(app, environment, tmp_path / f"gunicorn-{n}.log"))
                for n in range(2)
            ]
            yield servers, environment["DATABASE_URL"], storage
    finally:
        if storage == REDIS:
            delete_keys(prefix)


@contextmanager
def serving(app: str, environment: dict[str, str], log: Path) -> Iterator[Server]:
    """One gunicorn with the shipped configuration and one worker, until the block ends."""
    port = free_port()
    command = [str(GUNICORN), "--config", str(GUNICORN_CONFIG), "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--access-logformat", ACCESS, app]
    yield from running(command, Server(f"http://127.0.0.1:{port}", log), environment)


def delete_keys(prefix: str) -> None:
    """Remove this run's counters from the shared Redis (the per-device ones last a day)."""
    import redis

    client = redis.Redis.from_url(REDIS)
    try:
        for key in client.scan_iter(match=f"*{prefix}*", count=1000):
            client.delete(key)
    finally:
        client.close()


def browser(base: str) -> list[int]:
    """One browser (one session cookie, so one device) submitting ROUNDS times: the statuses."""
    url = f"{base}/{TOPIC}/{WAVE}/"
    statuses = []
    with requests.Session() as session:
        for _ in range(ROUNDS):
            page = session.get(url, timeout=60)
            assert page.status_code == 200, page.text[:300]
            body = dict(HIDDEN.findall(page.text)) | {"website": ""} | ANSWERS
            answer = session.post(url, data=body, allow_redirects=False, timeout=60)
            statuses.append(answer.status_code)
    return statuses


def burst(servers: list[Server]) -> tuple[list[list[int]], dict[int, list[int]]]:
    """Every browser's statuses (browsers alternate between the servers), and from the access
    logs each worker's POST statuses."""
    bases = [servers[n % len(servers)].base for n in range(CLIENTS)]
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(browser, bases))
    by_worker: dict[int, list[int]] = {}
    for server in servers:
        for pid, status in ANSWERED.findall(server.log.read_text(encoding="utf-8")):
            by_worker.setdefault(int(pid), []).append(int(status))
    return statuses, by_worker


@pytest.mark.parametrize("limited", ["redis", "memory"], indirect=True)
def test_the_hard_limit_counts_every_worker_only_with_redis(
    limited: tuple[list[Server], str, str],
) -> None:
    servers, _, storage = limited
    statuses, by_worker = burst(servers)
    accepted = sum(s == 303 for browser in statuses for s in browser)
    assert len(by_worker) == 2, f"not every worker answered: {by_worker}"
    assert {s for answered in by_worker.values() for s in answered} <= {303, 429}
    if storage == "memory://":
        assert accepted > LIMIT  # each worker counted only its own share
        return
    assert accepted == LIMIT, statuses
    for browser in statuses:  # once refused, refused: the shared count only grows
        assert browser == sorted(browser, key=lambda status: status == 429), statuses


@pytest.mark.parametrize("limited", ["redis"], indirect=True)
def test_soft_limits_flag_across_workers_with_redis(
    limited: tuple[list[Server], str, str],
) -> None:
    servers, database, _ = limited
    statuses, _ = burst(servers)
    db = Database(database)
    stored = responses(db, TOPIC, WAVE)
    db.dispose()
    assert len(stored) == LIMIT
    flagged = [r for r in stored if "busy_address" in r.flags]
    assert len(flagged) == LIMIT - FLAG_ADDRESS
    per_browser = [sum(s == 303 for s in browser) for browser in statuses]
    busy_devices = sum(max(0, accepted - FLAG_DEVICE) for accepted in per_browser)
    assert sum("busy_device" in r.flags for r in stored) == busy_devices
