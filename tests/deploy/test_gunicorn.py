"""The gunicorn configuration holds only known settings and really serves the survey."""

from __future__ import annotations

import runpy
from typing import Any

import requests
from gunicorn.config import Config

from tests.deploy.conftest import GUNICORN_CONFIG as CONFIG
from tests.deploy.conftest import Server


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


def test_gunicorn_serves_the_survey_under_survey_and_logs_no_codes(gunicorn: Server) -> None:
    base, log = gunicorn.base, gunicorn.log
    form = requests.get(f"{base}/survey/ebike-charging/2026-end/?code=K7QX-M9PA-3RTU", timeout=10)
    assert form.status_code == 200
    assert 'action="/survey/ebike-charging/2026-end/' in form.text
    assert requests.get(f"{base}/elsewhere/", timeout=10).status_code == 404
    assert "K7QX" not in log.read_text()
    assert "GET /survey/ebike-charging/2026-end/ 200" in log.read_text()
