"""The interviewer's path in real Chromium, served under /survey as `yiti serve` does: log in,
下一个个案, a no-answer, the next case, the interview, the saved page; at phone and desktop width,
with no sideways scroll and no axe-core WCAG 2.1 A/AA violation on any page of the path.

With YITI_SHOTS=DIR set, each page is also saved as DIR/<width>/fieldwork-<name>.png to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from survey.fieldwork.crypto import ENV
from tests.browser import (
    WIDTHS,
    assert_one_heading,
    axe_violations,
    describe,
    serving,
    under_survey,
)
from tests.survey.conftest import PASSWORD, Clock, add_staff, make_app, state_of
from tests.survey.fieldwork.conftest import CIPHER_KEY, MORNING, TOPIC, WAVE, Field

pytestmark = pytest.mark.browser

START = f"/survey/staff/calls/{WAVE}/{TOPIC}/"


@pytest.fixture(params=list(WIDTHS))
def path(request: pytest.FixtureRequest, browser: Any, tmp_path: Path) -> Iterator[Any]:
    """A served app with cases and an interviewer, and a browser page at one width."""
    app = make_app(
        f"sqlite:///{tmp_path / 'survey.sqlite3'}",
        tmp_path,
        Clock(MORNING),
        TESTING=False,
        RATELIMIT_ENABLED=False,
        **{ENV: CIPHER_KEY},
    )
    field = Field(state_of(app).db)
    field.wave()
    field.cases(2)
    add_staff(app, "caller@example.org", "interviewer")
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    with serving(under_survey(app)) as base:
        page = context.new_page()
        page.base = base
        page.width_name = request.param
        yield page
    context.close()
    state_of(app).db.dispose()


def check(page: Any, name: str) -> None:
    """One <h1>, no sideways scroll, no axe violation; a screenshot when YITI_SHOTS is set."""
    assert_one_heading(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    violations = axe_violations(page)
    assert not violations, f"{name}: {describe(violations)}"
    folder = os.environ.get("YITI_SHOTS")
    if folder:
        target = Path(folder) / str(page.viewport_size["width"]) / f"fieldwork-{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)


def test_an_interviewer_records_a_no_answer_then_completes_an_interview(path: Any) -> None:
    page, base = path, path.base
    page.goto(base + "/survey/staff/login/")
    page.fill("input[name=email]", "caller@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/calls/")
    check(page, "index")
    page.click(f"a[href='{START}']")
    check(page, "start")
    page.click("button:has-text('下一个个案')")
    page.wait_for_url("**/cases/*/")
    assert page.locator("dd.phone").inner_text() == "199 0000 0000"
    check(page, "case")
    page.check("input[value='3.13']")
    page.click("button:has-text('保存拨打结果')")
    page.wait_for_url("**?saved=outcome")
    page.click("button:has-text('下一个个案')")
    page.wait_for_url("**/cases/*/")
    assert page.locator("dd.phone").inner_text() == "199 0000 0001"
    page.click("a:has-text('开始访问')")
    page.wait_for_url("**/interview")
    assert page.locator(".unread").count() >= 1
    check(page, "interview")
    answer(page)
    page.click("button:has-text('保存访问')")
    page.wait_for_load_state()
    assert "saved=interview" in page.url, page.locator("main").inner_text()[:800]
    assert "访问已完成并保存" in page.locator("p.notice").first.inner_text()
    check(page, "saved")


def answer(page: Any) -> None:
    """Consent, then one answer to every required question (by its label text)."""
    page.check("label:has-text('同意，开始访问')")
    for label in ["听说过", "有所改善", "已解决", "满意", "打过", "小区内"]:
        page.locator(f"label:text-is('{label}')").first.check()
    page.locator("label:text-is('海淀区')").check()


def test_the_supervisor_pages_are_accessible(browser: Any, tmp_path: Path) -> None:
    from tests.survey.fieldwork.test_supervision import worked_example

    app = make_app(
        f"sqlite:///{tmp_path / 'survey.sqlite3'}",
        tmp_path,
        Clock(MORNING),
        TESTING=False,
        RATELIMIT_ENABLED=False,
        **{ENV: CIPHER_KEY},
    )
    Field(state_of(app).db).wave()
    worked_example(app)
    add_staff(app, "boss@example.org", "supervisor")
    with serving(under_survey(app)) as base:
        for width, height in WIDTHS.values():
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="zh-CN"
            )
            page = context.new_page()
            page.goto(base + "/survey/staff/login/")
            page.fill("input[name=email]", "boss@example.org")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/staff/fieldwork/")
            check(page, "supervision-index")
            page.click(f"a[href='/survey/staff/fieldwork/{WAVE}/{TOPIC}/']")
            check(page, "supervision")
            context.close()
    state_of(app).db.dispose()
