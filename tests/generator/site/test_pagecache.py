"""MkDocs' per-page work reused from the build cache: the site is byte for byte what a build
without the cache writes, and nothing is remembered from a build that failed."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from material.plugins.search.plugin import SearchIndex  # type: ignore[import-untyped]
from mkdocs.structure.toc import TableOfContents

from generator.site import engine
from generator.site.build import BuildReport, build
from generator.site.cache import BuildCache
from generator.site.csp import InlineContentError
from generator.site.pagecache import PageCache
from generator.site.pageworker import PageWorker
from tests.generator.conftest import ELEVATORS, edit
from tests.generator.fixtures import BUILD_TIME, small_content


def files_of(site: Path) -> dict[str, bytes]:
    """Every file of a site with its bytes."""
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def build_into(content: Path, site: Path, cache: Path | None, tmp_path: Path) -> BuildReport:
    return build(content, site, now=BUILD_TIME, store=tmp_path / "store", cache_dir=cache)


def test_a_rebuild_after_an_edit_writes_exactly_what_a_build_without_cache_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MkDocs dates the sitemap by the day: fixed, so builds either side of midnight compare.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1718856000")
    content = small_content(tmp_path / "content")
    build_into(content, tmp_path / "warm", tmp_path / "cache", tmp_path)
    # A step (the 一表 and 一图 pages) and the title (every page of the topic, and the
    # year and theme pages that list it).
    edit(content / ELEVATORS, "      name: 咨询政策、提出意向\n", "      name: 咨询加装政策\n")
    edit(content / ELEVATORS, "\ntitle: 老楼加装电梯\n", "\ntitle: 老旧楼房加装电梯\n")
    warm = build_into(content, tmp_path / "warm", tmp_path / "cache", tmp_path)
    build_into(content, tmp_path / "cold", None, tmp_path)
    assert warm.reused["page"] >= 20 and warm.reused["html"] >= 20  # the other topic, monitoring
    assert 0 < warm.redone["html"] < 15
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "cold")
    year = (tmp_path / "warm" / "years" / "2022" / "index.html").read_text(encoding="utf-8")
    assert "老旧楼房加装电梯" in year


def test_nothing_is_remembered_from_a_build_that_failed_after_mkdocs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = small_content(tmp_path / "content")

    def refuse(site_dir: Path, sources: object = (), early: object = None) -> None:
        raise InlineContentError("index.html: <script>")

    monkeypatch.setattr(engine, "secure_site", refuse)
    with pytest.raises(InlineContentError):
        build_into(content, tmp_path / "site", tmp_path / "cache", tmp_path)
    assert not (tmp_path / "cache" / "page").exists()
    assert not (tmp_path / "cache" / "html").exists()
    monkeypatch.undo()
    again = build_into(content, tmp_path / "site", tmp_path / "cache", tmp_path)
    assert again.reused["page"] == again.reused["html"] == 0


@pytest.mark.parametrize("changed", [False, True])
def test_search_entries_sent_early_are_used_only_for_the_page_as_indexed(
    tmp_path: Path, changed: bool
) -> None:
    build_cache = BuildCache(tmp_path / "cache", version="test")
    worker = PageWorker(build_cache)
    plugin = PageCache(build_cache, "mkdocs.yml", worker)
    index = SearchIndex(lang=["zh"])
    plugin.on_config(SimpleNamespace(plugins={"search": SimpleNamespace(search_index=index)}))  # type: ignore[arg-type]
    page: Any = SimpleNamespace(
        url="a/", meta={}, toc=TableOfContents([]), title="甲", content="<p>加装电梯</p>"
    )
    plugin.keys["a/"] = "k"
    plugin.pending["k"] = {"content": "<p>加装电梯</p>", "search": []}
    plugin.on_page_content(page.content, page, None, None)  # type: ignore[arg-type]
    if changed:  # by a plugin after ours (none of this site's does)
        page.content = "<p>楼道充电</p>"
    expected = SearchIndex(lang=["zh"])
    expected.add_entry_from_context(page)
    try:
        index.add_entry_from_context(page)  # as the search plugin asks, when it lays out the page
        plugin.on_post_build(None)  # type: ignore[arg-type]
        plugin.commit()
    finally:
        worker.close()
    assert index.entries == expected.entries
    kept = build_cache.get("page", "k")
    assert (kept is None) if changed else json.loads(kept or "")["search"] == expected.entries
