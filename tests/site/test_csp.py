"""Every built page fits the site's Content-Security-Policy: nothing inline that it does not allow.

Checked independently of the build's own check (generator/site/csp.py): pages are parsed with
BeautifulSoup, every inline script, style element, style attribute and event handler is hashed,
and each hash must be listed in the policy (today the list is empty: nothing inline at all).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from generator.site.csp import SITE_POLICY, InlineContentError, secure_site
from generator.site.svgstyles import styles_as_attributes

SPEC = importlib.util.find_spec("material")
assert SPEC is not None and SPEC.origin is not None  # mkdocs-material is a dependency
MATERIAL = Path(SPEC.origin).parent / "templates" / "partials" / "javascripts"
THEME = (
    Path(__file__).resolve().parents[2] / "generator" / "site" / "theme" / "assets" / "javascripts"
)
SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}


def directive(policy: str, name: str) -> list[str]:
    """The sources that apply to `name` in `policy`, with the fallbacks browsers use."""
    found = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    fallbacks = {"style-src-attr": "style-src", "script-src-attr": "script-src"}
    while name not in found and name != "default-src":
        name = fallbacks.get(name, "default-src")
    return found[name]


def sha256(text: str) -> str:
    """A CSP hash source for `text`."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def inline_blocks(markup: str, parser: str = "html.parser") -> list[tuple[str, str]]:
    """(directive, text) of everything inline in `markup` that a CSP governs."""
    soup = BeautifulSoup(markup, parser)
    found: list[tuple[str, str]] = []
    for tag in soup.find_all(True):
        assert isinstance(tag, Tag)
        kind = str(tag.get("type", "")).lower()
        if tag.name == "script" and not tag.get("src") and kind in SCRIPT_TYPES:
            found.append(("script-src", tag.get_text()))
        if tag.name == "style":
            found.append(("style-src", tag.get_text()))
        if tag.get("style") is not None:
            found.append(("style-src-attr", str(tag["style"])))
        found += [("script-src-attr", str(tag[a])) for a in tag.attrs if a.startswith("on")]
    return found


def allowed(policy: str, where: str, text: str) -> bool:
    """Whether `policy` lets inline `text` run or apply in `where` (a directive name)."""
    sources = directive(policy, where)
    if "'unsafe-inline'" in sources:
        return True
    if where.endswith("-attr") and "'unsafe-hashes'" not in sources:
        return False  # attributes match hashes only with 'unsafe-hashes'
    return sha256(text) in sources


def test_the_policy_allows_nothing_inline_or_evaluated() -> None:
    for name in ("script-src", "style-src"):
        assert directive(SITE_POLICY, name) == ["'self'"]
    assert "unsafe" not in SITE_POLICY
    assert directive(SITE_POLICY, "object-src") == ["'none'"]


def test_every_built_page_holds_only_inline_content_the_policy_allows(built_site: Path) -> None:
    pages = sorted([*built_site.rglob("*.html"), *built_site.rglob("*.svg")])
    assert len(pages) > 50
    refused = [
        f"{page.relative_to(built_site)}: {where} {text[:60]!r}"
        for page in pages
        for where, text in inline_blocks(
            page.read_text(encoding="utf-8"), "xml" if page.suffix == ".svg" else "html.parser"
        )
        if not allowed(SITE_POLICY, where, text)
    ]
    assert not refused, "\n".join(refused[:20])


def test_the_checker_finds_and_hashes_inline_content() -> None:
    html = '<script>go()</script><script type="application/json">{}</script><p style="x: 1">'
    blocks = inline_blocks(html)
    assert blocks == [("script-src", "go()"), ("style-src-attr", "x: 1")]
    hashed = f"script-src 'self' {sha256('go()')}; default-src 'self'"
    assert allowed(hashed, "script-src", "go()")
    assert not allowed(hashed, "script-src", "go(1)")
    assert not allowed(SITE_POLICY, "style-src-attr", "x: 1")


def test_charts_built_with_inline_styles_get_presentation_attributes() -> None:
    svg = (
        '<svg viewBox="0 0 1 1"><defs><style type="text/css">*{stroke-linecap: butt}</style>'
        '</defs><path d="M 0 0" style="fill: none; stroke: #1f4e8c"/>'
        "<text style=\"font-family: 'Noto Sans CJK SC'; font-size: 10px\">字</text></svg>"
    )
    secured = styles_as_attributes(svg)
    assert inline_blocks(secured) == []
    assert secured.startswith('<svg viewBox="0 0 1 1" stroke-linecap="butt">')
    assert '<path d="M 0 0" fill="none" stroke="#1f4e8c"/>' in secured
    assert '<text font-family="\'Noto Sans CJK SC\'" font-size="10px">字</text>' in secured


