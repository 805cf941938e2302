"""Every route `yiti serve` answers carries the security headers: each file of a real built site,
directory redirects, the 404 page, and every survey route with the survey's own stricter policy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import Client, TestResponse

from generator.site.csp import site_headers
from generator.site.serve import SURVEY_MOUNT, combined_app
from survey.storage.repository import create_schema
from survey.security import HEADERS
from tests.conftest import CONTENT
from tests.survey.conftest import TOPIC, WAVE, state_of


@pytest.fixture
def served(built_site: Path, tmp_path: Path) -> Iterator[tuple[Client, Flask]]:
    """A test client for `yiti serve`'s application, and the survey app mounted in it."""
    config = {
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'survey.sqlite3'}",
        "SECRET_KEY": "test-secret",
        "YITI_CONTENT_DIR": str(CONTENT),
        "YITI_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    application = combined_app(built_site, config)
    survey: Flask = application.mounts[SURVEY_MOUNT]
    create_schema(state_of(survey).db)
    yield Client(application), survey
    state_of(survey).db.dispose()


def fetch(client: Client, path: str) -> TestResponse:
    """GET `path`, closing the response (and the file it sent)."""
    response = client.get(path)
    response.close()
    return response


def site_paths(site: Path) -> list[str]:
    """A URL for every file of the built site, and each page's directory URL."""
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    pages = [f"/{f.removesuffix('index.html')}" for f in files if f.endswith("index.html")]
    return [*(f"/{f}" for f in files), *pages]


def survey_routes(survey: Flask) -> list[tuple[str, str]]:
    """(method, URL under the mount) for every rule of the survey app: GET where it takes it,
    else its other method. A rule with a parameter not named here fails, so a new route with a
    new kind of parameter is added, not skipped."""
    values: dict[str, Any] = {
        "slug": TOPIC,
        "wave": WAVE,
        "receipt": "NO-SUCH-RECEIPT",
        "filename": "survey.css",
        "fmt": "csv",
        "response_id": 1,
        "job_id": "NO-SUCH-JOB",
        "case_id": 1,
    }
    routes = []
    with survey.test_request_context():
        for rule in survey.url_map.iter_rules():
            url = survey.url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
            method = "GET" if "GET" in (rule.methods or ()) else sorted(rule.methods or ())[0]
            routes.append((method, f"{SURVEY_MOUNT}{url}"))
    return routes


def assert_headers(response: TestResponse, expected: dict[str, Any], path: str) -> None:
    """Each expected header with its exact value, and no HSTS over plain HTTP."""
    for name, value in expected.items():
        assert response.headers.get(name) == value, f"{path}: {name}"
    assert "Strict-Transport-Security" not in response.headers, path


def test_every_file_of_the_site_is_served_with_the_site_headers(
    served: tuple[Client, Flask], built_site: Path
) -> None:
    paths = site_paths(built_site)
    kinds = {Path(p).suffix for p in paths}
    assert {".html", ".css", ".js", ".json", ".svg", ".xml"} <= kinds, kinds
    for path in paths:
        response = fetch(served[0], path)
        assert response.status_code == 200, path
        assert_headers(response, site_headers(), path)


@pytest.mark.parametrize(
    ("path", "status"),
    [("/no-such-page/", 404), ("/../etc/passwd", 404), ("/topics", 301), ("/about", 301)],
)
def test_errors_and_redirects_carry_the_site_headers(
    served: tuple[Client, Flask], path: str, status: int
) -> None:
    response = fetch(served[0], path)
    assert response.status_code == status
    assert_headers(response, site_headers(), path)


def test_every_survey_route_keeps_the_survey_headers(served: tuple[Client, Flask]) -> None:
    client, survey = served
    routes = survey_routes(survey)
    assert len(routes) == len(list(survey.url_map.iter_rules())) >= 5
    for method, url in [*routes, ("GET", f"{SURVEY_MOUNT}/no-such-page/")]:
        response = client.open(url, method=method)
        response.close()
        assert response.status_code < 500, url
        assert_headers(response, HEADERS, url)
