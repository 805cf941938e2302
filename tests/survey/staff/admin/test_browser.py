"""The admin pages in real Chromium: axe-core finds no WCAG 2.1 A/AA violation on the waves
list (with and without form errors, before and after publishing) and the publish preview."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser import (
    WIDTHS,
    assert_one_heading,
    axe_violations,
    describe,
    serving,
    under_survey,
)
from tests.survey.conftest import (
    INVITED_TOPIC,
    NOW,
    PASSWORD,
    WAVE,
    Clock,
    add_staff,
    make_app,
    state_of,
)
from tests.survey.staff.admin.test_views import ADMIN, AFTER_CLOSE
from tests.survey.staff.evaluators.conftest import literal_set, many, seed

pytestmark = pytest.mark.browser

WAVES = "/survey/staff/admin/waves/"
REVIEW = f"/survey/staff/admin/waves/{WAVE}/publish"


@dataclass(frozen=True)
class Served:
    """The running app's address and the clock its pages read."""

    url: str
    clock: Clock


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app with responses in two topics and an admin, served on 127.0.0.1 under /survey."""
    tmp = Path(tmp_path_factory.mktemp("admin"))
    clock = Clock()
    app = make_app(f"sqlite:///{tmp / 'survey.sqlite3'}", tmp, clock, TESTING=False)
    seed(app, literal_set())
    seed(app, many(5, "满意"), topic=INVITED_TOPIC)
    add_staff(app, ADMIN, "admin")
    with serving(under_survey(app)) as base:
        yield Served(base, clock)
    state_of(app).db.dispose()


@pytest.fixture(params=list(WIDTHS))
def admin_page(request: pytest.FixtureRequest, browser: Any, served: Served) -> Iterator[Any]:
    """A page at each width, logged in as the admin through the login form, at NOW."""
    served.clock.now = NOW
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.goto(served.url + "/survey/staff/login/")
    page.fill("input[name=email]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/**")
    yield page
    context.close()


def check(page: Any) -> None:
    """One h1, no axe violation, no page-wide horizontal scrolling."""
    assert_one_heading(page)
    violations = axe_violations(page)
    assert not violations, describe(violations)
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_waves_page_and_its_invitation_form_errors_are_accessible(
    admin_page: Any, served: Served
) -> None:
    admin_page.goto(served.url + WAVES)
    check(admin_page)
    admin_page.fill("input[name=count]", "0")
    admin_page.click("text=生成并下载邀请码（CSV）")
    admin_page.wait_for_selector("p.error")
    check(admin_page)


def test_a_refused_preview_is_accessible(admin_page: Any, served: Served) -> None:
    admin_page.goto(served.url + REVIEW)
    assert "结束后才能发布" in admin_page.inner_text("main")
    check(admin_page)


def test_the_preview_and_the_published_state_are_accessible(
    admin_page: Any, served: Served
) -> None:
    served.clock.now = AFTER_CLOSE  # the wave has closed; the NOW session has expired: log in again
    admin_page.goto(served.url + "/survey/staff/login/")
    admin_page.fill("input[name=email]", ADMIN)
    admin_page.fill("input[name=password]", PASSWORD)
    admin_page.click("button[type=submit]")
    admin_page.wait_for_url("**/staff/**")
    admin_page.goto(served.url + REVIEW)
    check(admin_page)
    admin_page.click("text=确认发布2026 年年底的汇总结果")
    admin_page.wait_for_selector(f"#wave-{WAVE} form")
    check(admin_page)
    admin_page.click("text=撤回2026 年年底已发布的结果")  # leave the next width as it found it
    admin_page.wait_for_selector(f"#wave-{WAVE} a")
