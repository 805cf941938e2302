"""Issue 19's side-by-side: the same generated docs built by MkDocs, ProperDocs and Zensical.

Each engine runs as a fresh process on one shared docs folder and config (relative `docs` and
`site`, as `yiti build` writes them), so they do the same work from the same start. Reported per
engine: wall time and peak RSS (median of the runs), site size, search index (raw and gzipped),
and the weight of the home page with the styles and scripts it loads (gzipped, as served), each
with its ratio to MkDocs. Engines not installed are reported as such, not skipped silently.
"""

from __future__ import annotations

import gzip
import importlib.util
import re
import shutil
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.measure import run_process
from generator.content.loader import load_content
from generator.monitor.store import DEFAULT_STORE
from generator.site.build import monitoring_of, write_docs
from generator.site.config import dump, mkdocs_config
from generator.site.render.site import render_site

ENGINES = ("mkdocs", "properdocs", "zensical")
# Where each engine writes its search index.
INDEXES = {"mkdocs": "search/search_index.json", "properdocs": "search/search_index.json"}
INDEXES["zensical"] = "search.json"
_ASSET = re.compile(r'(?:href|src)="([^"]+\.(?:css|js))"')


def prepare(content_dir: Path, work: Path) -> None:
    """The generated docs and config of `content_dir` in `work`, as `yiti build` writes them."""
    content = load_content(content_dir)
    pages = render_site(
        content, datetime(2024, 6, 20, tzinfo=UTC), monitoring_of(content, DEFAULT_STORE)
    )
    write_docs(pages, work / "docs")
    config = {**mkdocs_config(content, Path("docs"), pages), "site_dir": "site"}
    (work / "mkdocs.yml").write_text(dump(config), encoding="utf-8")


def engine_build(name: str, work: Path) -> tuple[float, float]:
    """One build by `name` of `work/mkdocs.yml` into `work/site`: seconds and peak RSS in MB."""
    shutil.rmtree(work / "site", ignore_errors=True)
    environment = {"NO_COLOR": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    command = [sys.executable, "-m", name, "build", "-f", "mkdocs.yml"]
    wall, _, peak = run_process(command, work, environment)
    return wall, peak


def page_weight_kb(site: Path) -> float:
    """The home page plus every local stylesheet and script it loads, gzipped, in KB."""
    home = site / "index.html"
    text = home.read_text(encoding="utf-8")
    files = [home] + [site / ref for ref in _ASSET.findall(text) if "://" not in ref]
    return sum(len(gzip.compress(f.read_bytes())) for f in files if f.is_file()) / 1024


def figures(name: str, work: Path, runs: int) -> dict[str, float]:
    """Median time and RSS of `runs` builds, and the sizes of the last one."""
    timings = [engine_build(name, work) for _ in range(runs)]
    site = work / "site"
    index = site / INDEXES[name]
    return {
        "seconds": statistics.median(t for t, _ in timings),
        "rss_mb": statistics.median(r for _, r in timings),
        "site_mb": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6,
        "index_kb": index.stat().st_size / 1024,
        "index_gz_kb": len(gzip.compress(index.read_bytes())) / 1024,
        "page_kb": page_weight_kb(site),
    }


def compare(work: Path, runs: int) -> dict[str, dict[str, float]]:
    """Every installed engine's figures on the docs in `work` (mkdocs.yml, docs/)."""
    results = {}
    for name in ENGINES:
        if importlib.util.find_spec(name) is None:
            print(f"{name:<11} not installed (pip install 'yiti[engines]')")
            continue
        results[name] = figures(name, work, runs)
    return results


def report(results: dict[str, dict[str, float]], label: str) -> None:
    """The table, with ratios to MkDocs, and one RESULT line per engine and figure."""
    base = results["mkdocs"]
    print(f"\nengines on {label} (median of runs; ratio to MkDocs in brackets)")
    print(
        f"{'engine':<11} {'time s':>13} {'RSS MB':>13} {'site MB':>13} {'index KB':>15} {'index gz':>13} {'page gz KB':>13}"
    )
    for name, row in results.items():
        cells = [
            f"{row[k]:>6.1f} ({row[k] / base[k]:.2f})" for k in ("seconds", "rss_mb", "site_mb")
        ]
        cells += [f"{row[k]:>6.0f} ({row[k] / base[k]:.2f})" for k in ("index_kb", "index_gz_kb")]
        cells.append(f"{row['page_kb']:>6.1f} ({row['page_kb'] / base['page_kb']:.2f})")
        print(f"{name:<11} " + " ".join(f"{c:>13}" for c in cells))
    for name, row in results.items():
        for key in ("seconds", "rss_mb", "index_gz_kb", "page_kb"):
            print(
                f"RESULT engine_{name}_{key} value={row[key]:.1f} ratio_to_mkdocs={row[key] / base[key]:.2f} (no target)"
            )
