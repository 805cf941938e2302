"""The static site's Content-Security-Policy: no inline script or style, kept true at build time.

The policy allows scripts and styles from the site's own files only. Material for MkDocs writes
two small start-up scripts inline; the theme (generator/site/theme/partials/javascripts/) loads them
from files instead. matplotlib's charts carry their styles inline (a `<style>` rule and `style=`
attributes), which such a policy blocks, so after each build `secure_site` rewrites every inline
SVG's styles as SVG presentation attributes, which CSP does not govern, and then fails the build
if any page still holds something inline that the policy would block. A fixed policy is what lets
nginx send it from a static file (deploy/nginx/yiti-security-headers.conf).

The same scan refuses what a server without our policy would still run or load: `javascript:`,
`vbscript:` and `data:` URLs in any link or resource, and resources (images, scripts, stylesheets,
frames, objects, media) from another host. Each finding names the content file and line it came
from when the offending text is found in the content, so an editor knows what to fix.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path

from generator.content.yamlsource import label_for
from generator.errors import YitiError
from generator.site.cache import BuildCache, active
from generator.site.svgstyles import SVG, TAG, attributes, svg_styles_as_attributes

# data: images: Material's stylesheet draws its icons as data: SVGs (CSS mask-image).
SITE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",  # the search index runs in a Web Worker from the site's files
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# What a tag must contain to be blocked (`_blocks`): a script or style element, or a style or
# event-handler attribute (attributes always follow white space). A cheap first look only.
MAYBE_BLOCKED = re.compile(r"^<(?:script|style)|\s(?:style|on)", re.I)
# Script types a browser runs; any other type (application/json: Material's settings) is data.
SCRIPT_TYPES = {"", "text/javascript", "module", "application/javascript"}


# One attribute with its value however it is quoted (double, single, none), for the URL checks.
ANY_ATTRIBUTE = re.compile(
    r"""\s+([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"""
)
# Attributes that hold a URL a browser follows or loads.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "srcset", "action", "formaction", "data", "poster", "xlink:href", "background"}
)
# Elements whose URL attributes load into the page (for <link>, only these relations do).
RESOURCE_TAGS = frozenset(
    {
        "img",
        "source",
        "script",
        "iframe",
        "frame",
        "object",
        "embed",
        "video",
        "audio",
        "track",
        "image",
        "input",
        "link",
        "use",
    }
)
LOADING_RELS = frozenset({"stylesheet", "icon", "preload", "modulepreload", "manifest", "prefetch"})
URL_HINT = re.compile(r"(?:href|src|srcset|action|data|poster|background)\s*=", re.I)
RUNNING_SCHEMES = ("javascript:", "vbscript:", "data:")
# Browsers drop ASCII white space and controls inside a URL's scheme ("java\tscript:" runs).
URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


# A page checked by the second process (generator/site/pageworker.py): its secure_text result,
# with "" for a text that needed no rewriting, and the key of its check in the build cache ("" for
# none). Early: the pages checked while the site was built, path → (the text checked, its check).
Problems = list[tuple[str, str]]  # (what, the text to look for in the content)
Checked = tuple[str, Problems, str]
Early = Mapping[Path, tuple[str, "Future[Checked]"]]


class InlineContentError(YitiError):
    """A built page holds inline script or style that the site's policy would block."""


def site_headers(https: bool = False) -> dict[str, str]:
    """The survey's security headers with the site's own policy; HSTS only behind HTTPS."""
    # Imported here: `survey` brings the whole Flask app (about 5 s of imports), which
    # `yiti build` (secure_site) never needs; only serving does.
    from survey.security import HEADERS, HSTS

    headers = HEADERS | {"Content-Security-Policy": SITE_POLICY}
    return headers | {"Strict-Transport-Security": HSTS} if https else headers


def secure_site(site_dir: Path, sources: Sequence[Path] = (), early: Early | None = None) -> None:
    """Move inline SVG styles into attributes on every page, then check that nothing inline,
    nothing that runs from a URL and nothing from another host is left on any page or drawing
    (a drawing opened on its own gets the same policy). `sources` are the content files a
    finding is traced back to; `early` has pages checked already (generator/site/csp_early.py)."""
    documents = sorted([*site_dir.rglob("*.html"), *site_dir.rglob("*.svg")])
    texts = {path: path.read_text(encoding="utf-8") for path in sources if path.is_file()}
    problems = [
        f"{path.relative_to(site_dir)}: {what}{located(needle, texts)}"
        for path in documents
        for what, needle in secure_document(path, early)
    ]
    if problems:
        listed = "\n".join(problems[:20])
        raise InlineContentError(
            "页面里有内容安全策略（CSP）会拦截的内联脚本或样式，或会执行的链接、来自其他网站的资源：\n"
            f"{listed}"
        )


def refused(page: str) -> list[tuple[str, str]]:
    """(what, the text to look for in the content) for everything `page` may not hold: what
    `blocked` finds, then URLs that run and resources from another host (one pass over the tags)."""
    found = []
    for tag in TAG.finditer(page):
        text = tag.group(0)
        if _blocks(tag):
            found.append((text[:80], text[:80]))
        if not (":" in text or "&" in text or "//" in text) or not URL_HINT.search(text):
            continue  # no scheme, no host, no URL attribute: skipped without parsing
        name, values = tag.group(1).lower(), all_attributes(tag.group(2))
        for attribute, url in values.items():
            if attribute not in URL_ATTRIBUTES:
                continue
            for each in url.split(",") if attribute == "srcset" else [url]:
                candidate = (each.split() or [""])[0] if attribute == "srcset" else each
                reason = url_problem(name, values, attribute, candidate)
                if reason:
                    found.append((f"{reason}：{text[:80]}", candidate.strip()))
    return found


def url_problem(tag: str, values: dict[str, str], attribute: str, url: str) -> str | None:
    """Why `url` in `attribute` of `tag` may not be on a page, or None when it may."""
    if URL_NOISE.sub("", url).lower().startswith(RUNNING_SCHEMES):
        return "会执行或内嵌的链接（javascript:、vbscript:、data:）"
    loads = tag in RESOURCE_TAGS and (
        tag != "link" or bool(LOADING_RELS & set(values.get("rel", "").lower().split()))
    )
    if loads and re.match(r"^\s*([a-z][a-z0-9+.-]*:)?//", url, re.I):
        return "来自其他网站的资源"
    return None


def all_attributes(text: str) -> dict[str, str]:
    """A start tag's attributes by lower-case name, values decoded however they are quoted."""
    return {
        m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
        for m in ANY_ATTRIBUTE.finditer(text)
    }


def located(needle: str, texts: dict[Path, str]) -> str:
    """'（来自 file:line）' for the first content line holding `needle`, or '' if none does."""
    for candidate in _needles(needle):
        for path, text in texts.items():
            at = text.find(candidate)
            if at >= 0:
                return f"（来自 {label_for(path)}:{text.count(chr(10), 0, at) + 1}）"
    return ""


def _needles(needle: str) -> Iterable[str]:
    """The offending text, then shorter forms of it an editor may have typed differently."""
    yield needle
    inner = re.sub(r"^<[^>]*?\b(?:on\w+|style|src|href)=[\"']?", "", needle)
    if inner != needle and len(inner) >= 4:
        yield inner.split('"')[0].split("'")[0]


def secure_document(path: Path, early: Early | None = None) -> list[tuple[str, str]]:
    """One page's inline SVG styles as attributes (written back), then what the policy would
    still block in it; taken from `early` for a page checked, in exactly this text, while the
    site was built, else reused from the build cache (generator/site/cache.py) or checked now."""
    text = path.read_text(encoding="utf-8")
    build_cache = active()
    sent = early.get(path) if early else None
    if sent is not None and sent[0] == text:
        secured, problems, key = sent[1].result()
        secured = secured or text  # "": nothing to rewrite (not sent back)
        if build_cache and key:
            build_cache.made_elsewhere("csp", key)
    else:
        secured, problems = _checked(path.suffix, text, build_cache)
    if secured != text:
        path.write_text(secured, encoding="utf-8")
    return problems


def _checked(suffix: str, text: str, build_cache: BuildCache | None) -> tuple[str, Problems]:
    """`secure_text`, reused from the build cache when it has this text's check (else stored)."""
    if build_cache is None:
        return secure_text(suffix, text)
    key = build_cache.key("csp", suffix, text)
    known = build_cache.get("csp", key)
    if known is not None:
        found = json.loads(known)
        return found["secured"] or text, [(str(what), str(n)) for what, n in found["problems"]]
    secured, problems = secure_text(suffix, text)
    remember(build_cache, key, text, secured, problems)
    return secured, problems


def remember(
    build_cache: BuildCache, key: str, text: str, secured: str, problems: Problems
) -> None:
    """Store a check of `text` under `key` (the rewritten text only when it differs)."""
    kept = {"secured": secured if secured != text else None, "problems": problems}
    build_cache.put("csp", key, json.dumps(kept, ensure_ascii=False))


def secure_text(suffix: str, text: str) -> tuple[str, list[tuple[str, str]]]:
    """A document's text with its SVG styles as attributes, and what the policy would block."""
    secured = SVG.sub(svg_styles_as_attributes, text) if suffix == ".html" else text
    return secured, refused(secured)


def blocked(html: str) -> list[str]:
    """What in `html` the site's policy would block: inline scripts that run, style elements,
    style attributes and event-handler attributes, each as the start of its tag."""
    return [tag.group(0)[:80] for tag in TAG.finditer(html) if _blocks(tag)]


def _blocks(tag: re.Match[str]) -> bool:
    if not MAYBE_BLOCKED.search(tag.group(0)):
        return False  # most of 200,000 tags at 100 topics: no attribute parsing needed
    name, names = tag.group(1).lower(), attributes(tag.group(2))
    runs = name == "script" and "src" not in names and names.get("type", "") in SCRIPT_TYPES
    return runs or name == "style" or "style" in names or any(n.startswith("on") for n in names)
