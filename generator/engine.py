"""The one place that runs the static-site engine (MkDocs with Material, in-process).

Material for MkDocs reaches end of life on 2027-05-05; its successor, Zensical, reads the same
`mkdocs.yml`. Everything else writes a plain config file and a docs folder, so swapping the engine
means changing only this module.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from generator.cache import active
from generator.csp import secure_site
from generator.errors import YitiError
from generator.pagecache import PageCache
from generator.searchindex import compact_index
from generator.validity import ValidToggles


class EngineError(YitiError):
    """The site engine refused the generated pages (e.g. a broken link under --strict)."""


class _Collect(logging.Handler):
    """Keeps the engine's warnings so the error can say what they were."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run(config_file: Path, site_dir: Path, sources: Sequence[Path] = ()) -> None:
    """Build `config_file`'s docs into `site_dir`, strict: any warning fails the build.

    The pages are made valid HTML as they are written (generator/validity.py), then made to
    fit the site's Content-Security-Policy (generator/csp.py), still inside the build's
    temporary folder, so a page that would not fit fails the whole build, naming the content
    file and line in `sources` that it came from. With a build cache, unchanged pages reuse
    MkDocs' work of the last build (generator/pagecache.py).
    """
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    page_cache = _page_cache(config_file)
    try:
        config = load_config(config_file=str(config_file), site_dir=str(site_dir), strict=True)
        config.plugins["yiti/valid-toggles"] = ValidToggles()
        if page_cache is not None:
            config.plugins["yiti/page-cache"] = page_cache
        build(config)
    except (MkDocsException, SystemExit) as exc:
        details = "\n".join(collect.messages) or str(exc)
        raise EngineError(f"MkDocs 构建失败：\n{details}") from exc
    finally:
        logger.removeHandler(collect)
    compact_index(site_dir)
    secure_site(site_dir, sources)
    if page_cache is not None:
        page_cache.commit()  # only now: every page passed --strict and the checks after it


def _page_cache(config_file: Path) -> PageCache | None:
    """The page cache plugin for this build, when the build has a cache (generator/cache.py).

    The config is named by its text with the build's own temporary folder taken out: only
    that differs between two builds of the same content.
    """
    build_cache = active()
    if build_cache is None:
        return None
    setting = config_file.read_text(encoding="utf-8").replace(str(config_file.parent), "<work>")
    return PageCache(build_cache, setting)
