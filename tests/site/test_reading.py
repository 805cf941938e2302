"""The built site read as a person reads it, in real Chromium at 390 and 1280 px: flowchart
labels big enough to read, tables that neither cramp nor overflow, a Chinese 404 page."""

from __future__ import annotations

from typing import Any

import pytest

from generator.content.loader import load_content
from generator.content.models.guide import Procedure
from generator.site.render.flowchart import inline_svg, render_svgs
from generator.site.render.pages import site_context
from generator.site.render.site import render_topic
from tests.browser import WIDTHS
from tests.conftest import CONTENT
from tests.generator.fixtures import BUILD_TIME
from tests.site.test_browser import PAGE_TYPES

pytestmark = pytest.mark.browser

MIN_LABEL_PX = 12  # CSS px: the smallest label a person reads on a phone without zooming
MIN_CELL_CHARACTERS = 3  # CJK characters: one em each
TOPICS = [f"/topics/{t.year}/{t.slug}/" for t in load_content(CONTENT).topics]
# Every label's size as drawn: its font size times the drawing's scale on screen.
LABEL_SIZES = """svg => [...svg.querySelectorAll('text')].map(
    t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""
# The same for labels that may be turned (a chart's vertical axis title): the scale's length.
TURNED_LABEL_SIZES = """svg => [...svg.querySelectorAll('text')].map(t => {
    const m = t.getScreenCTM(); return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); })"""
# Content width of every table cell (padding excluded) against three of its own characters.
NARROW_CELLS = """n => [...document.querySelectorAll('article table th, article table td')]
    .map(c => { const s = getComputedStyle(c);
        const width = c.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
        return [c.dataset.label || c.textContent.slice(0, 12), width, n * parseFloat(s.fontSize)]; })
    .filter(([, width, least]) => width < least - 0.5)"""


@pytest.fixture(params=list(WIDTHS))
def page(browser: Any, request: pytest.FixtureRequest) -> Any:
    """A fresh page at each width."""
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser: Any) -> Any:
    """A fresh page at 1280 px."""
    width, height = WIDTHS["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    yield context.new_page()
    context.close()


def scrolls_sideways(page: Any) -> bool:
    """Whether the page is wider than the window."""
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth"))


@pytest.mark.parametrize("topic", TOPICS)
def test_every_flowchart_label_is_at_least_12_px(page: Any, site_url: str, topic: str) -> None:
    page.goto(site_url + topic + "flowchart/")
    sizes = page.locator("figure svg").evaluate(LABEL_SIZES)
    assert sizes and min(sizes) >= MIN_LABEL_PX, min(sizes)
    assert not scrolls_sideways(page)


def long_procedure(steps: int = 40) -> Procedure:
    """`steps` steps with a decision every fifth step whose 'no' branch runs two steps of its
    own before it rejoins, and a nested decision on that branch every tenth step."""
    rows: list[dict[str, Any]] = []
    for i in range(steps - 1):
        here, after = f"s{i}", f"s{i + 1}"
        name = f"第{i}项审核材料并出具书面意见"
        if i % 5 == 2:
            detour = f"d{i}"
            rows.append(
                {
                    "id": here,
                    "name": name,
                    "kind": "decision",
                    "question": "材料是否齐全并符合法定要求？",
                    "branches": [{"label": "齐全", "to": after}, {"label": "需补正", "to": detour}],
                }
            )
            rows.append(detour_step(detour, after, nested=i % 10 == 2))
        else:
            rows.append({"id": here, "name": name, "handler": "区政务服务中心", "next": after})
    rows.append({"id": f"s{steps - 1}", "name": "办结归档", "kind": "end"})
    return Procedure.model_validate({"title": "四十步的长流程", "steps": rows})


def detour_step(step_id: str, rejoin: str, nested: bool) -> dict[str, Any]:
    """A correction step on a 'no' branch; when `nested`, it is itself a decision."""
    if not nested:
        return {"id": step_id, "name": "补正材料后重新提交", "handler": "申请人", "next": rejoin}
    return {
        "id": step_id,
        "name": "补正后复核",
        "kind": "decision",
        "question": "补正后是否仍有争议需要听证？",
        "branches": [{"label": "无争议", "to": rejoin}, {"label": "需听证", "to": rejoin}],
    }


def test_a_40_step_procedure_is_readable_and_scrolls_in_its_own_box(
    page: Any, site_url: str
) -> None:
    content = load_content(CONTENT)
    topic = content.topics[0].model_copy(update={"procedure": long_procedure()})
    svg = render_svgs([(topic.procedure, "长流程")])[0]
    assert "<svg" in str(inline_svg(svg))
    pages = render_topic(content, topic, BUILD_TIME, site_context(content, BUILD_TIME), svg)
    flowchart = pages[f"topics/{topic.year}/{topic.slug}/flowchart.md"]
    figure = flowchart[flowchart.index("<figure") : flowchart.index("</figure>") + 9]
    page.goto(site_url + TOPICS[0] + "flowchart/")
    # The real page and stylesheet, with the long chart's figure in place of the shipped one.
    page.locator("figure.yiti-flowchart").evaluate("(f, html) => { f.outerHTML = html; }", figure)
    sizes = page.locator("figure svg").evaluate(LABEL_SIZES)
    assert len(sizes) > 40 and min(sizes) >= MIN_LABEL_PX, min(sizes)
    assert not scrolls_sideways(page)
    box = page.locator(".yiti-scroll")
    assert box.get_attribute("role") == "region" and box.get_attribute("aria-label")
    if box.evaluate("b => b.scrollWidth > b.clientWidth"):  # wider than the column: scroll it
        box.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.yiti-scroll').scrollLeft > 0")


@pytest.mark.parametrize("path", list(PAGE_TYPES.values()), ids=list(PAGE_TYPES))
def test_no_table_cell_is_narrower_than_three_characters_at_1280_px(
    desktop: Any, site_url: str, path: str
) -> None:
    desktop.goto(site_url + path)
    assert desktop.evaluate(NARROW_CELLS, MIN_CELL_CHARACTERS) == []
    assert not scrolls_sideways(desktop)


@pytest.mark.parametrize(
    "path", [p for k, p in PAGE_TYPES.items() if k in ("overview", "procedure", "ranking")]
)
def test_tables_are_ruled_and_padded_at_1280_px_and_cards_at_390_px(
    browser: Any, site_url: str, path: str
) -> None:
    looks = {}
    for width_name, (width, height) in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        tab = context.new_page()
        tab.goto(site_url + path)
        cell = tab.locator("table.yiti-table tbody td").first
        looks[width_name] = cell.evaluate(
            "c => { const s = getComputedStyle(c); return [getComputedStyle(c.parentElement)"
            ".display, parseFloat(s.paddingLeft), parseFloat(s.borderLeftWidth)]; }"
        )
        assert not scrolls_sideways(tab)
        context.close()
    row_display, padding, border = looks["desktop"]
    assert row_display == "table-row" and padding >= 8 and border >= 1
    assert looks["phone"][0] == "block"  # each row a card


def test_a_missing_page_answers_in_chinese_with_ways_home_and_to_search(
    desktop: Any, site_url: str
) -> None:
    response = desktop.goto(site_url + "/no/such/page/")
    assert response.status == 404
    assert desktop.locator("h1").inner_text() == "找不到这个页面"
    assert desktop.locator("html").get_attribute("lang") == "zh"
    desktop.get_by_role("link", name="回到首页").click()
    desktop.wait_for_url(site_url + "/")
    desktop.goto(site_url + "/no/such/page/")
    desktop.get_by_role("searchbox", name="搜索本站（例如“电梯”“物业费”）").fill("维护保养")
    desktop.get_by_role("button", name="搜索").click()
    desktop.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    assert "维护保养" in desktop.locator(".md-search-result__list").inner_text().replace(
        "\u200b", ""
    )


def test_monitoring_chart_labels_are_at_least_12_px_and_it_scrolls_in_its_box(
    page: Any, site_url: str
) -> None:
    # The chart fell back to 300 px wide inside Material's shrink-to-fit figure (7 px labels
    # at 1280 px); on a phone it shrank to the column (7 px labels at 390 px).
    page.goto(site_url + f"{TOPICS[0]}monitoring/")
    sizes = page.locator("figure svg.yiti-chart").evaluate(TURNED_LABEL_SIZES)
    assert sizes and min(sizes) >= MIN_LABEL_PX, min(sizes)
    assert not scrolls_sideways(page)
    box = page.locator(".yiti-scroll", has=page.locator("svg.yiti-chart"))
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-label")
