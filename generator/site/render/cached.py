"""Caching hooks around the two costly drawings: monitoring charts (matplotlib) and flowcharts
(Graphviz `dot`). They wrap the drawing modules without changing them, and import them only when
something has to be drawn, so a build whose drawings are all cached never loads matplotlib.

A drawing's title only names it (aria-label and <title>); the drawing is cached under a stand-in
title, keyed by what is drawn, and the real title is put in on the way out. Two topics with the
same figures or the same procedure share one drawing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import partial

from markupsafe import Markup

from generator.content.models.guide import Procedure
from generator.site.cache import BuildCache, active
from generator.site.render.aside import active_aside, draw_chart, settle

# Plain ASCII: passes the drawing modules' title escaping unchanged, never occurs in a drawing.
TITLE_SLOT = "YITI-TITLE-SLOT-7f3a"


def volume_chart(labels: Sequence[str], volumes: Sequence[int], title: str) -> Markup:
    """generator.site.render.charts.volume_chart, reused from the build cache when it has it."""
    build_cache = active()
    if build_cache is None:
        return _draw_chart()(labels, volumes, title)
    key = build_cache.key("chart", json.dumps([list(labels), list(volumes)], default=str))
    aside = active_aside()
    if aside is not None and key in aside.drawings:  # being drawn already: reused, as a hit
        build_cache.hits["chart"] += 1
        return Markup(aside.slot(key, title))  # nosec B704: an ASCII placeholder
    svg = build_cache.get("chart", key)
    if svg is None and aside is not None:  # drawn by the second process; see aside.settle
        drawing = partial(draw_chart, list(labels), list(volumes), TITLE_SLOT)
        return Markup(aside.slot(key, title, drawing))  # nosec B704: an ASCII placeholder
    if svg is None:
        svg = str(_draw_chart()(labels, volumes, TITLE_SLOT))
        build_cache.put("chart", key, svg)
    # bandit B704 is a false positive here: matplotlib's own SVG, the title escaped by _titled
    return Markup(_titled(svg, title))  # nosec B704


def settle_charts(pages: dict[str, str]) -> dict[str, str]:
    """`pages` with the charts the second process drew in place (see generator/site/render/aside.py);
    each drawing is kept in the cache, untitled, as if drawn here."""
    build_cache = active()
    if build_cache is None:
        return pages

    def keep(key: str, svg: str) -> None:
        build_cache.put("chart", key, svg)

    return settle(pages, keep, _titled)


def _draw_chart() -> Callable[[Sequence[str], Sequence[int], str], Markup]:
    """generator.site.render.charts.volume_chart, imported on first use: matplotlib takes ~1 s."""
    from generator.site.render.charts import volume_chart as draw

    return draw


def render_svgs(charts: list[tuple[Procedure, str]]) -> list[str]:
    """generator.site.render.flowchart.render_svgs, drawing only what the build cache lacks."""
    from generator.site.render import flowchart

    build_cache = active()
    if build_cache is None:
        return flowchart.render_svgs(charts)
    keys = [build_cache.key("flowchart", flowchart.to_dot(p).source) for p, _ in charts]
    procedures = dict(zip(keys, (p for p, _ in charts), strict=True))
    drawn = {key: build_cache.get("flowchart", key) for key in procedures}
    _draw_missing(build_cache, drawn, procedures)
    return [_titled(str(drawn[key]), title) for key, (_, title) in zip(keys, charts, strict=True)]


def _draw_missing(
    build_cache: BuildCache, drawn: dict[str, str | None], procedures: dict[str, Procedure]
) -> None:
    """Draw the flowcharts the cache lacked with one `dot` process, and keep them."""
    from generator.site.render import flowchart

    missing = [key for key, svg in drawn.items() if svg is None]
    if not missing:
        return
    svgs = flowchart.render_svgs([(procedures[key], TITLE_SLOT) for key in missing])
    for key, svg in zip(missing, svgs, strict=True):
        build_cache.put("flowchart", key, svg)
        drawn[key] = svg


def _titled(svg: str, title: str) -> str:
    """The drawing with its real title, escaped as the drawing modules escape it."""
    safe = title.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return svg.replace(TITLE_SLOT, safe)
