"""The link walker: every internal link and anchor of a built site, checked against the files."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from bs4 import BeautifulSoup


def html_pages(site: Path) -> list[Path]:
    """Every HTML page of the built site."""
    return sorted(site.rglob("*.html"))


def broken_links(site: Path) -> list[str]:
    """Each internal link (href or src) of the site that names no file or no anchor."""
    ids: dict[Path, set[str]] = {}
    broken = []
    for page in html_pages(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["a", "link", "script", "img"]):
            ref = tag.get("href") or tag.get("src")
            if (
                not isinstance(ref, str)
                or urlsplit(ref).scheme
                or ref.startswith(("/survey", "//"))
            ):
                continue
            path_part, fragment = urldefrag(ref)
            target = _resolve(site, page, unquote(path_part))
            if target is None:
                broken.append(f"{page.relative_to(site)} → {ref}")
            elif fragment and target.suffix == ".html":
                if target not in ids:
                    html = target.read_text(encoding="utf-8")
                    ids[target] = set(re.findall(r'\sid="([^"]+)"', html))
                if unquote(fragment) not in ids[target]:
                    broken.append(f"{page.relative_to(site)} → {ref} (no such anchor)")
    return broken


def _resolve(site: Path, page: Path, ref: str) -> Path | None:
    base = site if ref.startswith("/") else page.parent
    target = (base / ref.lstrip("/")) if ref else page
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None
