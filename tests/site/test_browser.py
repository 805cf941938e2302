"""The built site in real Chromium: accessibility, no foreign requests, search, keyboard, safety."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from generator.site.render.charts import volume_chart
from generator.site.svgstyles import styles_as_attributes
from tests.browser import WIDTHS, axe_violations, describe, origin_of

pytestmark = pytest.mark.browser

TOPIC = "/topics/2022/old-building-elevators/"
PAGE_TYPES = {
    "home": "/",
    "year": "/years/2022/",
    "years": "/years/",
    "themes": "/themes/",
    "about": "/about/",
    "overview": TOPIC,
    "duties": f"{TOPIC}duties/",
    "procedure": f"{TOPIC}procedure/",
    "flowchart": f"{TOPIC}flowchart/",
    "qa": f"{TOPIC}qa/",
    "topic-monitoring": f"{TOPIC}monitoring/",
    "monitoring": "/monitoring/",
    "ranking": "/monitoring/ranking/2024-12/",
    "not-found": "/no-such-page/",
}


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Any:
    """A fresh page; fails the test if any script dialog opens (content must never run) or if
    Chromium reports that the Content-Security-Policy blocked anything (the site would break)."""
    width, height = WIDTHS[getattr(request, "param", "desktop")]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    new = context.new_page()
    dialogs: list[str] = []
    violations: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    new.on("dialog", on_dialog)
    new.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else None)
    yield new
    context.close()
    assert not dialogs, f"a script from content ran: {dialogs}"
    assert not violations, f"the Content-Security-Policy blocked: {violations}"


@pytest.mark.parametrize("page", list(WIDTHS), indirect=True)
@pytest.mark.parametrize("path", list(PAGE_TYPES.values()), ids=list(PAGE_TYPES))
def test_no_accessibility_violations(page: Any, site_url: str, path: str) -> None:
    page.goto(site_url + path)
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.mark.parametrize("path", list(PAGE_TYPES.values()), ids=list(PAGE_TYPES))
def test_no_request_leaves_the_site(page: Any, site_url: str, path: str) -> None:
    foreign: list[str] = []
    page.on(
        "request",
        lambda r: foreign.append(r.url) if origin_of(r.url) != site_url else None,
    )
    page.goto(site_url + path, wait_until="networkidle")
    assert not foreign, foreign


def test_search_finds_a_word_from_the_middle_of_a_heading(page: Any, site_url: str) -> None:
    page.goto(site_url + "/")
    page.keyboard.press("/")  # Material's shortcut focuses the search box
    page.keyboard.type("维护保养")  # from the heading "电梯装好后谁负责维护保养？"
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    links = page.locator(".md-search-result__link")
    found = {
        # jieba's segmentation shows as zero-width spaces between words in the results.
        links.nth(i).inner_text().replace("\u200b", ""): str(links.nth(i).get_attribute("href"))
        for i in range(links.count())
    }
    hits = [href for text, href in found.items() if "电梯装好后谁负责维护保养" in text]
    assert hits, found
    target = urlsplit(hits[0])
    assert target.path == "/topics/2022/old-building-elevators/qa/"
    assert unquote(target.fragment) == "电梯装好后谁负责维护保养"  # a readable anchor


def test_keyboard_user_can_skip_to_content_and_reach_the_parts(page: Any, site_url: str) -> None:
    page.goto(site_url + TOPIC)
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent.trim()")
    assert skip == "跳转至"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash")  # the skip link moved us to the content
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "一表：办理流程表":
            break
    else:
        pytest.fail("the 一表 link was not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/procedure/")


def test_hostile_content_is_inert_text(page: Any, site_url: str, built_site: Path) -> None:
    page.goto(site_url + TOPIC)
    assert "<script>alert('x')</script>" in page.locator("h1").inner_text()
    page.goto(site_url + TOPIC + "qa/")
    assert page.locator("a[href^='javascript:']").count() == 0


def test_pages_are_served_with_a_policy_that_allows_nothing_inline(
    page: Any, site_url: str
) -> None:
    response = page.goto(site_url + TOPIC)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy


def test_a_blocked_inline_style_is_reported_on_the_console(browser: Any, site_url: str) -> None:
    """The page fixture's check can fail: Chromium reports what the policy blocks."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(site_url + "/")
    with page.expect_console_message(lambda m: "Content Security" in m.text, timeout=15_000):
        page.evaluate(
            "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')"
        )
    context.close()


def test_charts_keep_their_colours_and_text_under_the_policy(page: Any, site_url: str) -> None:
    page.goto(site_url + TOPIC + "monitoring/")
    chart = page.locator("svg.yiti-chart")
    line = chart.locator("g[id^='line2d'] path").last  # the data line, drawn last
    assert line.evaluate("e => getComputedStyle(e).stroke") == "rgb(31, 78, 140)"
    assert line.evaluate("e => getComputedStyle(e).fill") == "none"
    label = chart.locator("text").first
    assert label.evaluate("e => getComputedStyle(e).fontSize") == "10px"
    assert label.evaluate("e => getComputedStyle(e).fill") == "rgb(26, 26, 26)"


def test_a_chart_with_its_styles_as_attributes_draws_exactly_the_same(browser: Any) -> None:
    labels = [f"2024年{m}月{h}半月" for m in range(1, 7) for h in "上下"]
    svg = str(volume_chart(labels, [3, 5, 2, 8, 13, 7, 6, 9, 4, 11, 10, 12], "折线图"))
    assert "style=" in svg and "<style" in svg  # matplotlib's inline styles, as the build gets them
    shots = []
    for drawing in (svg, styles_as_attributes(svg)):
        context = browser.new_context(viewport={"width": 760, "height": 320})
        page = context.new_page()
        page.set_content(f"<!doctype html><body>{drawing}</body>")  # no policy: styles apply
        shots.append(page.locator("svg").screenshot())
        context.close()
    assert shots[0] == shots[1]


def test_procedure_table_prints_on_a4_without_the_site_chrome(page: Any, site_url: str) -> None:
    page.goto(site_url + TOPIC + "procedure/")
    page.emulate_media(media="print")
    assert not page.locator(".md-header").is_visible()
    assert not page.locator(".yiti-sections").is_visible()
    assert page.locator("table.yiti-procedure").is_visible()
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 1
