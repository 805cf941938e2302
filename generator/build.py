"""`yiti build`: content → validated models → Markdown pages → MkDocs → site/.

Everything is read, validated and rendered before anything is written; MkDocs builds into a
temporary folder that replaces site/ only when it succeeded, so a failed build leaves the
previous site untouched (as mkdocs `build()` and pelican `Pelican.run` do).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from generator import engine
from generator.loader import Content, load_content
from generator.monitor.api import load_records, monitoring_for_site
from generator.monitor.store import DEFAULT_STORE
from generator.published import load_published
from generator.render.monitoring import Monitoring
from generator.render.site import render_site
from generator.site_config import dump, mkdocs_config


@dataclass(frozen=True)
class BuildReport:
    """What a build produced, for the CLI's summary and the benchmark."""

    site_dir: Path
    topics: int
    pages: int


def build(
    content_dir: Path,
    site_dir: Path,
    now: datetime | None = None,
    store: Path = DEFAULT_STORE,
) -> BuildReport:
    """Build the site from `content_dir` into `site_dir`, atomically.

    Monitoring figures come from the imported records in `store`, or from the sample records
    in the content folder while nothing has been imported. Published survey results come from
    `content/results/` (generator/published.py), so building never needs the survey database.
    """
    content = load_content(content_dir)
    published = load_published(content)  # content/results/*.yml, never the survey database
    pages = render_site(content, now or datetime.now(UTC), monitoring_of(content, store), published)
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=site_dir.parent, prefix=".yiti-build-") as tmp:
        work = Path(tmp)
        write_docs(pages, work / "docs")
        config_file = work / "mkdocs.yml"
        config = mkdocs_config(content, work / "docs", pages)
        config_file.write_text(dump(config), encoding="utf-8")
        engine.run(config_file, work / "site", content_files(content))
        swap(work / "site", site_dir, work / "previous")
    markdown_pages = sum(path.endswith(".md") for path in pages)
    return BuildReport(site_dir, len(content.topics), markdown_pages)


def content_files(content: Content) -> list[Path]:
    """The files a page's text can come from, for naming them when a page is refused."""
    return [*(source.path for source in content.sources.values()), content.root / "site.yml"]


def monitoring_of(content: Content, store: Path) -> Monitoring | None:
    """Records (imported, else the shipped sample) → the tables the monitoring pages show;
    None when there are no records at all (the site then has no monitoring pages)."""
    loaded = load_records(content, store)
    if loaded.records.empty:
        return None
    return Monitoring(monitoring_for_site(content, loaded.records), sample=loaded.sample)


def write_docs(pages: dict[str, str], docs_dir: Path) -> None:
    """Write rendered pages under `docs_dir`."""
    for relative, text in pages.items():
        path = docs_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def swap(new: Path, target: Path, parking: Path) -> None:
    """Put `new` in place of `target`; the old copy is parked, and restored if the move fails."""
    had_old = target.exists()
    if had_old:
        target.rename(parking)
    try:
        new.rename(target)
    except OSError:
        if had_old:
            parking.rename(target)
        raise
    if had_old:
        shutil.rmtree(parking, ignore_errors=True)
