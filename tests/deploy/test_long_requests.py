"""Under the shipped gunicorn configuration, a request that runs longer than `timeout` (a large
XLSX being built, a large CSV being streamed) completes instead of its worker being killed.

gunicorn's `timeout` is measured from the worker's last heartbeat. A sync worker beats only
between requests, so one long download is killed mid-request; the gthread worker beats from its
main loop while threads serve requests. The server here runs the shipped config file with
`--timeout 2` and a stand-in app (tests/deploy/slow_app.py) whose requests take 5 s.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import requests

from tests.deploy.conftest import GUNICORN, GUNICORN_CONFIG, Server, free_port, running

TIMEOUT = 2  # seconds, gunicorn's --timeout for this server
SECONDS = 5  # how long each request works: well past TIMEOUT


@pytest.fixture(scope="module")
def short_timeout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn as shipped, one worker, a 2 s timeout, serving the stand-in app."""
    folder = tmp_path_factory.mktemp("long-requests")
    port = free_port()
    command = [
        *(str(GUNICORN), "--config", str(GUNICORN_CONFIG), "--bind", f"127.0.0.1:{port}"),
        *("--workers", "1", "--timeout", str(TIMEOUT), "tests.deploy.slow_app:app"),
    ]
    server = Server(f"http://127.0.0.1:{port}", folder / "gunicorn.log")
    yield from running(command, server, dict(os.environ))


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("build", f"built after {SECONDS} s\n"),
        ("stream", "".join(f"{n}\n" for n in range(1, SECONDS + 1))),
    ],
)
def test_a_request_longer_than_the_timeout_completes_and_no_worker_is_killed(
    short_timeout: Server, route: str, body: str
) -> None:
    response = requests.get(f"{short_timeout.base}/survey/{route}?seconds={SECONDS}", timeout=60)
    assert (response.status_code, response.text) == (200, body)
    assert "WORKER TIMEOUT" not in short_timeout.log.read_text()
