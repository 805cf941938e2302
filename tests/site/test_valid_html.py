"""Every page of a full build is valid HTML by the Nu HTML Checker (npm `vnu-jar`, run on
Debian's Java): the theme's partials, our templates, and the inline flowcharts and charts.

The build is the session's `built_site` (tests/generator/fixtures.py): every page of the shipped
content, with HTML, Markdown and script typed into one topic's fields, which must stay valid too.
A second full build of the unchanged content would check the same templates again.
"""

from __future__ import annotations

import json
import shutil
import subprocess  # nosec B404
from pathlib import Path

from tests.conftest import ROOT, require

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def checker_errors(site: Path) -> list[str]:
    """The checker's errors over every HTML file under `site`, as `page: message` lines."""
    java = shutil.which("java")
    require(java is not None, "Java (apt-get install default-jre-headless)")
    require(VNU.is_file(), f"the Nu HTML Checker at {VNU} (run `npm ci`)")
    done = subprocess.run(  # nosec B603
        [str(java), "-jar", str(VNU), "--format", "json", "--skip-non-html", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(done.stderr)["messages"]
    return [
        f"{m['url'].split(str(site), 1)[-1]}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]


def test_every_built_page_is_valid_html(built_site: Path) -> None:
    pages = list(built_site.rglob("*.html"))
    assert len(pages) > 100  # the whole site, not a sample
    errors = checker_errors(built_site)
    assert not errors, f"{len(errors)} errors:\n" + "\n".join(errors[:30])
