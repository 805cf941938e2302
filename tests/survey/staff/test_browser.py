"""The login page and the audit log in real Chromium, served under /survey as in `yiti serve`:
axe-core finds no WCAG 2.1 A/AA violation at desktop and phone width, with and without errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from survey.storage.audit import append
from tests.browser import (
    WIDTHS,
    assert_one_heading,
    axe_violations,
    describe,
    serving,
    under_survey,
)
from tests.survey.conftest import NOW, PASSWORD, Clock, add_staff, make_app, state_of

pytestmark = pytest.mark.browser

AUDITOR = "auditor@example.org"
LOGIN = "/survey/staff/login/"
LOG = "/survey/staff/audit/"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with an auditor and a page and a half of entries, on 127.0.0.1 under /survey."""
    tmp = Path(tmp_path_factory.mktemp("staff"))
    app = make_app(f"sqlite:///{tmp / 'survey.sqlite3'}", tmp, Clock(), TESTING=False)
    add_staff(app, AUDITOR, "auditor")
    db = state_of(app).db
    for number in range(70):
        detail = {"rows": number, "filters": {"topic": "ebike-charging", "wave": "2026-end"}}
        at = NOW - timedelta(minutes=number)
        append(
            db,
            at,
            "evaluator@example.org",
            "download",
            target="ebike-charging/2026-end",
            detail=detail,
        )
    with serving(under_survey(app)) as base:
        yield base
    state_of(app).db.dispose()


@pytest.fixture(params=list(WIDTHS), scope="module")
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    """A browser page at each width."""
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    yield context.new_page()
    context.close()


def assert_accessible(page: Any) -> None:
    """One <h1>, nothing wider than the screen, and no axe-core violation."""
    assert_one_heading(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_login_page_and_its_errors_are_accessible(page: Any, server: str) -> None:
    page.context.clear_cookies()
    page.goto(server + LOGIN)
    assert_accessible(page)
    page.click("button[type=submit]")  # nothing filled in: errors beside both fields
    expect(page.locator("p.error")).to_have_count(2)  # waits for the answered page
    assert_accessible(page)


def test_the_audit_log_and_its_filter_errors_are_accessible(page: Any, server: str) -> None:
    page.context.clear_cookies()
    page.goto(server + LOGIN)
    page.fill("input[name=email]", AUDITOR)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/audit/")
    assert page.locator("table.audit tbody tr").count() == 50
    assert_accessible(page)
    page.click("text=更早的记录")
    page.wait_for_url("**before=**")
    assert_accessible(page)
    page.goto(server + LOG + "?start=2026-11-27&end=2026-11-01")
    assert page.locator("#end-error").inner_text() == "结束日期不能早于起始日期"
    assert_accessible(page)
