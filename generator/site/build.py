"""`yiti build`: content → validated models → Markdown pages → MkDocs → site/.

Everything is read, validated and rendered before anything is written; MkDocs builds into a
temporary folder that replaces site/ only when it succeeded, so a failed build leaves the
previous site untouched (as mkdocs `build()` and pelican `Pelican.run` do).

With a build cache (generator/site/cache.py), charts, flowcharts and the CSP check of each page are
reused when their inputs did not change, and when the generated pages and the code are exactly
those of the site already in `site_dir`, MkDocs is not run again: that site is what it would
write.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from generator.content.loader import Content, load_content
from generator.content.published import load_published
from generator.errors import YitiError
from generator.monitor.api import load_records, monitoring_for_site
from generator.monitor.store import DEFAULT_STORE
from generator.site import engine
from generator.site.cache import BuildCache, using
from generator.site.config import dump, mkdocs_config
from generator.site.other_engines import DEFAULT as DEFAULT_ENGINE
from generator.site.render.aside import drawing_aside
from generator.site.render.monitoring import Monitoring
from generator.site.render.site import render_site


class WorkerLostError(YitiError):
    """A helper process of the build died (killed, out of memory): nothing was swapped in."""


@dataclass(frozen=True)
class BuildReport:
    """What a build produced, for the CLI's summary and the benchmark."""

    site_dir: Path
    topics: int
    pages: int
    unchanged: bool = False  # the site in site_dir was already this build's: MkDocs not run
    reused: Counter[str] = field(default_factory=Counter)  # cache hits by kind
    redone: Counter[str] = field(default_factory=Counter)  # cache misses by kind


def build(
    content_dir: Path,
    site_dir: Path,
    now: datetime | None = None,
    store: Path = DEFAULT_STORE,
    cache_dir: Path | None = None,
    engine_name: str = DEFAULT_ENGINE,
) -> BuildReport:
    """Build the site from `content_dir` into `site_dir`, atomically, with engine `engine_name`.

    Monitoring figures come from the imported records in `store`, or from the sample records
    in the content folder while nothing has been imported. Published survey results come from
    `content/results/` (generator/content/published.py), so building never needs the survey database.
    `cache_dir` keeps work for the next build (None: no cache).
    """
    build_cache = BuildCache(cache_dir) if cache_dir is not None else None
    trash = build_cache.root / TRASH if build_cache is not None else None
    emptying = Emptying(trash)  # the site the last build replaced, deleted while this one works
    cold = build_cache is not None and not (build_cache.root / "chart").is_dir()
    aside = drawing_aside(early=cold) if build_cache is not None else contextlib.nullcontext()
    with workers_lost_as_error(), using(build_cache), emptying, aside, young_collections_only():
        content = load_content(content_dir)
        published = load_published(content)  # content/results/*.yml, never the survey database
        monitoring = monitoring_of(content, store)
        pages = render_site(content, now or datetime.now(UTC), monitoring, published)
        site_dir = site_dir.resolve()
        stamp = site_stamp(content, pages, engine_name)
        unchanged = build_cache is not None and is_current(build_cache, site_dir, stamp)
        if not unchanged:
            run_engine(content, pages, site_dir, engine_name, trash)
            if build_cache is not None:
                record(build_cache, site_dir, stamp)
                build_cache.prune(keep=TRASH)
    markdown_pages = sum(path.endswith(".md") for path in pages)
    hits, misses = (build_cache.hits, build_cache.misses) if build_cache else (Counter(), Counter())
    return BuildReport(site_dir, len(content.topics), markdown_pages, unchanged, hits, misses)


def run_engine(
    content: Content,
    pages: dict[str, str],
    site_dir: Path,
    engine_name: str = DEFAULT_ENGINE,
    trash: Path | None = None,
) -> None:
    """Write the docs, run the engine into a temporary folder and swap it in for `site_dir`.

    The config names docs and site relative to itself, as every engine reads them (Zensical
    refuses absolute ones outside the config's folder). The replaced site goes to `trash` when
    given (the next build deletes it), else is deleted."""
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=site_dir.parent, prefix=".yiti-build-") as tmp:
        work = Path(tmp)
        write_docs(pages, work / "docs")
        config_file = work / "mkdocs.yml"
        config = {**mkdocs_config(content, Path("docs"), pages), "site_dir": "site"}
        config_file.write_text(dump(config), encoding="utf-8")
        engine.run(config_file, work / "site", content_files(content), engine_name)
        if trash is None or not swap_to_trash(work / "site", site_dir, trash):
            swap(work / "site", site_dir, work / "previous")


