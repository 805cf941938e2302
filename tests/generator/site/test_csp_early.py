"""Pages checked for the CSP by a second process while MkDocs writes them (generator/site/csp_early.py):
secure_site takes the worker's answer only for a file that still holds the text checked, rewrites
a chart's styles as it would itself, and still fails the build on a finding."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from generator.site import csp
from generator.site.cache import BuildCache, using
from generator.site.csp_early import EarlyCsp
from generator.site.pageworker import PageWorker

CLEAN = "<!doctype html><html><body><p>好</p></body></html>"
SCRIPTED = "<!doctype html><html><body><script>alert(1)</script></body></html>"
STYLED = '<html><body><svg viewBox="0 0 1 1"><path style="fill: #fff"/></svg></body></html>'


def written(early: EarlyCsp, site: Path, name: str, text: str, on_disk: str | None = None) -> Path:
    """A page as MkDocs writes it: through the plugin, then to its file."""
    path = site / name
    page = SimpleNamespace(file=SimpleNamespace(abs_dest_path=str(path)))
    path.write_text(on_disk if on_disk is not None else early.on_post_page(text, page, None))
    if on_disk is not None:
        early.on_post_page(text, page, None)
    return path


def test_a_page_checked_early_is_not_scanned_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    early = EarlyCsp(PageWorker(None))
    try:
        written(early, tmp_path, "a.html", CLEAN)
        early.sent[tmp_path / "a.html"][1].result()
        monkeypatch.setattr(csp, "secure_text", _must_not_run)
        csp.secure_site(tmp_path, early=early.sent)  # the worker's answer: nothing to fix
    finally:
        early.worker.close()


def test_a_page_changed_after_its_check_is_checked_again(tmp_path: Path) -> None:
    early = EarlyCsp(PageWorker(None))
    try:
        written(early, tmp_path, "a.html", CLEAN, on_disk=SCRIPTED)
        with pytest.raises(csp.InlineContentError, match=r"a\.html"):
            csp.secure_site(tmp_path, early=early.sent)
    finally:
        early.worker.close()


def test_findings_and_rewrites_from_the_worker_are_those_of_secure_site(tmp_path: Path) -> None:
    early = EarlyCsp(PageWorker(None))
    try:
        styled = written(early, tmp_path, "styled.html", STYLED)
        written(early, tmp_path, "bad.html", SCRIPTED)
        with pytest.raises(csp.InlineContentError, match=r"bad\.html"):
            csp.secure_site(tmp_path, early=early.sent)
    finally:
        early.worker.close()
    assert styled.read_text() == csp.secure_text(".html", STYLED)[0] != STYLED
    assert 'fill="#fff"' in styled.read_text()


def test_a_page_the_cache_knows_is_not_sent(tmp_path: Path) -> None:
    build_cache = BuildCache(tmp_path / "cache", version="test")
    site = tmp_path / "site"
    site.mkdir()
    with using(build_cache):
        csp.secure_site(_one_page(site, CLEAN))  # stores the page's check
        early = EarlyCsp(PageWorker(build_cache))
        try:
            written(early, site, "b.html", CLEAN)
            written(early, site, "c.html", STYLED)
        finally:
            early.worker.close()
    assert list(early.sent) == [site / "c.html"]


def _one_page(site: Path, text: str) -> Path:
    (site / "a.html").write_text(text)
    return site


def _must_not_run(suffix: str, text: str) -> tuple[str, list[tuple[str, str]]]:
    raise AssertionError("checked again")
