"""Safe text for Markdown pages: content is data, never markup.

Every content string reaches a page through Jinja2's autoescape, so HTML or script typed into any
field shows as text. Q&A answers are Markdown by design: they are rendered here and cleaned by
nh3 (an allow-list HTML sanitiser), so links keep working and `javascript:` or `<script>` do not.
"""

from __future__ import annotations

import markdown
import nh3
from markupsafe import Markup

_ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "code", "br", "blockquote"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def answer_html(text: str) -> Markup:
    """An answer's Markdown as sanitised HTML, ready to embed in a page."""
    html = markdown.markdown(text, output_format="html")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    # bandit B704 is a false positive here: sanitised by nh3 just above
    return Markup(clean)  # nosec B704


def first_sentence(text: str) -> str:
    """The direct answer: text up to the first Chinese or Latin full stop."""
    for i, char in enumerate(text):
        if char in "。！？!?":
            return text[: i + 1]
    return text


def number(value: float) -> str:
    """1326.0 → '1,326'; 12.5 → '12.5' (figures as a reader expects them)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
