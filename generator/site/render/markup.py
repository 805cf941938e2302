"""Text for Markdown pages: content is data, never markup.

Templates escape every value by its type (generator/site/render/environment.py, with the rules in
generator/content/models/text.py). Q&A answers are Markdown by design: they are rendered and cleaned by
nh3 (an allow-list HTML sanitiser), so links keep working and `javascript:`, images from other
hosts or `<script>` do not.
"""

from __future__ import annotations

from markupsafe import Markup

from generator.content.models.text import markdown_html


def answer_html(text: str) -> Markup:
    """An answer's Markdown as sanitised HTML, ready to embed in a page."""
    return markdown_html(text)


ANSWER_MARK = Markup("<strong>答：</strong>")


def marked_answer(body: Markup) -> Markup:
    """The answer's HTML with 答： opening its first paragraph, so its first sentence (the
    direct answer, by the editors' rule) is read once, first; an answer that opens with a list
    or a quote gets 答： on a line of its own."""
    if body.startswith("<p>"):
        return body.replace(Markup("<p>"), Markup("<p>") + ANSWER_MARK, 1)
    return Markup("<p>") + ANSWER_MARK + Markup("</p>\n") + body


def number(value: float) -> str:
    """1326.0 → '1,326'; 12.5 → '12.5' (figures as a reader expects them)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
