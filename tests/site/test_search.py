"""Search in real Chromium as people type Chinese: through an input method (no key events for
the committed text), by pasting, and the snippet a hit shows."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

WORD = "维护保养"  # from the heading "电梯装好后谁负责维护保养？"


@pytest.fixture
def page(browser: Any) -> Any:
    """A fresh page on the home page with the search box focused."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    new = context.new_page()
    yield new
    context.close()


def open_search(page: Any, site_url: str) -> None:
    """The home page with Material's search box focused, as a click on it does."""
    page.goto(site_url + "/")
    page.locator("[data-md-component=search-query]").focus()
    # Search is ready (its index loaded) and waiting: text typed from now on must be searched
    # because of the typing itself, not picked up when the index arrives.
    page.locator(".md-search-result__meta", has_text="键入以开始搜索").wait_for(timeout=15_000)


def results(page: Any) -> str:
    """The text of the result list once results are shown (jieba's zero-width spaces removed)."""
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    text: str = page.locator(".md-search-result__list").inner_text()
    return text.replace("\u200b", "")


def test_text_committed_by_an_input_method_is_searched(page: Any, site_url: str) -> None:
    open_search(page, site_url)
    cdp = page.context.new_cdp_session(page)
    # Pinyin being composed, then the characters committed: no key event carries them.
    cdp.send("Input.imeSetComposition", {"text": "weihu", "selectionStart": 5, "selectionEnd": 5})
    cdp.send("Input.insertText", {"text": WORD})
    assert page.locator("[data-md-component=search-query]").input_value() == WORD
    assert WORD in results(page)


def test_pasted_text_is_searched(page: Any, site_url: str) -> None:
    open_search(page, site_url)
    page.keyboard.insert_text(WORD)  # an `input` event only, as pasting gives
    assert WORD in results(page)


def test_a_hit_on_a_procedure_page_shows_a_readable_summary(page: Any, site_url: str) -> None:
    open_search(page, site_url)
    page.keyboard.insert_text("加装意向登记表")  # a material in the 一表 of 老楼加装电梯
    hit = page.locator(".md-search-result__item", has_text="办理流程表").first
    hit.wait_for(timeout=15_000)
    text = hit.inner_text().replace("\u200b", "")
    assert "共 8 步" in text and "需要准备的材料" in text
    assert "社区居委会或拨打" not in text  # a table cell: the table is not run together


def test_the_search_index_is_fetched_only_when_search_is_first_used(
    page: Any, site_url: str
) -> None:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "search_index" in r.url else None)
    page.goto(site_url + "/", wait_until="networkidle")
    page.wait_for_timeout(500)  # the bundle has started and would have asked by now
    assert asked == []
    page.locator("[data-md-component=search-query]").focus()
    page.keyboard.insert_text(WORD)
    assert WORD in results(page)
    assert len(asked) == 1


def hits(page: Any) -> list[str]:
    """The text of each result shown (a page with its matching sections), zero-width spaces removed."""
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    items = page.locator(".md-search-result__item").all_inner_texts()
    return [text.replace("\u200b", "") for text in items]


def test_a_procedure_step_is_found_on_the_procedure_page(page: Any, site_url: str) -> None:
    open_search(page, site_url)
    page.keyboard.insert_text("街道组织协商调解")  # step 3 of 老楼加装电梯's procedure
    assert any("办理流程表" in hit and "街道组织协商调解" in hit for hit in hits(page))


def test_a_question_is_found_with_its_answer(page: Any, site_url: str) -> None:
    open_search(page, site_url)
    page.keyboard.insert_text("费用由谁承担")
    found = [hit for hit in hits(page) if "加装电梯的费用由谁承担？" in hit]
    assert found and "协商分摊" in found[0]  # the answer, shown under its question