def site_stamp(content: Content, pages: dict[str, str], engine_name: str = DEFAULT_ENGINE) -> str:
    """A hash of everything the engine is given: the generated pages, the config, the engine."""
    digest = hashlib.sha256(dump(mkdocs_config(content, Path("docs"), pages)).encode())
    digest.update(f"\0engine\0{engine_name}".encode())
    for path in sorted(pages):
        digest.update(f"\0{path}\0{pages[path]}".encode())
    return digest.hexdigest()


def is_current(build_cache: BuildCache, site_dir: Path, stamp: str) -> bool:
    """Whether `site_dir` is the site built last from exactly these pages, untouched since."""
    recorded = build_cache.get("site", build_cache.key("site", str(site_dir)))
    if recorded is None or not site_dir.is_dir():
        return False
    return bool(json.loads(recorded) == {"pages": stamp, "files": tree_digest(site_dir)})


def record(build_cache: BuildCache, site_dir: Path, stamp: str) -> None:
    """Note which pages `site_dir` was built from, and its files as they are now."""
    entry = {"pages": stamp, "files": tree_digest(site_dir)}
    build_cache.put("site", build_cache.key("site", str(site_dir)), json.dumps(entry))


def tree_digest(folder: Path) -> str:
    """A hash of every file's path, size and modification time under `folder`."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        info = path.stat()
        digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


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


def swap(new: Path, target: Path, parking: Path, delete_parked: bool = True) -> None:
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
    if had_old and delete_parked:
        shutil.rmtree(parking, ignore_errors=True)


# In the build cache: sites replaced by a build, deleted by the next one. Deleting a site of
# 100 topics (800 files) took 1.7 s on the loaded machine, all of it waiting on the disk; done
# in a thread while the next build reads and renders, it costs that build almost nothing.
TRASH = "replaced-sites"


def swap_to_trash(new: Path, target: Path, trash: Path) -> bool:
    """`swap`, parking the old site in `trash` and leaving it there; False (nothing done) when
    `trash` is on another file system than `target`, where a rename cannot move it."""
    trash.mkdir(parents=True, exist_ok=True)
    parking = Path(tempfile.mkdtemp(dir=trash)) / "site"
    if target.exists() and parking.parent.stat().st_dev != target.stat().st_dev:
        parking.parent.rmdir()
        return False
    swap(new, target, parking, delete_parked=False)
    return True


FULL_COLLECTIONS_NEVER = 2**30  # middle-generation collections before a full one: never here


@contextlib.contextmanager
def workers_lost_as_error() -> Iterator[None]:
    """A worker process that died (generator/site/pageworker.py, render/aside.py) is reported
    in words an editor can act on, not as the pool's traceback: the failed build changed
    nothing, so running it again is safe."""
    try:
        yield
    except BrokenProcessPool as exc:
        raise WorkerLostError(
            "构建的辅助进程意外退出（可能被系统终止或内存不足），原站点未改动；"
            "请检查可用内存后重新运行 yiti build"
        ) from exc


@contextlib.contextmanager
def young_collections_only() -> Iterator[None]:
    """Within the block, the garbage collector collects the young generations only.

    A build's heap only grows (content, pages, MkDocs' pages and their HTML: several million
    objects at 100 topics), and Python runs a full collection each time it has grown by a
    quarter, going through every object each time: seven times, about 0.7 s of a cold build
    of 100 topics (a tenth of a bare `mkdocs build`), to find almost nothing. Short-lived
    cycles are still collected with the young generations (peak RSS about 10 MB higher).
    """
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTIONS_NEVER)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)


class Emptying:
    """A `with` block during which a thread deletes everything in `trash` (None: nothing)."""

    def __init__(self, trash: Path | None) -> None:
        folders = sorted(trash.iterdir()) if trash is not None and trash.is_dir() else []
        self.thread = threading.Thread(target=_delete_all, args=(folders,), daemon=False)

    def __enter__(self) -> None:
        self.thread.start()

    def __exit__(self, *_: object) -> None:
        self.thread.join()


def _delete_all(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
