"""Text for Markdown pages: content is data, never markup.

Templates escape every value by its type (generator/render/environment.py, with the rules in
generator/models/text.py). Q&A answers are Markdown by design: they are rendered and cleaned by
nh3 (an allow-list HTML sanitiser), so links keep working and `javascript:`, images from other
hosts or `<script>` do not.
"""

from __future__ import annotations

from markupsafe import Markup

from generator.models.text import Markdown, markdown_html, markdown_text


def answer_html(text: str) -> Markup:
    """An answer's Markdown as sanitised HTML, ready to embed in a page."""
    return markdown_html(text)


def first_sentence(text: str) -> str:
    """The direct answer: text up to the first Chinese or Latin full stop (of what a reader
    sees, for Markdown: `**需要。**` gives `需要。`)."""
    if isinstance(text, Markdown):
        text = markdown_text(text)
    for i, char in enumerate(text):
        if char in "。！？!?":
            return text[: i + 1]
    return text


def number(value: float) -> str:
    """1326.0 → '1,326'; 12.5 → '12.5' (figures as a reader expects them)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
