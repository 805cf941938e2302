"""Material's markup that the Nu HTML Checker rejects, made valid as MkDocs writes each page.

Material writes `autocomplete="off"` on its two checkbox toggles (the drawer and the search) in
its base template, which no partial overrides; `autocomplete` is not allowed on checkboxes.
(It kept Firefox from restoring an open drawer on Back; the drawer then opens closed anyway on
a new page.) Everything else the checker objected to is fixed where it is made: the theme's
own partials (generator/site/theme/partials/) and the flowchart's SVG (generator/site/render/flowchart.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.plugins import BasePlugin

TOGGLE_START = '<input class="md-toggle"'
TOGGLE = re.compile(r'(<input class="md-toggle"[^>]*type="checkbox"[^>]*?) autocomplete="off"')


def valid_toggles(html: str) -> str:
    """`html` without `autocomplete` on Material's checkbox toggles.

    Only the stretch from the first toggle to the end of the last is searched: the pattern run
    over a whole page tried a match at each of its thousands of tags (a tenth of a second per
    100 pages), and a match never reaches beyond its own tag."""
    start = html.find(TOGGLE_START)
    if start < 0:
        return html
    end = html.find(">", html.rfind(TOGGLE_START)) + 1 or len(html)
    return html[:start] + TOGGLE.sub(r"\1", html[start:end]) + html[end:]


class _NoOptions(base.Config):  # type: ignore[no-untyped-call]  # mkdocs' hook
    """The plugin has no options."""


class ValidToggles(BasePlugin[_NoOptions]):  # type: ignore[no-untyped-call]  # mkdocs' hook
    """A MkDocs plugin (added by generator/site/engine.py) that fixes each page and theme template
    (the 404 page) as MkDocs writes it: rewriting the built files afterwards read and wrote
    every page of the site once more."""

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        return valid_toggles(output)

    def on_post_template(self, output_content: str, template_name: str, config: Any) -> str:
        return valid_toggles(output_content)


def make_valid(site_dir: Path) -> None:
    """Rewrite every built page whose Material toggles carry `autocomplete` (for the engines
    that run in another process, where ValidToggles cannot be added)."""
    for page in site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = valid_toggles(text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")
