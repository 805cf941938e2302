"""A MkDocs plugin that reuses each unchanged page's Markdown conversion and search entries.

MkDocs' own heavy work per page is converting its Markdown to HTML (about a third of a build)
and Material's search plugin cutting the page's Chinese text into words with jieba (about
half). Both depend only on the page's source (front matter and Markdown), the config, which
files the site has (links are resolved and checked against them) and the code version, so
after editing one topic the other topics' pages need neither again. This plugin keeps, per
page, what `Page.render` sets (HTML, table of contents, title, anchors, links to anchors) and
the search entries, under a build-cache key of exactly those inputs, and puts them back
instead of redoing them. Theme templates, the navigation, anchor and link validation and the
search index file still run for every page, so the site is byte for byte what a build without
the cache writes (tests/generator/test_pagecache.py).

MkDocs' own `--dirty` mode is not used: it skips whole pages, so the search index and the
anchor checks would cover only the changed ones. Entries are stored only when the whole build
has succeeded (`commit`): a page that produced a warning under --strict is never remembered
as good. The plugin is added by generator/engine.py, never listed in mkdocs.yml, so a bare
`mkdocs build` of the same config (the benchmark's yardstick) does not use it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from generator.cache import BuildCache

KIND = "page"


class PageCache(BasePlugin[Config]):  # type: ignore[no-untyped-call]  # mkdocs' __init_subclass__
    """Page renders and search entries from `build_cache`; `setting` names the config."""

    def __init__(self, build_cache: BuildCache, setting: str) -> None:
        super().__init__()
        self.cache = build_cache
        self.setting = hashlib.sha256(setting.encode()).hexdigest()
        self.files_digest = ""
        self.pending: dict[str, dict[str, Any]] = {}  # key → entry, stored by commit()
        self.search_hits: dict[str, list[dict[str, Any]]] = {}  # page url → stored entries
        self.keys: dict[str, str] = {}  # page url → key

    @event_priority(-100)  # after the search plugin's on_config, which makes its index
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        for plugin in config.plugins.values():
            index = getattr(plugin, "search_index", None)
            if index is not None:
                index.add_entry_from_context = self._indexer(index)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        """Links are resolved against every file of the site: the list is part of each key."""
        names = "\0".join(sorted(f.src_uri for f in files))
        self.files_digest = hashlib.sha256(names.encode()).hexdigest()
        return files

    def on_pre_page(self, page: Page, config: MkDocsConfig, files: Files) -> Page:
        """Route this page's Markdown conversion through the cache."""

        def render(config: MkDocsConfig, files: Files) -> None:
            self._render(page, config, files)

        page.render = render  # type: ignore[method-assign]
        return page

    def _render(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        source = json.dumps(page.meta, ensure_ascii=False, sort_keys=True, default=str)
        key = self.cache.key(
            KIND, self.setting, self.files_digest, page.file.src_uri, source, page.markdown or ""
        )
        self.keys[page.url] = key
        stored = self.cache.get(KIND, key)
        if stored is not None:
            entry = json.loads(stored)
            restore(page, entry, files)
            self.search_hits[page.url] = entry["search"]
            return
        Page.render(page, config, files)
        self.pending[key] = snapshot(page)

    def _indexer(self, index: Any) -> Any:
        """The search index's per-page step, answered from the cache for a reused page."""
        original = index.add_entry_from_context

        def add_entry_from_context(page: Page) -> None:
            stored = self.search_hits.get(page.url)
            if stored is not None:
                index.entries.extend(stored)
                return
            before = len(index.entries)
            original(page)
            key = self.keys.get(page.url)
            if key in self.pending:
                self.pending[key]["search"] = index.entries[before:]

        return add_entry_from_context

    def commit(self) -> None:
        """Keep this build's new entries (call only once the whole build has succeeded)."""
        for key, entry in self.pending.items():
            self.cache.put(KIND, key, json.dumps(entry, ensure_ascii=False))
        self.pending.clear()


def snapshot(page: Page) -> dict[str, Any]:
    """What Page.render set on `page`, as JSON data."""
    links = page.links_to_anchors
    return {
        "content": page.content,
        "toc": [_anchor_data(item) for item in page.toc],
        "title": page._title_from_render,
        "anchors": sorted(page.present_anchor_ids or ()),
        "links": None if links is None else {f.src_uri: dict(v) for f, v in links.items()},
        "search": [],
    }


def restore(page: Page, entry: dict[str, Any], files: Files) -> None:
    """Set on `page` what Page.render would have set, from a snapshot."""
    page.content = entry["content"]
    toc = [_anchor(item) for item in entry["toc"]]
    if toc:
        toc[0].active = True  # type: ignore[attr-defined]  # as mkdocs' get_toc does
    page.toc = TableOfContents(toc)
    page._title_from_render = entry["title"]
    page.present_anchor_ids = set(entry["anchors"])
    if entry["links"] is not None:
        page.links_to_anchors = {
            files.src_uris[uri]: links for uri, links in entry["links"].items()
        }


def _anchor_data(item: AnchorLink) -> dict[str, Any]:
    children = [_anchor_data(child) for child in item.children]
    return {"title": item.title, "id": item.id, "level": item.level, "children": children}


def _anchor(data: dict[str, Any]) -> AnchorLink:
    item = AnchorLink(data["title"], data["id"], data["level"])
    item.children = [_anchor(child) for child in data["children"]]
    return item
