"""A built copy of the site, shared by the build, link and browser tests (one build per run)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.build import build
from generator.serve import static_site
from tests.browser import serving
from tests.conftest import CONTENT

# Fixed so pages that mention the open survey wave do not change from day to day.
BUILD_TIME = datetime(2024, 6, 20, 4, 0, tzinfo=UTC)
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def hostile_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content with HTML and script typed into fields of one topic."""
    root = tmp_path_factory.mktemp("hostile") / "content"
    shutil.copytree(CONTENT, root)
    path = root / "topics/2022/old-building-elevators.yml"
    text = path.read_text(encoding="utf-8")
    for old in ("\ntitle: 老楼加装电梯\n", "      name: 咨询政策、提出意向\n"):
        assert old in text
        text = text.replace(old, f"{old.rstrip()} {HOSTILE}\n", 1)
    text = text.replace(
        "    answer: >-\n      需要本单元",
        f"    answer: >-\n      {HOSTILE} [点我](javascript:alert(2)) 需要本单元",
        1,
    )
    path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, hostile_content: Path) -> Path:
    """The site built from the hostile copy of the content."""
    site = tmp_path_factory.mktemp("built") / "site"
    # An empty record store: the monitoring pages show the shipped sample records.
    build(hostile_content, site, now=BUILD_TIME, store=tmp_path_factory.mktemp("store"))
    return site


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """The built site served on 127.0.0.1 by the same app `yiti serve` uses."""
    with serving(static_site(built_site)) as base:
        yield base
