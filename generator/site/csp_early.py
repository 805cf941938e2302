"""The CSP check of each page, done by a second process while MkDocs builds the rest.

`csp.secure_site` reads every built page after MkDocs and scans all its tags (about 200,000 at
100 topics): on a cold build that was a sixth of what `yiti build` adds to a bare `mkdocs
build`, done while the machine's second core sat idle (MkDocs uses one). This plugin (added by
generator/site/engine.py, last of all plugins, so it sees the text MkDocs writes) sends each page
to one worker process that runs the same `csp.secure_text`; `secure_site` then takes the
worker's answer for a page whose file holds exactly the text that was checked, and checks
everything else (the theme's files, the 404 page, any page changed after it was written)
itself. A page the build cache already knows is not sent: `secure_site` reuses its entry.
What is found, rewritten and cached is therefore what `secure_site` alone does
(tests/generator/site/test_csp_early.py), and the build still fails on any finding.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.plugins import BasePlugin, event_priority

from generator.site.cache import BuildCache
from generator.site.csp import secure_text

Checked = Future[tuple[str, list[tuple[str, str]]]]


class _NoOptions(base.Config):  # type: ignore[no-untyped-call]  # mkdocs' hook
    """The plugin has no options: engine.py makes it with the build's cache."""


class EarlyCsp(BasePlugin[_NoOptions]):  # type: ignore[no-untyped-call]  # mkdocs' hook
    """Pages sent to the worker as MkDocs writes them; `build_cache` (or None) to skip known ones."""

    def __init__(self, build_cache: BuildCache | None) -> None:
        super().__init__()
        self.cache = build_cache
        self.pool: ProcessPoolExecutor | None = None
        self.sent: dict[Path, tuple[str, Checked]] = {}  # written file → (its text, the check)

    @event_priority(-1000)  # after every other plugin: the text MkDocs writes
    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        if self.cache is not None:
            key = self.cache.key("csp", ".html", output)
            if self.cache.has("csp", key):
                return output  # secure_site reuses (and checks the checksum of) this entry
        if self.pool is None:
            # fork: the worker needs only csp.py, already imported; spawn would start the
            # caller's main module again.
            self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        checked = self.pool.submit(_check, output)
        self.sent[Path(page.file.abs_dest_path)] = (output, checked)
        return output

    def close(self) -> None:
        """Stop the worker (after secure_site, or when the build failed)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _check(text: str) -> tuple[str, list[tuple[str, str]]]:
    """What the worker runs: `secure_text` of a page, its text sent back only when rewritten
    (most pages have no drawing with styles; sending each back cost this process time)."""
    secured, problems = secure_text(".html", text)
    return ("" if secured == text else secured), problems
