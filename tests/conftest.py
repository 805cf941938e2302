"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from generator.site.other_engines import DEFAULT as DEFAULT_ENGINE
from generator.site.other_engines import ENGINES

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


def in_ci() -> bool:
    """CI sets CI=true: there a missing dependency or service fails instead of skipping."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


# Hypothesis profiles (HYPOTHESIS_PROFILE=ci|dev to choose; CI=true picks ci). Example counts stay
# with each test, which knows its search space. Neither profile has a deadline: tests never assert
# on time, and a loaded 2-core machine (or two pytest workers) makes any deadline flaky. CI starts
# from a clean checkout, so it keeps no example database and prints the blob that replays a
# failure; a developer's runs replay earlier failures from .hypothesis/ first.
settings.register_profile("ci", deadline=None, database=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if in_ci() else "dev"))


def require(condition: bool, what: str) -> None:
    """Skip (outside CI) or fail (in CI) when something a test needs is missing."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{what} is required in CI but missing", pytrace=False)
    pytest.skip(f"{what} is missing")


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private, editable copy of the shipped content."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


# Registered here, after ROOT and require exist (tests.browser imports them), so every browser
# test module shares one session-wide Chromium, and every test that reads the built site shares
# one build. A session fixture imported into a test module is registered again for that module
# (pytest keeps one cache per registration): it would run once per importing module, not once.
from tests.browser import browser  # noqa: E402
from tests.generator.fixtures import built_site, hostile_content, site_url  # noqa: E402

__all__ = ["browser", "built_site", "hostile_content", "site_url"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--site-engine`: build the shared test site with another engine (issue 19's comparison)."""
    parser.addoption(
        "--site-engine",
        choices=ENGINES,
        default=DEFAULT_ENGINE,
        help="Engine for the site the build, link and browser tests share (default: mkdocs).",
    )
