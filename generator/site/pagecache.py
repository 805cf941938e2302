"""A MkDocs plugin that reuses each unchanged page's Markdown conversion, search entries and HTML.

MkDocs' own heavy work per page is converting its Markdown to HTML (about a third of a build)
and Material's search plugin cutting the page's Chinese text into words with jieba (about
half). Both depend only on the page's source (front matter and Markdown), the config, which
files the site has (links are resolved and checked against them) and the code version, so
after editing one topic the other topics' pages need neither again. This plugin keeps, per
page, what `Page.render` sets (HTML, table of contents, title, anchors, links to anchors) and
the search entries, under a build-cache key of exactly those inputs, and puts them back
instead of redoing them. The theme's page (Material's templates, a third of what is left) also
depends on the navigation, so a page's finished HTML is kept under that key plus the
navigation's titles and links, and written out again through a one-line template. Anchor and
link validation, the search index file and the theme's own files still run for every page, so
the site is byte for byte what a build without the cache writes (tests/generator/site/test_pagecache.py).

MkDocs' own `--dirty` mode is not used: it skips whole pages, so the search index and the
anchor checks would cover only the changed ones. A new page's search entries and its cache
entries are made by the build's second process (generator/site/pageworker.py) while MkDocs builds
the other pages; the entries are staged and moved into place only when the whole build has
succeeded (`commit`): a page that produced a warning under --strict is never remembered as good.
The plugin is added by generator/site/engine.py, never listed in mkdocs.yml, so a bare `mkdocs
build` of the same config (the benchmark's yardstick) does not use it.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import Future
from typing import Any

from jinja2 import ChoiceLoader, DictLoader, Environment
from mkdocs.config import base
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from generator.site.cache import BuildCache
from generator.site.pageworker import PageWorker, Searchable

KIND = "page"
HTML_KIND = "html"
# The template a reused page is written through: its stored HTML, nothing else.
STORED_TEMPLATE = "yiti-stored-page.html"


class _NoOptions(base.Config):  # type: ignore[no-untyped-call]  # mkdocs' hook
    """The plugin has no options: engine.py makes it with the build's cache."""


