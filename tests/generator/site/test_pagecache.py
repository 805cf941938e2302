"""MkDocs' per-page work reused from the build cache: the site is byte for byte what a build
without the cache writes, and nothing is remembered from a build that failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.site import engine
from generator.site.build import BuildReport, build
from generator.site.csp import InlineContentError
from tests.generator.conftest import ELEVATORS, edit
from tests.generator.fixtures import BUILD_TIME, small_content


def files_of(site: Path) -> dict[str, bytes]:
    """Every file of a site with its bytes."""
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def build_into(content: Path, site: Path, cache: Path | None, tmp_path: Path) -> BuildReport:
    return build(content, site, now=BUILD_TIME, store=tmp_path / "store", cache_dir=cache)


def test_a_rebuild_after_an_edit_writes_exactly_what_a_build_without_cache_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MkDocs dates the sitemap by the day: fixed, so builds either side of midnight compare.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1718856000")
    content = small_content(tmp_path / "content")
    build_into(content, tmp_path / "warm", tmp_path / "cache", tmp_path)
    # A step (the 一表 and 一图 pages) and the title (every page of the topic, and the
    # year and theme pages that list it).
    edit(content / ELEVATORS, "      name: 咨询政策、提出意向\n", "      name: 咨询加装政策\n")
    edit(content / ELEVATORS, "\ntitle: 老楼加装电梯\n", "\ntitle: 老旧楼房加装电梯\n")
    warm = build_into(content, tmp_path / "warm", tmp_path / "cache", tmp_path)
    build_into(content, tmp_path / "cold", None, tmp_path)
    assert warm.reused["page"] >= 20 and warm.reused["html"] >= 20  # the other topic, monitoring
    assert 0 < warm.redone["html"] < 15
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "cold")
    year = (tmp_path / "warm" / "years" / "2022" / "index.html").read_text(encoding="utf-8")
    assert "老旧楼房加装电梯" in year


def test_nothing_is_remembered_from_a_build_that_failed_after_mkdocs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = small_content(tmp_path / "content")

    def refuse(site_dir: Path, sources: object = (), early: object = None) -> None:
        raise InlineContentError("index.html: <script>")

    monkeypatch.setattr(engine, "secure_site", refuse)
    with pytest.raises(InlineContentError):
        build_into(content, tmp_path / "site", tmp_path / "cache", tmp_path)
    assert not (tmp_path / "cache" / "page").exists()
    assert not (tmp_path / "cache" / "html").exists()
    monkeypatch.undo()
    again = build_into(content, tmp_path / "site", tmp_path / "cache", tmp_path)
    assert again.reused["page"] == again.reused["html"] == 0
