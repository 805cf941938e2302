"""Monitoring charts: matplotlib to SVG with text kept as text (selectable, searchable, read by
screen readers, scaled by the browser), CJK font names for whatever the reader's system has."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import matplotlib as mpl
from markupsafe import Markup
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# Text as <text> elements, not paths; the viewer's CJK font draws it.
mpl.rcParams["svg.fonttype"] = "none"
mpl.rcParams["svg.hashsalt"] = "yiti"  # stable ids, so the same data gives the same file
# Measured with Noto Sans CJK (installed by make); the page CSS picks the reader's CJK font.
FONTS = ["Noto Sans CJK SC", "DejaVu Sans"]
INK = "#1a1a1a"
LINE = "#1f4e8c"


def volume_chart(labels: Sequence[str], volumes: Sequence[int], title: str) -> Markup:
    """A line chart of volume per half month, as inline SVG with an accessible name."""
    figure = Figure(figsize=(7.2, 3.0), dpi=100)
    axes = figure.add_subplot()
    positions = range(len(volumes))
    # A single half month has no line to draw: mark the point so it is seen.
    marker = "o" if len(volumes) == 1 else None
    axes.plot(positions, volumes, color=LINE, linewidth=2, marker=marker)
    step = max(1, len(labels) // 6)  # about six ticks: readable on a phone
    axes.set_xticks(list(positions)[::step], [_short(x) for x in labels][::step])
    axes.set_ylabel("诉求量（件）")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.02 件 ticks
    axes.set_ylim(0, None if any(volumes) else 1)  # an all-zero line sits on the axis
    axes.grid(axis="y", color="#d0d0d0", linewidth=0.8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for text in [*axes.get_xticklabels(), *axes.get_yticklabels(), axes.yaxis.label]:
        text.set_fontfamily(FONTS)
        text.set_color(INK)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _accessible(buffer.getvalue(), title)


def _short(label: str) -> str:
    """'2024年11月下半月' → '24年11月下': short tick labels fit a 390 px screen."""
    return label.replace("20", "", 1).removesuffix("半月")


def _accessible(svg: str, title: str) -> Markup:
    body = svg[svg.index("<svg") :]
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    body = re.sub(r"<metadata>.*?</metadata>", "", body, flags=re.S)
    body = re.sub(r'\s(width|height)="[^"]*pt"', "", body, count=2)
    safe = title.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    end = body.index(">")
    head = f'{body[:end]} role="img" aria-label="{safe}" class="yiti-chart"'
    # bandit B704 is a false positive here: matplotlib's own SVG; the only text put in, the title,
    # is escaped just above
    return Markup(f"{head}><title>{safe}</title>{body[end + 1 :]}")  # nosec B704