class PageCache(BasePlugin[_NoOptions]):  # type: ignore[no-untyped-call]  # mkdocs' hook
    """Page renders and search entries from `build_cache`; `setting` names the config."""

    def __init__(self, build_cache: BuildCache, setting: str, worker: PageWorker) -> None:
        super().__init__()
        self.cache = build_cache
        self.worker = worker  # writes the new entries, staged until commit()
        self.setting = hashlib.sha256(setting.encode()).hexdigest()
        self.files_digest = ""
        self.pending: dict[str, dict[str, Any]] = {}  # key → entry, until its page is written
        self.search_hits: dict[str, list[dict[str, Any]]] = {}  # page url → stored entries
        # Each page's search entries in build order, stored or (a Future) from the worker.
        self.index_parts: list[tuple[Any, list[dict[str, Any]] | Future[Any]]] = []
        self.index: Any = None  # the search plugin's index
        self.sent: dict[str, tuple[str, Future[Any]]] = {}  # page url → (HTML indexed, entries)
        self.keys: dict[str, str] = {}  # page url → key
        self.nav: Navigation | None = None
        self.html_keys: dict[str, str] = {}  # page url → key of its finished HTML
        self.stored_html: dict[str, str] = {}  # page url → its finished HTML from the cache

    @event_priority(-100)  # after the search plugin's on_config, which makes its index
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        for plugin in config.plugins.values():
            index = getattr(plugin, "search_index", None)
            if index is not None:
                index.add_entry_from_context = self._indexer(index)
                self.index = index
        return config

    @event_priority(-100)  # after every other plugin's change: what the search plugin will read
    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """A new page is converted: its search entries are made now, by the worker, while MkDocs
        converts the other pages (the search plugin asks for them only when it lays the page
        out, after every page is converted, which left the worker too little time)."""
        if self.index is not None and page.url not in self.search_hits:
            key = self.keys.get(page.url, "")
            entry = self.pending.pop(key, None)
            staged = (KIND, key, entry) if entry is not None else None
            made = self.worker.index(self.index, searchable(page, html), staged)
            self.sent[page.url] = (html, made)
        return html

    @event_priority(100)  # before the search plugin writes its index
    def on_post_build(self, config: MkDocsConfig) -> None:
        """Every page's entries into the index, in the order the pages were built."""
        for index, part in self.index_parts:
            index.entries.extend(part if isinstance(part, list) else part.result())
        self.index_parts.clear()

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        """Links are resolved against every file of the site: the list is part of each key."""
        names = "\0".join(sorted(f.src_uri for f in files))
        self.files_digest = hashlib.sha256(names.encode()).hexdigest()
        return files

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav = nav
        return nav

    @event_priority(-100)
    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        """Every page is read and converted now: look up each one's finished HTML."""
        if self.nav is None:
            raise RuntimeError("MkDocs ran on_env before on_nav")  # it never does (1.6)
        navigation = nav_digest(self.nav)
        for file in files.documentation_pages():
            page = file.page
            if page is None or page.url not in self.keys:
                continue
            key = self.cache.key(HTML_KIND, self.keys[page.url], navigation)
            self.html_keys[page.url] = key
            stored = self.cache.get(HTML_KIND, key)
            if stored is not None:
                self.stored_html[page.url] = stored
                page.meta["template"] = STORED_TEMPLATE  # read by mkdocs' _build_page
        stored_page = DictLoader({STORED_TEMPLATE: "{{ yiti_stored_html }}"})
        env.loader = ChoiceLoader([stored_page, *([env.loader] if env.loader else [])])
        return env

    @event_priority(-100)  # after the search plugin has indexed the page
    def on_page_context(
        self, context: Any, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> Any:
        if page.url in self.stored_html:
            context["yiti_stored_html"] = self.stored_html[page.url]
        return context

    @event_priority(-100)  # last: what is written
    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """The page is written: its finished HTML goes to the worker to be staged (and its page
        entry, when no search index took it at on_page_content)."""
        entry = self.pending.pop(self.keys.get(page.url, ""), None)
        if entry is not None:
            self.worker.stage(KIND, self.keys[page.url], entry)
        key = self.html_keys.get(page.url)
        if key is not None and page.url not in self.stored_html:
            self.worker.stage(HTML_KIND, key, output)
        return output

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
        """The search index's per-page step: a reused page's stored entries, else the worker's
        (with the page's new cache entry, which holds them)."""

        def add_entry_from_context(page: Page) -> None:
            stored = self.search_hits.get(page.url)
            if stored is not None:
                self.index_parts.append((index, stored))
                return
            html, made = self.sent.pop(page.url, ("", None))
            if made is None or html != page.content:
                # Changed since it was sent (no plugin of this site does that): indexed as it
                # is now, and its cache entry, staged with the old entries, is not kept.
                self.worker.discard(KIND, self.keys.get(page.url, ""))
                made = self.worker.index(index, searchable(page), None)
            self.index_parts.append((index, made))

        return add_entry_from_context

    def commit(self) -> None:
        """Keep this build's new entries (call only once the whole build has succeeded)."""
        self.worker.commit()


def nav_digest(nav: Navigation) -> str:
    """A hash of what every page shows of the navigation: each item's kind, title and link, in
    order (which also fixes each page's previous and next page)."""
    digest = hashlib.sha256()
    for line in _nav_lines(nav.items, 0):
        digest.update(line.encode() + b"\0")
    return digest.hexdigest()


def _nav_lines(items: Any, depth: int) -> list[str]:
    lines = []
    for item in items:
        url = item.url if isinstance(item, Page | Link) else ""
        lines.append(f"{depth}\t{type(item).__name__}\t{item.title}\t{url}")
        if isinstance(item, Section):
            lines.extend(_nav_lines(item.children, depth + 1))
    return lines


def searchable(page: Page, html: str | None = None) -> Searchable:
    """What the search index reads of `page`, with `html` as its content (default: as it is
    now, before the search plugin strips its data-search attributes)."""
    content = html if html is not None else page.content or ""
    return Searchable(page.meta, content, page.toc, page.url, page.title)


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
