"""The build cache: reused when nothing changed, redone when content or code changed, safe to
delete, a damaged entry is made again, and a failed build with a warm cache still leaves the
previous site untouched. The builds are of a two-topic copy of the content (about 30 pages):
what is tested is which work is reused, which does not need 120 pages."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from generator.content.loader import load_content
from generator.errors import ContentError
from generator.site import cache as cache_module
from generator.site import engine, pageworker
from generator.site.build import TRASH, BuildReport, WorkerLostError, build
from generator.site.cache import BuildCache, code_version, using
from generator.site.csp import secure_document
from generator.site.render import cached, charts, flowchart
from generator.site.render.pages import flowchart_title
from tests.generator.conftest import ELEVATORS, edit
from tests.generator.fixtures import BUILD_TIME, small_content

HOSTILE_TITLE = "老楼<script>alert(\"x\")</script> & '电梯'"
TOPIC = "topics/2022/old-building-elevators"


def files_of(site: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of a site with its bytes and modification time."""
    return {
        str(p.relative_to(site)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private, editable, two-topic copy of the shipped content."""
    return small_content(tmp_path / "content")


def build_with_cache(content: Path, tmp_path: Path) -> BuildReport:
    """A build of `content` into tmp_path/site with its cache in tmp_path/cache."""
    return build(
        content,
        tmp_path / "site",
        now=BUILD_TIME,
        store=tmp_path / "store",
        cache_dir=tmp_path / "cache",
    )


def test_a_rebuild_with_nothing_changed_reuses_everything_and_leaves_the_site_as_it_was(
    content_dir: Path, tmp_path: Path
) -> None:
    first = build_with_cache(content_dir, tmp_path)
    before = files_of(tmp_path / "site")
    second = build_with_cache(content_dir, tmp_path)
    assert not first.unchanged and first.redone["flowchart"] > 0 and first.redone["chart"] > 0
    assert second.unchanged
    assert sum(second.redone.values()) == 0
    assert second.reused["flowchart"] == first.redone["flowchart"]
    assert second.reused["chart"] == first.redone["chart"]
    assert files_of(tmp_path / "site") == before


def test_editing_one_topic_redoes_only_its_drawing_and_pages(
    content_dir: Path, tmp_path: Path
) -> None:
    first = build_with_cache(content_dir, tmp_path)
    edit(content_dir / ELEVATORS, "      name: 咨询政策、提出意向\n", "      name: 咨询加装政策\n")
    second = build_with_cache(content_dir, tmp_path)
    assert not second.unchanged
    assert second.redone["flowchart"] == 1  # the edited topic's, no other
    assert second.redone["chart"] == 0  # the monitoring figures did not change
    assert second.reused["flowchart"] == first.redone["flowchart"] - 1
    # Page checks redone: the edited topic's pages and the search index's neighbours at most.
    assert 0 < second.redone["csp"] <= 8 < second.reused["csp"]
    # MkDocs' work: only the edited pages (the 一表 and the 一图) are converted again.
    assert second.redone["page"] == second.redone["html"] == 2
    assert second.reused["page"] == first.redone["page"] - 2 > 20
    page = (tmp_path / "site" / TOPIC / "flowchart/index.html").read_text(encoding="utf-8")
    assert "咨询加装政策" in page and "咨询政策、提出意向" not in page
    svg = (tmp_path / "site" / TOPIC / "flowchart.svg").read_text(encoding="utf-8")
    assert "咨询加装政策" in svg


def test_a_change_of_code_version_redoes_everything(
    content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build_with_cache(content_dir, tmp_path)
    monkeypatch.setattr(cache_module, "code_version", lambda: "another version")
    second = build_with_cache(content_dir, tmp_path)
    assert not second.unchanged
    assert sum(second.reused.values()) == 0
    assert second.redone["flowchart"] == first.redone["flowchart"]
    assert second.redone["chart"] == first.redone["chart"]


def test_the_code_version_follows_the_generator_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "module.py").write_text("A = 1\n", encoding="utf-8")
    monkeypatch.setattr(cache_module, "GENERATOR_DIR", tmp_path)
    code_version.cache_clear()
    before = code_version()
    (tmp_path / "module.py").write_text("A = 2\n", encoding="utf-8")
    code_version.cache_clear()
    after = code_version()
    code_version.cache_clear()  # the real version for the tests that follow
    assert before != after


def test_a_deleted_cache_is_made_again_and_the_site_rebuilt(
    content_dir: Path, tmp_path: Path
) -> None:
    first = build_with_cache(content_dir, tmp_path)
    shutil.rmtree(tmp_path / "cache")
    second = build_with_cache(content_dir, tmp_path)
    assert not second.unchanged
    assert second.redone == first.redone
    assert (tmp_path / "cache" / "flowchart").is_dir()
    assert (tmp_path / "site" / TOPIC / "flowchart.svg").is_file()


@pytest.mark.parametrize("kind", ["flowchart", "chart", "page", "html", "csp", "site"])
def test_a_damaged_entry_is_a_miss_and_made_again(
    content_dir: Path, tmp_path: Path, kind: str
) -> None:
    first = build_with_cache(content_dir, tmp_path)
    entries = sorted((tmp_path / "cache" / kind).iterdir())
    entries[0].write_text(entries[0].read_text(encoding="utf-8")[:-40], encoding="utf-8")
    entries[-1].write_bytes(b"\xff\xfe not text")
    (tmp_path / "site" / "index.html").touch()  # MkDocs runs again, so every page is read
    second = build_with_cache(content_dir, tmp_path)
    assert second.redone[kind] == min(2, len(entries))
    assert second.reused[kind] == first.redone[kind] - second.redone[kind]
    third = build_with_cache(content_dir, tmp_path)  # made again: whole, and reused
    assert third.unchanged and sum(third.redone.values()) == 0


def test_a_replaced_site_is_deleted_by_the_next_build(content_dir: Path, tmp_path: Path) -> None:
    build_with_cache(content_dir, tmp_path)
    first = files_of(tmp_path / "site")
    edit(content_dir / ELEVATORS, "      name: 咨询政策、提出意向\n", "      name: 咨询加装政策\n")
    build_with_cache(content_dir, tmp_path)
    trash = tmp_path / "cache" / TRASH
    (parked,) = trash.iterdir()  # the first site, whole, until the next build
    assert files_of(parked / "site") == first
    (tmp_path / "site" / "index.html").touch()
    build_with_cache(content_dir, tmp_path)
    assert not parked.exists()
    assert [p.name for p in trash.iterdir()] != [parked.name]


def test_a_site_changed_by_hand_is_built_again_not_reused(
    content_dir: Path, tmp_path: Path
) -> None:
    build_with_cache(content_dir, tmp_path)
    (tmp_path / "site" / TOPIC / "flowchart.svg").unlink()
    second = build_with_cache(content_dir, tmp_path)
    assert not second.unchanged
    assert (tmp_path / "site" / TOPIC / "flowchart.svg").is_file()


def test_invalid_content_with_a_warm_cache_leaves_the_previous_site_untouched(
    content_dir: Path, tmp_path: Path
) -> None:
    build_with_cache(content_dir, tmp_path)
    before = files_of(tmp_path / "site")
    edit(content_dir / ELEVATORS, "          to: mediation", "          to: gone")
    with pytest.raises(ContentError):
        build_with_cache(content_dir, tmp_path)
    assert files_of(tmp_path / "site") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "content", "site"]


def test_an_engine_failure_with_a_warm_cache_leaves_the_previous_site_and_reuses_nothing_wrong(
    content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_with_cache(content_dir, tmp_path)
    before = files_of(tmp_path / "site")
    edit(content_dir / ELEVATORS, "      name: 咨询政策、提出意向\n", "      name: 咨询加装政策\n")

    def half_written(
        config_file: Path, site_dir: Path, sources: Sequence[Path] = (), name: str = "mkdocs"
    ) -> None:
        site_dir.mkdir(parents=True)
        (site_dir / "index.html").write_text("half", encoding="utf-8")
        raise engine.EngineError("MkDocs 构建失败")

    monkeypatch.setattr(engine, "run", half_written)
    with pytest.raises(engine.EngineError):
        build_with_cache(content_dir, tmp_path)
    assert files_of(tmp_path / "site") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "content", "site"]
    monkeypatch.undo()
    after = build_with_cache(content_dir, tmp_path)  # the failed build is not taken as done
    assert not after.unchanged
    page = (tmp_path / "site" / TOPIC / "flowchart/index.html").read_text(encoding="utf-8")
    assert "咨询加装政策" in page


def test_cached_charts_are_the_drawings_themselves_whatever_the_title(tmp_path: Path) -> None:
    labels, volumes = ["2024年1月上半月", "2024年1月下半月", "2024年2月上半月"], [3, 5, 4]
    build_cache = BuildCache(tmp_path)
    with using(build_cache):
        first = cached.volume_chart(labels, volumes, "示例")
        again = cached.volume_chart(labels, volumes, HOSTILE_TITLE)
    assert build_cache.misses["chart"] == 1 and build_cache.hits["chart"] == 1
    assert first == charts.volume_chart(labels, volumes, "示例")
    assert again == charts.volume_chart(labels, volumes, HOSTILE_TITLE)


def test_cached_flowcharts_are_the_drawings_themselves_whatever_the_title(
    tmp_path: Path,
) -> None:
    topics = load_content(Path("content")).topics[:3]
    wanted = [(t.procedure, flowchart_title(t)) for t in topics]
    hostile = [(t.procedure, HOSTILE_TITLE) for t in topics]
    build_cache = BuildCache(tmp_path)
    with using(build_cache):
        assert cached.render_svgs(wanted) == flowchart.render_svgs(wanted)
        assert cached.render_svgs(hostile) == flowchart.render_svgs(hostile)
    assert build_cache.misses["flowchart"] == 3 and build_cache.hits["flowchart"] == 3


def test_a_page_check_read_from_the_cache_still_rewrites_styles_and_reports_problems(
    tmp_path: Path,
) -> None:
    page = '<p>x</p><svg><path style="fill: red"/></svg><script>alert(1)</script>'
    paths = [tmp_path / "a.html", tmp_path / "b.html"]
    for path in paths:
        path.write_text(page, encoding="utf-8")
    build_cache = BuildCache(tmp_path / "cache")
    with using(build_cache):
        found = [secure_document(path) for path in paths]
    assert build_cache.misses["csp"] == 1 and build_cache.hits["csp"] == 1
    assert found[0] == found[1] == [("<script>", "<script>")]
    assert paths[0].read_text(encoding="utf-8") == paths[1].read_text(encoding="utf-8")
    assert 'fill="red"' in paths[1].read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["page worker", "chart worker"])
def test_a_worker_process_that_dies_fails_the_build_clearly_and_keeps_the_site(
    content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A helper process killed mid-build (the kernel's OOM killer, a stray `kill`) is named in
    the error, the previous site stays, and nothing of the failed build is remembered."""
    build_with_cache(content_dir, tmp_path)
    before = files_of(tmp_path / "site")
    edit(content_dir / ELEVATORS, "      name: 咨询政策、提出意向\n", "      name: 咨询加装政策\n")
    shutil.rmtree(tmp_path / "cache" / "chart")  # the chart worker has charts to draw
    if where == "page worker":
        monkeypatch.setattr(pageworker, "_adopt", _die)
    else:
        monkeypatch.setattr(cached, "draw_chart", _die)
    with pytest.raises(WorkerLostError, match=r"辅助进程意外退出.*原站点未改动"):
        build_with_cache(content_dir, tmp_path)
    assert files_of(tmp_path / "site") == before
    assert not list((tmp_path / "cache").glob("staging/*/*"))
    monkeypatch.undo()
    assert build_with_cache(content_dir, tmp_path).redone["page"] > 0


def _die(*_: object, **__: object) -> None:
    """What a killed worker looks like to the build: the process is gone without a word."""
    os._exit(9)
