"""The CSP check of each page, done by a second process while MkDocs builds the rest.

`csp.secure_site` reads every built page after MkDocs and scans all its tags (about 200,000 at
100 topics): on a cold build that was a sixth of what `yiti build` adds to a bare `mkdocs
build`, done while the machine's second core sat idle (MkDocs uses one). This plugin (added by
generator/site/engine.py, last of all plugins, so it sees the text MkDocs writes) sends each page
to the build's worker process (generator/site/pageworker.py), which runs the same
`csp.secure_text` and stores the check in the build cache; `secure_site` then takes the
worker's answer for a page whose file holds exactly the text that was checked, and checks
everything else (the theme's files, the 404 page, any page changed after it was written)
itself. A page the build cache already knows is not sent: `secure_site` reuses its entry.
What is found, rewritten and cached is therefore what `secure_site` alone does
(tests/generator/site/test_csp_early.py), and the build still fails on any finding.
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.plugins import BasePlugin, event_priority

from generator.site.csp import Checked
from generator.site.pageworker import PageWorker


class _NoOptions(base.Config):  # type: ignore[no-untyped-call]  # mkdocs' hook
    """The plugin has no options: engine.py makes it with the build's worker."""


class EarlyCsp(BasePlugin[_NoOptions]):  # type: ignore[no-untyped-call]  # mkdocs' hook
    """Pages sent to `worker` as MkDocs writes them, except those its cache knows."""

    def __init__(self, worker: PageWorker) -> None:
        super().__init__()
        self.worker = worker
        self.sent: dict[Path, tuple[str, Future[Checked]]] = {}  # written file → (text, check)

    @event_priority(-1000)  # after every other plugin: the text MkDocs writes
    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        cache = self.worker.cache
        key = cache.key("csp", ".html", output) if cache is not None else ""
        if cache is not None and cache.has("csp", key):
            return output  # secure_site reuses (and checks the checksum of) this entry
        self.sent[Path(page.file.abs_dest_path)] = (output, self.worker.check(output, key))
        return output
