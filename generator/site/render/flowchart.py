"""一图: the procedure drawn with Graphviz `dot` from the same steps as the 一表, so the two never
disagree. Top-to-bottom, short wrapped labels, so it stays readable on a 390 px phone."""

from __future__ import annotations

import re
import textwrap

import graphviz
from markupsafe import Markup

from generator.content.models.guide import Procedure, Step

# A phone's text column: 390 px less Material's margins. A wider chart scrolls in its own box.
PHONE_COLUMN = 350  # CSS px
# Noto Sans CJK (fonts-noto-cjk) is what `make` installs; dot measures text with it.
FONT = "Noto Sans CJK SC"
WRAP = 9  # characters per line: about 150 px of CJK text at 14 px
INK = "#1a1a1a"
ACCENT = "#1f4e8c"


def step_number(procedure: Procedure) -> dict[str, int]:
    """Step id → its 1-based number, as shown in the table and the step list."""
    return {step.id: i for i, step in enumerate(procedure.steps, start=1)}


def wrap(text: str, width: int = WRAP) -> str:
    """A dot label: CJK text broken every `width` characters, content escaped so `<…>`,
    backslashes and `&` stay text (dot would otherwise read them as HTML labels, escapes and
    character references: a typed `&amp;` was drawn as `&`, `&#60;` as `<`)."""
    lines = textwrap.wrap(text, width=width, break_long_words=True) or [text]
    escaped = (graphviz.escape(line).replace("&", "&amp;") for line in lines)
    return str(graphviz.nohtml("\\n".join(escaped)))


def _node(graph: graphviz.Digraph, step: Step, number: int) -> None:
    text = step.question if step.kind == "decision" and step.question else step.name
    label = f"第 {number} 步\\n{wrap(text)}"
    shapes = {"step": "box", "decision": "diamond", "end": "box"}
    styles = {"step": "rounded,filled", "decision": "filled", "end": "rounded,filled,bold"}
    fills = {"step": "#ffffff", "decision": "#fff4d6", "end": "#e3f1e6"}
    graph.node(
        step.id,
        label=label,
        shape=shapes[step.kind],
        style=styles[step.kind],
        fillcolor=fills[step.kind],
    )


def to_dot(procedure: Procedure) -> graphviz.Digraph:
    """The procedure as a Graphviz graph: boxes for steps, diamonds for decisions."""
    graph = graphviz.Digraph(name="procedure")
    graph.attr(rankdir="TB", fontname=FONT, nodesep="0.3", ranksep="0.4", bgcolor="transparent")
    graph.attr("node", fontname=FONT, fontsize="14", color=INK, fontcolor=INK, margin="0.15,0.08")
    graph.attr("edge", fontname=FONT, fontsize="13", color=ACCENT, fontcolor=INK)
    numbers = step_number(procedure)
    for step in procedure.steps:
        _node(graph, step, numbers[step.id])
    for step in procedure.steps:
        if step.next:
            graph.edge(step.id, step.next)
        for branch in step.branches:
            graph.edge(step.id, branch.to, label=wrap(branch.label, 7))
    return graph


def render_svg(procedure: Procedure, title: str) -> str:
    """Standalone SVG (for download): the dot output, with an accessible title."""
    return render_svgs([(procedure, title)])[0]


def render_svgs(charts: list[tuple[Procedure, str]]) -> list[str]:
    """Many flowcharts with one `dot` process: ~30 ms of start-up each adds up at 100 topics."""
    if not charts:
        return []
    source = "\n".join(to_dot(procedure).source for procedure, _ in charts)
    output = graphviz.pipe("dot", "svg", source.encode("utf-8")).decode("utf-8")
    svgs = [f"<?xml{part}" for part in output.split("<?xml")[1:]]
    if len(svgs) != len(charts):
        raise ValueError(f"dot returned {len(svgs)} drawings for {len(charts)} flowcharts")
    return [_accessible(svg, title) for svg, (_, title) in zip(svgs, charts, strict=True)]


def inline_svg(svg: str) -> Markup:
    """The same SVG for inlining in HTML, drawn at its natural size: one dot point per CSS px,
    so 14 pt labels are 14 px on every screen (shrunk to a phone, they were 4–9 px). No XML
    prolog or comments."""
    body = svg[svg.index("<svg") :]
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    body = re.sub(r'\s(width|height)="([\d.]+)pt"', r' \1="\2"', body, count=2).strip()
    # bandit B704 is a false positive here: dot's own SVG output; labels were escaped on the way in
    return Markup(body)  # nosec B704


def natural_width(svg: str) -> float:
    """The drawing's width in CSS px at its natural size (dot's points, one per px)."""
    match = re.search(r'<svg[^>]*?\swidth="([\d.]+)(?:pt)?"', svg, flags=re.S)
    if match is None:
        raise ValueError("dot's SVG has no width")
    return float(match.group(1))


def _accessible(svg: str, title: str) -> str:
    """role="img" with a label and one <title>; dot's per-node titles (step ids) and its ids
    (`page0,1_graph0` is no valid HTML id; `node1` could clash with the page's) are dropped."""
    svg = re.sub(r"<title>.*?</title>\n?", "", svg, flags=re.S)
    svg = re.sub(r'(<g) id="[^"]*"', r"\1", svg)
    safe = title.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    start = svg.index("<svg")
    end = svg.index(">", start)
    return f'{svg[:end]} role="img" aria-label="{safe}"><title>{safe}</title>{svg[end + 1 :]}'
