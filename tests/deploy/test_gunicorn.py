"""The gunicorn configuration holds only known settings and really serves the survey."""

from __future__ import annotations

import os
import runpy
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from gunicorn.config import Config  # type: ignore[import-untyped]  # gunicorn ships no types

from survey.db import Database
from survey.migrate import upgrade
from tests.conftest import CONTENT, ROOT
from tests.deploy.conftest import DEPLOY, free_port

CONFIG = DEPLOY / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).with_name("gunicorn")
# Inside the shipped 2026-end wave, as tests/survey/conftest.py's NOW (Beijing time).
NOW = "2026-11-27T12:00:00+08:00"
STARTUP_SECONDS = 60  # generous: a loaded CI machine; a healthy start takes about two


def settings() -> dict[str, Any]:
    """The names the configuration file defines, as gunicorn would read them."""
    namespace = runpy.run_path(str(CONFIG))
    return {k: v for k, v in namespace.items() if not k.startswith("_") and k.islower()}


def test_every_setting_is_one_gunicorn_knows() -> None:
    config = Config()
    modules = {"multiprocessing", "os", "annotations"}
    for name, value in settings().items():
        if name in modules:
            continue
        # gunicorn silently ignores unknown names in a config file; a typo would go unnoticed.
        assert name in config.settings, f"gunicorn has no setting {name!r}"
        config.set(name, value)  # validates the type


def test_it_binds_to_loopback_with_workers_and_timeouts() -> None:
    values = settings()
    assert values["bind"] == ["127.0.0.1:8001"]
    assert values["workers"] >= 1
    assert values["timeout"] >= values["graceful_timeout"] > 0
    assert values["wsgi_app"] == "survey.ops.wsgi:app"


def test_the_access_log_leaves_out_query_strings_and_referers() -> None:
    line = settings()["access_log_format"]
    for atom in ("%(r)s", "%(q)s", "%(f)s", "%(h)s", "%({x-forwarded-for}i)s"):
        assert atom not in line


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """gunicorn with the shipped configuration and two workers on SQLite; its base URL and log."""
    database = f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    db = Database(database)
    upgrade(db)
    db.dispose()
    port = free_port()
    environment = os.environ | {
        "DATABASE_URL": database,
        "SECRET_KEY": "test-secret",
        "YITI_CONTENT_DIR": str(CONTENT),
        "YITI_INSTANCE_DIR": str(tmp_path / "instance"),
        "YITI_NOW": NOW,
    }
    log = tmp_path / "gunicorn.log"
    command = [str(GUNICORN), "--config", str(CONFIG), "--bind", f"127.0.0.1:{port}"]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--workers", "2"], cwd=ROOT, env=environment, stdout=output, stderr=output
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process, log)
        yield base, log
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=STARTUP_SECONDS)


def wait_until_serving(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll until gunicorn answers; fail with its log if it exits or never answers."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            requests.get(f"{base}/survey/", timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening, or still loading
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer:\n{log.read_text()}")


def test_gunicorn_serves_the_survey_under_survey_and_logs_no_codes(
    served: tuple[str, Path],
) -> None:
    base, log = served
    form = requests.get(f"{base}/survey/ebike-charging/2026-end/?code=K7QX-M9PA-3RTU", timeout=10)
    assert form.status_code == 200
    assert 'action="/survey/ebike-charging/2026-end/' in form.text
    assert requests.get(f"{base}/elsewhere/", timeout=10).status_code == 404
    assert "K7QX" not in log.read_text()
    assert "GET /survey/ebike-charging/2026-end/ 200" in log.read_text()
