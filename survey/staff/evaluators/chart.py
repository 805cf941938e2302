"""A horizontal bar chart as inline SVG, built by hand with presentation attributes.

generator/site/render/charts.py draws with matplotlib, whose SVG carries `style="…"` attributes and a
`<style>` element; the staff pages' Content-Security-Policy (`style-src 'self'`) blocks both, so
the bars would lose their colours. Here every colour is an attribute (`fill`), which CSP allows.
Like the generator's charts, text stays text (`<text>`), the image has an accessible name, and
the data table beside it carries the numbers for anyone who cannot see the bars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup, escape

WIDTH: Final = 480  # viewBox units; the stylesheet scales the chart to its column
PAD: Final = 8
ROW: Final = 52  # label line, then the bar under it
FONT: Final = 18  # viewBox units: about 13.5 px on a 390 px phone
BAR: Final = 14
INK: Final = "#1a1a1a"
FILL: Final = "#1f4e8c"  # 8.6:1 against white
TRACK: Final = "#e6e9ef"  # the 100% a bar is measured against


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its share (0–1) and the value printed beside the label."""

    label: str
    share: float
    shown: str


def bar_chart(bars: Sequence[Bar], title: str) -> Markup:
    """Bars of shares of 100%, each labelled with its value, as an `<svg role="img">`."""
    height = PAD * 2 + ROW * len(bars)
    name = escape(title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="yiti-chart" role="img" aria-label="{name}"><title>{name}</title>'
    ]
    parts += [_bar(bar, PAD + i * ROW) for i, bar in enumerate(bars)]
    parts.append("</svg>")
    # bandit B704: every text put in is escaped above or in _bar; the rest is our own markup
    return Markup("".join(parts))  # nosec B704


def _bar(bar: Bar, top: int) -> str:
    span = WIDTH - 2 * PAD
    length = max(0.0, min(1.0, bar.share)) * span
    label = escape(f"{bar.label}　{bar.shown}")
    baseline = top + FONT + 2
    y = top + FONT + 12
    return (
        f'<text x="{PAD}" y="{baseline}" font-size="{FONT}" fill="{INK}">{label}</text>'
        f'<rect x="{PAD}" y="{y}" width="{span}" height="{BAR}" fill="{TRACK}"/>'
        f'<rect x="{PAD}" y="{y}" width="{length:.1f}" height="{BAR}" fill="{FILL}"/>'
    )
