"""The WSGI entry point mounts the survey at /survey and reads its settings from the environment."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from werkzeug.test import Client

from tests.conftest import CONTENT

NOW = "2026-11-27T12:00:00+08:00"  # inside the shipped 2026-end wave


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Client:
    """A client on a freshly loaded `survey.ops.wsgi:app`, configured as systemd would."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'survey.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    monkeypatch.setenv("YITI_CONTENT_DIR", str(CONTENT))
    monkeypatch.setenv("YITI_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("YITI_NOW", NOW)
    namespace = runpy.run_module("survey.ops.wsgi")
    namespace["survey_app"].extensions["yiti_survey"].db.dispose()
    return Client(namespace["app"])


def test_the_survey_answers_under_survey_with_links_that_keep_the_mount(client: Client) -> None:
    page = client.get("/survey/ebike-charging/2026-end/")
    assert page.status_code == 200
    assert 'action="/survey/ebike-charging/2026-end/' in page.get_data(as_text=True)


def test_paths_outside_survey_are_not_found(client: Client) -> None:
    assert client.get("/ebike-charging/2026-end/").status_code == 404
