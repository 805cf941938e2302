"""The Jinja2 environment: text is escaped by its type (content is data), StrictUndefined (a missing
value fails the build instead of printing nothing).

Every `{{ … }}` goes through `shown`: Markup is HTML the generator made; a Markdown field is
rendered and sanitised; numbers and dates are written out; any other value is plain text, shown exactly as written however much
Markdown, HTML, Jinja or attribute-list syntax it holds (generator/content/models/text.py). Filters that
would turn text into trusted markup (`safe`, `e`, `replace`, `tojson`, …) are removed, so no
template can bypass this. Links and anchors the generator computes go through `| path`.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from generator.content.models.text import Markdown, markdown_html, plain_html

# Filters that return Markup for text that was not made markup by the generator.
UNSAFE_FILTERS = ("safe", "e", "escape", "forceescape", "replace", "urlize", "xmlattr", "tojson")
# Characters of the site's own relative links, survey links and anchors: nothing Markdown needs.
_PATH = re.compile(r"[A-Za-z0-9._~/#?=&%-]*")


def shown(value: object) -> Markup:
    """How a value appears on a page, decided by its type (Jinja's `finalize`)."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, Markdown):
        return markdown_html(value)
    if isinstance(value, int | float | date) or value is None:
        return escape(str(value))  # numbers and dates: no syntax to hide, kept readable
    return plain_html(str(value))


def path(value: object) -> Markup:
    """A link target or anchor computed by the generator, written as is; refuses anything else."""
    text = str(value)
    if not _PATH.fullmatch(text) or text.startswith("//"):
        raise ValueError(f"not a site path or anchor: {text!r}")
    # bandit B704 is a false positive here: only the characters of _PATH pass
    return Markup(text)  # nosec B704


@cache
def environment() -> Environment:
    """The shared template environment."""
    env = Environment(
        loader=PackageLoader("generator.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=shown,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    for name in UNSAFE_FILTERS:
        del env.filters[name]
    env.filters["path"] = path
    return env
