"""A built copy of the site, shared by the build, link, HTML-validity and browser tests.

Registered once in tests/conftest.py, so one build serves the whole run: test modules must not
import these fixtures (an import registers a second, separately built copy for that module)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.site.build import build
from generator.site.serve import static_site
from tests.browser import serving
from tests.conftest import CONTENT

# Fixed so pages that mention the open survey wave do not change from day to day.
BUILD_TIME = datetime(2024, 6, 20, 4, 0, tzinfo=UTC)
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"
# What issue 13 saw become live markup: links, a remote image, attribute lists, Jinja, and
# Markdown blocks (a heading, a table, a rule) typed into plain-text fields.
JS_LINK = "[x](javascript:alert(1))"
PIXEL = "![](https://evil.example/pixel.png)"
ATTRS = "{: #main .md-button hidden }"
HOSTILE_FIELDS = {
    "\ntitle: 老楼加装电梯\n": ("title", f"老楼加装电梯 {HOSTILE} {ATTRS}"),
    "  lead_department: 市住房城乡建设委\n": ("lead_department", f"市住房城乡建设委{JS_LINK}"),
    "    - problem: 管线改移协调难、费用高\n": (
        "- problem",
        "管线改移 {{ 7*7 }} {onclick=alert(4)}",
    ),
    "      name: 咨询政策、提出意向\n": ("name", f"咨询政策、提出意向 {HOSTILE}"),
    "  - question: 低层住户反对怎么办？\n": ("- question", f"低层住户反对怎么办？{JS_LINK}"),
}
SUMMARY = f"{PIXEL} 摘要\n\n# 标题\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n---\n\n{JS_LINK}"


def hostile_text(text: str) -> str:
    """A topic file's text with the hostile values written into it (as YAML strings)."""
    for old, (key, value) in HOSTILE_FIELDS.items():
        assert old in text, old
        indent = old[: len(old) - len(old.lstrip())].lstrip("\n")
        text = text.replace(
            old,
            f"{old[0] if old[0] == chr(10) else ''}{indent}{key}: "
            f"{json.dumps(value, ensure_ascii=False)}\n",
            1,
        )
    start = text.index("summary: >-\n")
    end = text.index("\nstatus:")
    text = text[:start] + f"summary: {json.dumps(SUMMARY, ensure_ascii=False)}" + text[end:]
    return text.replace(
        "    answer: >-\n      需要本单元",
        f"    answer: >-\n      {HOSTILE} [点我](javascript:alert(2)) {PIXEL} 需要本单元",
        1,
    )


@pytest.fixture(scope="session")
def hostile_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content with HTML, Markdown and script typed into fields of one topic."""
    root = tmp_path_factory.mktemp("hostile") / "content"
    shutil.copytree(CONTENT, root)
    path = root / "topics/2022/old-building-elevators.yml"
    path.write_text(hostile_text(path.read_text(encoding="utf-8")), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def built_site(
    tmp_path_factory: pytest.TempPathFactory, hostile_content: Path, request: pytest.FixtureRequest
) -> Path:
    """The site built from the hostile copy of the content, by the engine `--site-engine` names."""
    site = tmp_path_factory.mktemp("built") / "site"
    engine_name = request.config.getoption("--site-engine")
    # An empty record store: the monitoring pages show the shipped sample records.
    store = tmp_path_factory.mktemp("store")
    build(hostile_content, site, now=BUILD_TIME, store=store, engine_name=engine_name)
    return site


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """The built site served on 127.0.0.1 by the same app `yiti serve` uses."""
    with serving(static_site(built_site)) as base:
        yield base


# The topics a small build keeps: one with a flowchart the tests edit, one more so a change
# to one can be seen not to touch the other.
SMALL_TOPICS = ("old-building-elevators", "property-fees")


def small_content(target: Path) -> Path:
    """A copy of the shipped content cut down to two topics and one year of sample records:
    a build of about 30 pages instead of 120, for tests that build several times."""
    shutil.copytree(CONTENT, target)
    for path in (target / "topics").glob("*/*.yml"):
        if path.stem not in SMALL_TOPICS:
            path.unlink()
    for path in (target / "questionnaires" / "topics").glob("*.yml"):
        path.unlink()  # extra questions of topics that are gone
    records = target / "monitoring" / "sample-records.csv"
    header, *rows = records.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [row for row in rows if row.split(",")[1].startswith("2022-")]
    records.write_text(header + "".join(kept), encoding="utf-8")
    return target
