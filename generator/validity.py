"""Material's markup that the Nu HTML Checker rejects, made valid after each build.

Material writes `autocomplete="off"` on its two checkbox toggles (the drawer and the search) in
its base template, which no partial overrides; `autocomplete` is not allowed on checkboxes.
(It kept Firefox from restoring an open drawer on Back; the drawer then opens closed anyway on
a new page.) Everything else the checker objected to is fixed where it is made: the theme's
own partials (generator/theme/partials/) and the flowchart's SVG (generator/render/flowchart.py).
"""

from __future__ import annotations

import re
from pathlib import Path

TOGGLE = re.compile(r'(<input class="md-toggle"[^>]*type="checkbox"[^>]*?) autocomplete="off"')


def valid_toggles(html: str) -> str:
    """`html` without `autocomplete` on Material's checkbox toggles."""
    return TOGGLE.sub(r"\1", html)


def make_valid(site_dir: Path) -> None:
    """Rewrite every built page whose Material toggles carry `autocomplete`."""
    for page in site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = valid_toggles(text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")
