"""The MkDocs stage's second process (generator/site/pageworker.py): a page's check is stored at
once; the page cache's entries are staged and kept only by `commit`, after a successful build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from material.plugins.search.plugin import SearchIndex  # type: ignore[import-untyped]
from mkdocs.structure.toc import AnchorLink, TableOfContents

from generator.site.cache import BuildCache
from generator.site.pageworker import BATCH, STAGING, PageWorker, Searchable

CLEAN = "<!doctype html><html><body><p>好</p></body></html>"


@pytest.fixture
def cache(tmp_path: Path) -> BuildCache:
    return BuildCache(tmp_path / "cache", version="test")


def test_staged_entries_are_kept_only_once_committed(cache: BuildCache) -> None:
    worker = PageWorker(cache)
    try:
        worker.stage("page", "k1", {"content": "<p>好</p>", "search": []})
        worker.stage("html", "k2", CLEAN)
        for future in worker.staged:
            future.result()  # written, but staged
        assert cache.get("page", "k1") is None and cache.get("html", "k2") is None
        worker.commit()
    finally:
        worker.close()
    assert json.loads(cache.get("page", "k1") or "") == {"content": "<p>好</p>", "search": []}
    assert cache.get("html", "k2") == CLEAN
    assert list((cache.root / STAGING).iterdir()) == []
    cache.prune()  # committed entries count as used by this build
    assert cache.has("page", "k1") and cache.has("html", "k2")


def test_entries_of_a_build_that_failed_are_removed_not_kept(cache: BuildCache) -> None:
    worker = PageWorker(cache)
    worker.stage("html", "k2", CLEAN)
    worker.staged[0].result()
    worker.close()  # no commit: the build failed
    assert not (cache.root / "html").exists()
    assert list((cache.root / STAGING).iterdir()) == []


def test_a_write_that_failed_in_the_worker_fails_the_commit(cache: BuildCache) -> None:
    worker = PageWorker(cache)
    try:
        worker.stage("bad\0kind", "k", CLEAN)  # no file can be named so
        with pytest.raises(ValueError, match="null"):
            worker.commit()
    finally:
        worker.close()


def test_a_check_is_stored_by_the_worker_under_its_key(cache: BuildCache) -> None:
    worker = PageWorker(cache)
    try:
        secured, problems, key = worker.check(CLEAN, cache.key("csp", ".html", CLEAN)).result()
    finally:
        worker.close()
    assert (secured, problems) == ("", [])
    assert key == cache.key("csp", ".html", CLEAN)
    assert json.loads(cache.get("csp", key) or "") == {"secured": None, "problems": []}


def test_without_a_cache_pages_are_checked_and_nothing_is_staged(tmp_path: Path) -> None:
    worker = PageWorker(None)
    try:
        assert worker.check("<p style='x'>a</p>").result()[1]  # the style attribute is found
        with pytest.raises(ValueError, match="cache"):
            worker.stage("html", "k", CLEAN)
    finally:
        worker.close()


def test_search_entries_are_materials_own_and_staged_with_the_page_entry(
    cache: BuildCache,
) -> None:
    page = Searchable(
        meta={},
        content='<h1 id="lift">老楼加装电梯</h1><p>居民可以咨询加装政策，提出意向。</p>',
        toc=TableOfContents([AnchorLink("老楼加装电梯", "lift", 1)]),
        url="topics/lift/",
        title="老楼加装电梯",
    )
    here = SearchIndex(lang=["zh"])
    here.add_entry_from_context(page)  # in this process, as the search plugin would
    worker = PageWorker(cache)
    try:
        entries = worker.index(SearchIndex(lang=["zh"]), page, ("page", "k", {"content": "c"}))
        assert entries.result() == here.entries
        assert "加装\u200b政策" in here.entries[0]["text"]  # jieba cut the words apart
        worker.commit()
    finally:
        worker.close()
    assert json.loads(cache.get("page", "k") or "") == {"content": "c", "search": here.entries}


def test_jobs_sent_in_batches_each_get_their_own_result_or_error(cache: BuildCache) -> None:
    worker = PageWorker(cache)
    try:
        pages = [f"<p>{n}</p>" if n % 7 else f"<p style='x'>{n}</p>" for n in range(2 * BATCH + 3)]
        checks = [worker.check(page) for page in pages]
        worker.stage("bad\0kind", "k", CLEAN)  # fails in the worker, between good jobs
        after = worker.check(CLEAN)
        assert [bool(check.result()[1]) for check in checks] == [
            n % 7 == 0 for n in range(len(pages))
        ]
        assert after.result()[1] == []
        with pytest.raises(ValueError, match="null"):
            worker.staged[0].result()
    finally:
        worker.close()
