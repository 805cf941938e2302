"""The two kinds of text in content, and the one place each becomes HTML.

Every text field of every content model is declared `PlainText` or `MarkdownText`:

- plain text is shown exactly as written: HTML-escaped, and with every ASCII punctuation mark
  written as a character reference, so the Markdown pass that MkDocs runs over our pages finds
  no Markdown, attribute-list or HTML syntax in it (a reader sees the same characters);
- Markdown (Q&A answers only: editors need lists and links there) is rendered with
  Python-Markdown's core syntax, cleaned by nh3 against an allow-list of tags, attributes and
  URL schemes, and its text protected the same way.

The Jinja environment (generator/site/render/environment.py) applies these by the value's type, so a
template cannot forget. Validation renders each Markdown field once, so anything that would fail
the build fails `yiti check` instead, with the file and line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import Annotated, Any

import markdown
import nh3
from markupsafe import Markup
from pydantic import AfterValidator, GetJsonSchemaHandler, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

# Never text: C0/C1 controls other than tab, line feed and carriage return; DEL; lone surrogates
# (YAML's "\ud800" escape makes one); Unicode noncharacters. Browsers and XML refuse them.
_NONCHARACTERS = "".join(
    chr(plane + low) for plane in range(0, 0x110000, 0x10000) for low in (0xFFFE, 0xFFFF)
)
NOT_TEXT = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef{_NONCHARACTERS}]"
)
# Line and paragraph breaks (YAML literal blocks, pasted text) are spaces in a single-line field.
_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]+")
# ASCII punctuation that means something to Markdown, its extensions or HTML, as references.
# `,`, `/` and `;` mean nothing on their own and stay readable in the generated Markdown.
_REFERENCES = {ord(c): f"&#{ord(c)};" for c in "!\"#$%'()*+-.:=?@[\\]^_`{|}~"} | {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
}

# What a Markdown answer may contain after rendering: paragraphs, lists, emphasis, code, quotes
# and links; no images (nothing may load from another host), no headings, tables or raw HTML.
ALLOWED_TAGS = frozenset({"p", "ul", "ol", "li", "strong", "em", "a", "code", "br", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def plain_html(text: str) -> Markup:
    """Plain text as HTML that Markdown leaves alone: shows exactly `text`, one line."""
    # bandit B704 is a false positive here: every character that could be markup is a reference
    return Markup(_BREAKS.sub(" ", text).translate(_REFERENCES))  # nosec B704


def _core_html(text: str) -> str:
    """Python-Markdown's core syntax (no attribute lists), one converter reset between texts:
    making a converter per text (what `markdown.markdown` does) took most of the time."""
    return _CONVERTER.reset().convert(text)


_CONVERTER = markdown.Markdown(output_format="html")


@lru_cache(maxsize=4096)
def markdown_html(text: str) -> Markup:
    """Markdown as sanitised HTML on one line, its text protected from a second Markdown pass.

    Remembered per text: validation, the page and the first sentence each ask for the same one.
    """
    html = _core_html(text)
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
    )
    protect = _Protect()
    protect.feed(clean)
    protect.close()
    # bandit B704 is a false positive here: nh3's output, rebuilt tag by tag just above
    return Markup("".join(protect.out).strip())  # nosec B704


@lru_cache(maxsize=4096)
def markdown_text(text: str) -> str:
    """What a reader sees of some Markdown: its text, without the formatting."""
    collect = _Protect()
    collect.feed(nh3.clean(_core_html(text), tags=set()))
    collect.close()
    return " ".join("".join(collect.text).split())


class _Protect(HTMLParser):
    """Rebuilds sanitised HTML with its text and attribute values written as `plain_html`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.text: list[str] = []
        self.inert = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and not dict(attrs).get("href"):
            self.inert = True  # its URL was refused: keep the words, drop the link
            return
        values = "".join(f' {name}="{plain_html(value or "")}"' for name, value in attrs)
        self.out.append(f"<{tag}{values}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.inert:
            self.inert = False
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.out.append(str(plain_html(data)))


class Markdown(str):
    """A value of a `MarkdownText` field: rendered, never shown as typed."""


def _printable(value: str) -> str:
    found = NOT_TEXT.search(value)
    if found:
        code = f"U+{ord(found.group()):04X}"
        raise ValueError(f"含有不可见的控制字符 {code}（第 {found.start() + 1} 个字符），请删除")
    if all(c.isspace() or unicodedata.category(c) == "Cf" for c in value):
        # Only zero-width characters: as blank on the page as a field left empty.
        code = f"U+{ord(value[0]):04X}"
        raise ValueError(f"不能为空：只有看不见的字符（如 {code}），请填写内容")
    return value


def _renders(value: str) -> Markdown:
    try:
        markdown_html(value)
    except (RecursionError, ValueError) as exc:
        raise ValueError(
            f"Markdown 无法转换（{type(exc).__name__}），请简化嵌套的列表或引用"
        ) from exc
    return Markdown(value)


@dataclass(frozen=True)
class _Media:
    """Says in the JSON Schema which kind of text a field takes (contentMediaType)."""

    media: str

    def __get_pydantic_json_schema__(
        self, core: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema: dict[str, Any] = handler(core)
        schema["contentMediaType"] = self.media
        return schema


_Trimmed = StringConstraints(strip_whitespace=True, min_length=1)
# Trimmed, non-empty, printable text, shown exactly as written.
PlainText = Annotated[str, _Trimmed, AfterValidator(_printable), _Media("text/plain")]
# Trimmed, non-empty, printable Markdown that renders: formatted, sanitised (Q&A answers).
MarkdownText = Annotated[
    str, _Trimmed, AfterValidator(_printable), AfterValidator(_renders), _Media("text/markdown")
]
