"""Monitoring charts the build cache lacks, drawn by a second process while the pages render.

A cold build of 100 topics spent about a fifth of its generator stage in matplotlib: importing it
and laying out each missing chart's CJK labels. The bare `mkdocs build` the build is compared
with uses one core of the machine's two, and so did everything before MkDocs. `drawing_aside`
starts one worker process at the beginning of the build (it imports matplotlib while this
process loads the content and computes the monitoring tables); a chart missing from the cache
is sent to it, and the page gets a placeholder (`slot`) that `settle` replaces with the drawing
once every page is rendered. The pages are therefore exactly those drawn in-process
(tests/generator/site/render/test_aside.py); a drawing that fails in the worker fails the build as before.

Without an active aside (no build cache, or render_site called on its own) nothing changes:
charts are drawn in this process as they are needed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextvars import ContextVar

SLOT = re.compile(r"YITI-CHART-SLOT-\d+-c41e")
_aside: ContextVar[ChartsAside | None] = ContextVar("yiti_charts_aside", default=None)


class ChartsAside:
    """One worker process; the charts sent to it by cache key, the page slots waiting for them."""

    def __init__(self) -> None:
        self.pool: ProcessPoolExecutor | None = None
        self.drawings: dict[str, Future[str]] = {}  # cache key → the drawing, untitled
        self.slots: dict[str, tuple[str, str]] = {}  # slot text → (cache key, title)

    def start(self) -> ProcessPoolExecutor:
        """The worker, started on first use; it imports matplotlib at once."""
        if self.pool is None:
            # fork: spawn would run the caller's main module again (a script without a
            # __main__ guard would build again). The worker only imports and draws.
            self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            self.pool.submit(_warm_up)
        return self.pool

    def slot(self, key: str, title: str, drawing: Callable[[], str] | None = None) -> str:
        """A placeholder for the chart of `key`, titled `title`. `drawing` (a module-level
        function with its arguments bound, run by the worker) draws it, once per key: None
        when it was sent already."""
        if key not in self.drawings:
            if drawing is None:
                raise ValueError(f"chart {key} was never sent to be drawn")
            self.drawings[key] = self.start().submit(drawing)
        text = f"YITI-CHART-SLOT-{len(self.slots)}-c41e"  # ASCII, never in content or a drawing
        self.slots[text] = (key, title)
        return text


@contextlib.contextmanager
def drawing_aside(early: bool) -> Iterator[None]:
    """Within the block, charts missing from the cache are drawn by a second process, started
    at once when `early` (a cache with no chart yet: the first build will need them), else when
    the first chart is found missing."""
    aside = ChartsAside()
    if early:
        aside.start()
    token = _aside.set(aside)
    try:
        yield
    finally:
        _aside.reset(token)
        if aside.pool is not None:
            aside.pool.shutdown(wait=True, cancel_futures=True)


def active_aside() -> ChartsAside | None:
    """The aside of the build running now, if any."""
    return _aside.get()


def settle(
    pages: dict[str, str],
    keep: Callable[[str, str], None],
    titled: Callable[[str, str], str],
) -> dict[str, str]:
    """`pages` with every slot replaced by its drawing, `titled(drawing, title)`; each drawing
    is first given to `keep(key, drawing)` (the cache). Waits for the worker's drawings."""
    aside = active_aside()
    if aside is None or not aside.slots:
        return pages
    drawn = {key: future.result() for key, future in aside.drawings.items()}
    for key, svg in drawn.items():
        keep(key, svg)
    found: set[str] = set()

    def fill(match: re.Match[str]) -> str:
        key, title = aside.slots[match.group(0)]
        found.add(match.group(0))
        return titled(drawn[key], title)

    settled = {
        path: SLOT.sub(fill, text) if "YITI-CHART-SLOT-" in text else text
        for path, text in pages.items()
    }
    if len(found) != len(aside.slots):  # a slot lost in rendering: a page without its chart
        raise RuntimeError(f"{len(aside.slots) - len(found)} chart placeholders not in the pages")
    aside.slots.clear()
    aside.drawings.clear()
    return settled


def _warm_up() -> None:
    import generator.site.render.charts  # noqa: F401  # the import is the point


def draw_chart(labels: list[str], volumes: list[int], title: str) -> str:
    """generator.site.render.charts.volume_chart as text: what the worker runs (this module is all
    it imports besides the charts, not the models)."""
    from generator.site.render.charts import volume_chart

    return str(volume_chart(labels, volumes, title))
