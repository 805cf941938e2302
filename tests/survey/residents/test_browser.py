"""The survey in real Chromium on a real server at 127.0.0.1, mounted under /survey as in
`yiti serve`: keyboard alone at phone width, no JavaScript, and axe-core on every page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import WIDTHS, axe_violations, describe, origin_of, serving, under_survey
from tests.survey.conftest import INVITED_TOPIC, TOPIC, WAVE, Clock, make_app, state_of

pytestmark = pytest.mark.browser

FORM = f"/survey/{TOPIC}/{WAVE}/"
PAGES = {
    "index": "/survey/",
    "privacy": "/survey/privacy/",
    "questionnaire": FORM,
    "invitation": f"/survey/{INVITED_TOPIC}/{WAVE}/?channel=invitation",
    "closed": f"/survey/{TOPIC}/2024-end/",
    "not-found": "/survey/no-such-topic/2026-end/",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The survey app served by werkzeug on a free port of 127.0.0.1, under /survey."""
    tmp = Path(tmp_path_factory.mktemp("browser"))
    app = make_app(f"sqlite:///{tmp / 'survey.sqlite3'}", tmp, Clock(), TESTING=False)
    with serving(under_survey(app)) as base:
        yield base
    state_of(app).db.dispose()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page at 390 px width."""
    width, height = WIDTHS["phone"]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_a_keyboard_alone_fills_and_submits_the_survey_at_phone_width(
    phone: Any, server: str
) -> None:
    foreign: list[str] = []
    phone.on("request", lambda r: foreign.append(r.url) if origin_of(r.url) != server else None)
    phone.goto(server + FORM)
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTHS["phone"][0]
    for _ in range(300):
        phone.keyboard.press("Tab")
        focused = phone.evaluate(
            "(() => { const e = document.activeElement;"
            " return [e.tagName, e.type || '', e.name || '',"
            " e.name ? document.querySelectorAll(`[name='${e.name}']:checked`).length : 0]; })()"
        )
        tag, kind, _name, checked = focused
        if kind in ("radio", "checkbox") and not checked:
            phone.keyboard.press("Space")
        elif tag == "SELECT":
            phone.keyboard.press("ArrowDown")  # the first 街乡镇, in the first district
        elif tag == "TEXTAREA":
            phone.keyboard.type("楼下新装了充电桩")
        elif tag == "BUTTON":
            phone.keyboard.press("Enter")
            break
    phone.wait_for_url("**/thanks/**")
    assert phone.locator("#receipt").inner_text().count("-") == 2
    assert phone.locator("h1").inner_text() == "谢谢您，答卷已提交"
    assert not foreign, foreign
    violations = axe_violations(phone)  # the thank-you page, too
    assert not violations, describe(violations)


def test_the_survey_works_with_javascript_disabled(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(server + FORM)
    page.click("button[type=submit]")  # nothing answered: the server says what is missing
    expect(page.locator(".error-summary")).to_be_visible()  # waits for the answered page
    for name, value in [
        ("awareness", "听说过"),
        ("change", "没有变化"),
        ("solved", "部分解决"),
        ("satisfaction", "基本满意"),
        ("district", "朝阳区"),
        ("hotline", "没打过"),
        ("charging_distance", "步行 5 分钟以内"),
        ("went_badly", "办理时间太长"),
    ]:
        page.locator(f"input[name='{name}'][value='{value}']").check()
    page.select_option("select[name=street]", label="八里庄街道")  # 朝阳区's comes first
    page.click("button[type=submit]")
    page.wait_for_url("**/thanks/**")
    assert page.locator("#receipt").is_visible()
    context.close()


@pytest.mark.parametrize("path", list(PAGES.values()), ids=list(PAGES))
def test_no_accessibility_violations_on_survey_pages(phone: Any, server: str, path: str) -> None:
    phone.goto(server + path)
    violations = axe_violations(phone)
    assert not violations, describe(violations)


def test_no_accessibility_violations_with_errors_shown_or_after_submitting(
    browser: Any, server: str
) -> None:
    for width, height in WIDTHS.values():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(server + FORM)
        page.click("button[type=submit]")
        # The answered page, not the one being left: axe on a document mid-navigation fails.
        page.locator(".error-summary").wait_for()
        violations = axe_violations(page)
        assert not violations, describe(violations)
        context.close()
