"""Staff find every page by following links: a crawl from the login page, per role.

The test knows no page by name: the pages a role must reach are every GET route of the
blueprints the access table (tests/survey/routes.py `ROLES_OF`) gives that role, and the crawl
may only follow `<a href>` links of the pages it fetched. A page with no link to it fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from werkzeug.exceptions import HTTPException

from survey.jobs import current_jobs, store, work
from tests.survey.conftest import WAVE, CheckingClient, Clock, log_in, make_app, state_of
from tests.survey.routes import (
    EMAILS,
    FIELDWORK_KEY,
    ROLES_OF,
    TOPIC_A,
    seed,
    seed_fieldwork,
    visitors,
)

# After the 2026-end wave closed, so the admin may preview its results for publication.
CLOSED = datetime(2026, 12, 16, 4, 0, tzinfo=UTC)
MOST_PAGES = 400  # a crawl that needs more has found a link loop, not more pages


@pytest.fixture
def crawl_app(tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    """Two topics with a response each, finished background downloads, accounts of every role."""
    key = {"YITI_FIELDWORK_KEY": FIELDWORK_KEY}
    app = make_app(
        f"sqlite:///{tmp_path / 'crawl.sqlite3'}", tmp_path, clock, RATELIMIT_ENABLED=False, **key
    )
    seed(app)
    visitors(app)  # creates the accounts of routes.EMAILS
    seed_fieldwork(app)  # the interviewer holds a case: its page and interview are linked
    clock.now = CLOSED
    jobs = current_jobs(app)
    for role in ("admin", "evaluator"):  # a finished background download of each
        asked = store.Asked(EMAILS[role], WAVE, TOPIC_A, (TOPIC_A,), "xlsx", CLOSED)
        work.run(jobs.state, jobs.folder, store.create(jobs.state.db, asked).id)
    yield app
    state_of(app).db.dispose()


def pages_for(app: Flask, role: str) -> set[str]:
    """Endpoints of every GET route the access table lets `role` use."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and role in ROLES_OF.get(rule.endpoint.rpartition(".")[0], set())
    }


def crawl(app: Flask, client: CheckingClient, start: str) -> set[str]:
    """Endpoints reached from `start` by following links only."""
    adapter = app.url_map.bind("localhost")
    todo, seen, reached = [start], {start}, set()
    while todo and len(seen) < MOST_PAGES:
        url = todo.pop()
        response = client.client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        parts = urlsplit(url)
        try:
            endpoint, _ = adapter.match(parts.path, query_args=parts.query)
        except HTTPException:
            continue
        reached.add(endpoint)
        if response.mimetype != "text/html":
            response.close()
            continue
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        for link in soup.select("a[href]"):
            href = str(link["href"]).split("#")[0]
            if href.startswith("/staff/") and href not in seen:
                seen.add(href)
                todo.append(href)
    return reached


@pytest.mark.parametrize("role", sorted(EMAILS))
def test_every_page_a_role_may_use_is_reached_by_links_from_its_home(
    crawl_app: Flask, role: str
) -> None:
    client = CheckingClient(crawl_app.test_client())
    home = log_in(client, EMAILS[role]).response.headers["Location"]
    reached = crawl(crawl_app, client, home)
    assert pages_for(crawl_app, role) - reached == set()
