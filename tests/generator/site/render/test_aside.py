"""Charts drawn by a second process while the pages render (generator/site/render/aside.py): the
pages are exactly those drawn in-process, each drawing is kept in the cache, a placeholder that
goes missing or a drawing that fails fails the build instead of shipping a page without its
chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.content.loader import load_content
from generator.site.build import monitoring_of
from generator.site.cache import BuildCache, using
from generator.site.render import aside
from generator.site.render.site import render_site
from tests.generator.fixtures import BUILD_TIME, small_content


@pytest.fixture(scope="module")
def content_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_content(tmp_path_factory.mktemp("aside") / "content")


def rendered(content_dir: Path, cache: Path, drawn_aside: bool) -> dict[str, str]:
    """Every page of the two-topic content, rendered with an empty build cache in `cache`."""
    content = load_content(content_dir)
    with using(BuildCache(cache)):
        monitoring = monitoring_of(content, cache / "store")
        if not drawn_aside:
            return render_site(content, BUILD_TIME, monitoring)
        with aside.drawing_aside(early=True):
            return render_site(content, BUILD_TIME, monitoring)


def test_charts_drawn_aside_give_the_same_pages_and_cache(
    content_dir: Path, tmp_path: Path
) -> None:
    here = rendered(content_dir, tmp_path / "here", drawn_aside=False)
    beside = rendered(content_dir, tmp_path / "beside", drawn_aside=True)
    assert beside == here
    charted = [path for path, text in here.items() if "<svg" in text and path.endswith(".md")]
    assert charted and not any("YITI-CHART-SLOT" in text for text in beside.values())
    kept = {p.name: p.read_bytes() for p in (tmp_path / "here" / "chart").iterdir()}
    assert kept and kept == {
        p.name: p.read_bytes() for p in (tmp_path / "beside" / "chart").iterdir()
    }


def test_the_worker_draws_each_missing_chart_once(content_dir: Path, tmp_path: Path) -> None:
    content = load_content(content_dir)
    with using(BuildCache(tmp_path)), aside.drawing_aside(early=False):
        topic = content.topics[0]
        from generator.site.render.cached import volume_chart

        first = volume_chart(["2022年1月上半月"], [3], f"{topic.title}一")
        second = volume_chart(["2022年1月上半月"], [3], f"{topic.title}二")
        running = aside.active_aside()
        assert running is not None and len(running.drawings) == 1 and len(running.slots) == 2
        pages = aside.settle(
            {"a.md": str(first), "b.md": str(second)},
            lambda key, svg: None,
            lambda svg, title: title,
        )
    assert pages == {"a.md": f"{topic.title}一", "b.md": f"{topic.title}二"}


def test_a_lost_placeholder_fails_instead_of_leaving_a_page_without_its_chart(
    tmp_path: Path,
) -> None:
    with using(BuildCache(tmp_path)), aside.drawing_aside(early=False):
        from generator.site.render.cached import volume_chart

        volume_chart(["2022年1月上半月"], [3], "图")
        with pytest.raises(RuntimeError, match="placeholders"):
            aside.settle({"a.md": "no chart here"}, lambda key, svg: None, lambda svg, t: svg)


def test_a_drawing_that_fails_in_the_worker_fails_the_render(tmp_path: Path) -> None:
    with aside.drawing_aside(early=False):
        running = aside.active_aside()
        assert running is not None
        slot = running.slot("key", "图", _fails)
        with pytest.raises(ValueError, match="cannot draw"):
            aside.settle({"a.md": slot}, lambda key, svg: None, lambda svg, t: svg)


def _fails() -> str:
    raise ValueError("cannot draw")
