"""Real Chromium for browser tests: Debian's `chromium` driven by Playwright, no download.

Shared by the site and survey browser tests. Outside CI a missing Chromium or axe-core skips;
with CI=true it fails (tests/conftest.py `require`).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import sync_playwright
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server

from tests.conftest import require

# Not tests.conftest.ROOT: conftest imports this module, and a constant read back through that
# cycle has no type for mypy.
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0/2.1 A and AA, the level the public site and the survey promise.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Without these, Chromium keeps calling home and this machine's closed network refuses it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session (registered in tests/conftest.py, so every
    module shares this one instance: a second sync Playwright in one thread would fail)."""
    executable = chromium_path()
    require(executable is not None, "Debian chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.x A/AA) in `page`; return its violations."""
    require(AXE.is_file(), f"axe-core at {AXE} (run `npm ci`)")
    # Evaluated through the DevTools protocol, not as an inline <script>: pages keep their strict
    # Content-Security-Policy (no inline scripts) while axe runs.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return list(result["violations"])


def assert_one_heading(page: Any) -> None:
    """Exactly one <h1> once the page has loaded.

    A click that navigates returns when the new page starts loading, not when it has loaded; on a
    loaded CI machine counting headings straight away saw the half-parsed page (0 headings). So
    wait for the load, then name the page and show its start if the count is wrong.
    """
    page.wait_for_load_state("load")
    count = page.locator("h1").count()
    assert count == 1, f"{count} <h1> on {page.url}: {page.locator('body').inner_text()[:400]!r}"


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations as readable lines for an assertion message."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
    )


def origin_of(url: str) -> str:
    """scheme://host:port of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """`app` (any WSGI app) served by werkzeug on a free port of 127.0.0.1; its base URL."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join()


def under_survey(app: Flask) -> Any:
    """The survey app mounted under /survey, as `yiti serve` and nginx mount it."""
    return DispatcherMiddleware(NotFound(), {"/survey": app.wsgi_app})
