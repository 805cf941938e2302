"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


def in_ci() -> bool:
    """CI sets CI=true: there a missing dependency or service fails instead of skipping."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


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
