"""The one place that runs the static-site engine (MkDocs with Material, in-process, by default).

Material for MkDocs reaches end of life on 2027-05-05; ProperDocs (a maintained fork of MkDocs
1.x) and Zensical (from Material's authors) read the same `mkdocs.yml` and can be chosen with
`yiti build --engine` (generator/site/other_engines.py). Everything else writes a plain config file
and a docs folder, so swapping the engine means changing only these modules; the checks after
the engine (valid HTML, the search index, the CSP scan) run the same for every engine.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.plugins import BasePlugin

from generator.errors import YitiError
from generator.site.cache import active
from generator.site.csp import secure_site
from generator.site.csp_early import EarlyCsp
from generator.site.other_engines import DEFAULT, run_external
from generator.site.pagecache import PageCache
from generator.site.pageworker import PageWorker
from generator.site.searchindex import compact_index
from generator.site.validity import ValidToggles, make_valid


class EngineError(YitiError):
    """The site engine refused the generated pages (e.g. a broken link under --strict)."""


class _Collect(logging.Handler):
    """Keeps the engine's warnings so the error can say what they were."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run(
    config_file: Path, site_dir: Path, sources: Sequence[Path] = (), name: str = DEFAULT
) -> None:
    """Build `config_file`'s docs into `site_dir` with engine `name`, strict: any warning fails.

    The pages are made valid HTML (generator/site/validity.py: by MkDocs as it writes them, after
    the build for the other engines), then made to fit the site's Content-Security-Policy
    (generator/site/csp.py), still inside the build's temporary folder, so a page that would not
    fit fails the whole build, naming the content file and line in `sources` that it came
    from. With MkDocs, each page is checked for the policy by a second process as MkDocs
    writes it (generator/site/csp_early.py); with a build cache, unchanged pages reuse MkDocs' work
    of the last build (generator/site/pagecache.py), remembered only once every check has passed.
    """
    worker = PageWorker(active())  # each page's check and cache entries, beside MkDocs
    page_cache = _page_cache(config_file, worker) if name == DEFAULT else None
    early = EarlyCsp(worker)  # pages checked for the CSP as MkDocs writes them
    try:
        if name == DEFAULT:
            ours = {"yiti/page-cache": page_cache, "yiti/early-csp": early}
            _run_mkdocs(config_file, site_dir, {k: p for k, p in ours.items() if p is not None})
        else:
            complaints = run_external(name, config_file)
            if complaints:
                raise EngineError(f"{name} 构建失败：\n" + "\n".join(complaints))
            make_valid(site_dir)
        compact_index(site_dir)
        secure_site(site_dir, sources, early.sent)
        if page_cache is not None:
            page_cache.commit()
    finally:
        worker.close()


def _run_mkdocs(config_file: Path, site_dir: Path, plugins: dict[str, BasePlugin[Any]]) -> None:
    """MkDocs in this process with our plugins (`plugins`: the build's own, after
    ValidToggles), its warnings collected for the error message."""
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        config = load_config(config_file=str(config_file), site_dir=str(site_dir), strict=True)
        config.plugins["yiti/valid-toggles"] = ValidToggles()
        for plugin_name, plugin in plugins.items():
            config.plugins[plugin_name] = plugin
        build(config)
    except (MkDocsException, SystemExit) as exc:
        details = "\n".join(collect.messages) or str(exc)
        raise EngineError(f"MkDocs 构建失败：\n{details}") from exc
    finally:
        logger.removeHandler(collect)


def _page_cache(config_file: Path, worker: PageWorker) -> PageCache | None:
    """The page cache plugin for this build, when the build has a cache (generator/site/cache.py).

    The config is named by its text: it names docs and site relative to itself, so two builds
    of the same content write the same text.
    """
    build_cache = active()
    if build_cache is None:
        return None
    return PageCache(build_cache, config_file.read_text(encoding="utf-8"), worker)
