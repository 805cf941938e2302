"""Material's checkbox toggles lose `autocomplete` (the Nu HTML Checker rejects it there) on
every page MkDocs writes, the 404 page included, and nothing else changes."""

from __future__ import annotations

from pathlib import Path

from generator.site.build import build
from generator.site.validity import TOGGLE, valid_toggles
from tests.generator.fixtures import BUILD_TIME, small_content

MATERIAL_TOGGLE = (
    '<input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer" '
    'autocomplete="off">'
)
SEARCH_BOX = '<input type="text" class="md-search__input" name="query" autocomplete="off">'


def test_a_toggle_loses_autocomplete_and_a_text_box_keeps_it() -> None:
    fixed = valid_toggles(MATERIAL_TOGGLE + SEARCH_BOX)
    assert fixed == MATERIAL_TOGGLE.replace(' autocomplete="off"', "") + SEARCH_BOX


def test_no_page_of_a_built_site_has_a_toggle_with_autocomplete(tmp_path: Path) -> None:
    content = small_content(tmp_path / "content")
    site = tmp_path / "site"
    build(content, site, now=BUILD_TIME, store=tmp_path / "store")
    pages = sorted(site.rglob("*.html"))
    assert site / "404.html" in pages and len(pages) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert '<input class="md-toggle"' in text, page
        assert not TOGGLE.search(text), page


def test_every_toggle_between_other_tags_is_fixed_as_the_whole_page_pattern_would() -> None:
    search_toggle = MATERIAL_TOGGLE.replace("drawer", "search")
    page = f"<body><p>a</p>{MATERIAL_TOGGLE}\n{search_toggle}<div>{SEARCH_BOX}</div></body>"
    assert valid_toggles(page) == TOGGLE.sub(r"\1", page) != page
    assert valid_toggles("<p>no toggle</p>") == "<p>no toggle</p>"
    cut_short = '<p>x</p><input class="md-toggle" type="checkbox" autocomplete="off"'
    assert valid_toggles(cut_short) == TOGGLE.sub(r"\1", cut_short)