@pytest.mark.parametrize(
    "inline",
    [
        "<script>alert(1)</script>",
        '<div style="color: red">x</div>',
        '<img src="a.png" onerror="alert(1)">',
        '<svg><path style="transform: none"/></svg>',  # no presentation attribute for it
    ],
)
def test_the_build_fails_on_inline_content_the_policy_would_block(
    tmp_path: Path, inline: str
) -> None:
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text(f"<!doctype html>{inline}", encoding="utf-8")
    with pytest.raises(InlineContentError, match=re.escape("page/index.html")):
        secure_site(tmp_path)


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<a href="java&#9;script&#58;alert(1)">x</a>',  # what a browser still runs
        "<a href='vbscript:msgbox(1)'>x</a>",
        '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>',
        '<img src="https://evil.example/pixel.png" alt="">',
        '<img src="a.png" srcset="a.png 1x, //evil.example/b.png 2x" alt="">',
        '<script src="https://cdn.example/x.js"></script>',
        '<link rel="stylesheet" href="https://cdn.example/x.css">',
        '<iframe src="https://evil.example/"></iframe>',
        '<object data="https://evil.example/x.swf"></object>',
        '<video><source src="https://evil.example/v.mp4"></video>',
    ],
)
def test_the_build_fails_on_urls_that_run_and_resources_from_another_host(
    tmp_path: Path, markup: str
) -> None:
    (tmp_path / "index.html").write_text(f"<!doctype html><p>{markup}</p>", encoding="utf-8")
    with pytest.raises(InlineContentError, match=re.escape("index.html: ")):
        secure_site(tmp_path)


def test_links_to_other_sites_and_the_sites_own_resources_are_allowed(tmp_path: Path) -> None:
    page = (
        '<a href="https://www.beijing.gov.cn/">政策原文</a><a href="mailto:x@example.org">x</a>'
        '<img src="../assets/a.png" alt=""><link rel="stylesheet" href="/assets/x.css">'
        '<link rel="canonical" href="https://example.org/x/"><script src="assets/x.js"></script>'
    )
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    secure_site(tmp_path)


def test_a_refused_page_names_the_content_file_and_line_it_came_from(tmp_path: Path) -> None:
    content = tmp_path / "topic.yml"
    content.write_text("title: 标题\nsummary: 看 ![](https://evil.example/pixel.png)\n", "utf-8")
    site = tmp_path / "site"
    site.mkdir()
    page = '<p>看 <img src="https://evil.example/pixel.png" alt=""></p><p onclick="alert(4)">'
    (site / "index.html").write_text(page, encoding="utf-8")
    content.write_text(content.read_text("utf-8") + "note: '{onclick=alert(4)}'\n", "utf-8")
    with pytest.raises(InlineContentError) as caught:
        secure_site(site, [content])
    lines = str(caught.value).splitlines()[1:]
    assert lines[0].startswith("index.html: 来自其他网站的资源") and "topic.yml:2）" in lines[0]
    assert lines[1].startswith('index.html: <p onclick="alert(4)">') and "topic.yml:3）" in lines[1]


def test_escaped_markup_in_text_and_attributes_is_not_mistaken_for_inline_content(
    tmp_path: Path,
) -> None:
    text = (
        '<p title="&lt;img onerror=alert(1) style=x&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</p>'
    )
    (tmp_path / "index.html").write_text(text, encoding="utf-8")
    secure_site(tmp_path)


@pytest.mark.parametrize(
    ("partial", "script", "page_expression", "file_expression"),
    [
        (
            "base.html",
            "yiti-scope.js",
            '"{{ config.extra.scope | d(base_url) }}",location',
            '"../..",document.currentScript.src',
        ),
        ("content.html", "yiti-content.js", "", ""),
    ],
)
def test_the_theme_scripts_are_materials_own(
    partial: str, script: str, page_expression: str, file_expression: str
) -> None:
    """When Material changes its inline start-up scripts, the files that replace them must too."""
    inline = re.findall(r"<script>(.*?)</script>", (MATERIAL / partial).read_text("utf-8"))[-1]
    ours = (THEME / script).read_text(encoding="utf-8").rsplit("*/\n", 1)[1].strip()
    assert ours == inline.replace(page_expression, file_expression)
