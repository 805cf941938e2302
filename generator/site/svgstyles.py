"""Inline SVG styles as presentation attributes, which a Content-Security-Policy does not govern.

matplotlib's charts carry their styles inline (a `<style>` rule and `style=` attributes); the
site's policy blocks both (generator/site/csp.py), and SVG draws the same with the same properties
written as attributes. Also the start-tag patterns the CSP scan shares.
"""

from __future__ import annotations

import re

# SVG properties that have a presentation attribute of the same name (SVG 1.1, section 6.4).
PRESENTATION = frozenset(
    [
        "clip-path",
        "clip-rule",
        "color",
        "display",
        "dominant-baseline",
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "letter-spacing",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "visibility",
    ]
)
SVG = re.compile(r"<svg\b.*?</svg>", re.S)
# One attribute of a start tag, with a quoted, unquoted or no value (HTML's tokenizer, roughly).
ATTRIBUTE = r"""\s+([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'[^']*'|[^\s"'=<>`]+))?"""
TAG = re.compile(rf"<([a-zA-Z][^\s/>]*)((?:{ATTRIBUTE})*)\s*/?>")
ATTRIBUTES = re.compile(ATTRIBUTE)
# matplotlib's one rule for the whole drawing: *{stroke-linejoin: round; stroke-linecap: butt}
STAR_RULE = re.compile(r'<style type="text/css">\*\{([^{}]*)\}</style>')


def svg_styles_as_attributes(match: re.Match[str]) -> str:
    """styles_as_attributes, skipped for the many drawings (icons) that have no style at all."""
    svg = match.group(0)
    return styles_as_attributes(svg) if "style" in svg.lower() else svg


def attributes(text: str) -> dict[str, str]:
    """A start tag's attributes by lower-case name (values only when double-quoted)."""
    return {m.group(1).lower(): m.group(2) or "" for m in ATTRIBUTES.finditer(text)}


def styles_as_attributes(svg: str) -> str:
    """An SVG drawing with its inline styles as presentation attributes, drawn the same.

    matplotlib's `*` rule set the line ends of every element unless its own style said
    otherwise; as attributes of the root they are inherited, and an element's own wins.
    """
    rule = STAR_RULE.search(svg)
    if rule:
        svg = svg.replace(rule.group(0), "", 1)
        root = TAG.match(svg)
        assert root is not None  # the text starts with <svg
        svg = with_declarations(root, rule.group(1)) + svg[root.end() :]
    return TAG.sub(lambda tag: with_declarations(tag, ""), svg)


def with_declarations(tag: re.Match[str], declarations: str) -> str:
    """The start tag `tag` with `declarations` and its own style attribute as presentation
    attributes; a declaration without one stays in a style attribute, which the check after
    the build then reports."""
    names = attributes(tag.group(2))
    own = names.pop("style", None)
    if own is None and not declarations:
        return tag.group(0)
    kept = [m.group(0) for m in ATTRIBUTES.finditer(tag.group(2)) if m.group(1).lower() != "style"]
    added = []
    for declaration in filter(None, (d.strip() for d in f"{declarations};{own or ''}".split(";"))):
        name, _, value = (part.strip() for part in declaration.partition(":"))
        if name in PRESENTATION and name not in names:
            names[name] = value
            added.append(f' {name}="{value}"')
        else:
            added.append(f' style="{declaration}"')
    close = "/>" if tag.group(0).endswith("/>") else ">"
    return f"<{tag.group(1)}{''.join(kept)}{''.join(added)}{close}"
