"""Benchmark `yiti build`: shipped content and 100 synthetic topics.

Prints generator-stage and MkDocs-stage time (in-process), the total as an editor sees it
(`yiti build` in a fresh process), pages per second, peak RSS, site size, the largest topic
page gzipped, the search index size, and the ratio of that total to a bare `mkdocs build` of the
same generated Markdown (also a fresh process), measured in the same run (median of --runs).

    .venv/bin/python bench/build.py            # shipped content + 100 topics, 3 runs each
    .venv/bin/python bench/build.py --quick    # shipped content + 20 topics, 1 run
"""

from __future__ import annotations

import argparse
import gzip
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synth_topics import make_content  # noqa: E402
from generator import engine  # noqa: E402
from generator.build import monitoring_of, write_docs  # noqa: E402
from generator.loader import load_content  # noqa: E402
from generator.monitor.store import DEFAULT_STORE  # noqa: E402
from generator.render.site import render_site  # noqa: E402
from generator.site_config import dump, mkdocs_config  # noqa: E402

TARGET_RATIO = 1.3
NOW = datetime(2024, 6, 20, tzinfo=UTC)


def timed_build(content_dir: Path, work: Path) -> dict[str, float]:
    """Our pipeline, stage by stage: (load + render + write) then the MkDocs stage."""
    start = time.perf_counter()
    content = load_content(content_dir)
    pages = render_site(content, NOW, monitoring_of(content, DEFAULT_STORE))
    write_docs(pages, work / "docs")
    config = work / "mkdocs.yml"
    config.write_text(dump(mkdocs_config(content, work / "docs", pages)), encoding="utf-8")
    generated = time.perf_counter()
    engine.run(config, work / "site")
    done = time.perf_counter()
    return {
        "generate": generated - start,
        "mkdocs": done - generated,
        "total": done - start,
        "pages": sum(p.endswith(".md") for p in pages),
    }


def yiti_build(content_dir: Path, work: Path) -> float:
    """`yiti build` end to end in a fresh process: what an editor waits for."""
    start = time.perf_counter()
    subprocess.run(
        [
            str(Path(sys.executable).parent / "yiti"),
            "build",
            "--content",
            str(content_dir),
            "--site",
            str(work / "cli-site"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def bare_mkdocs(work: Path) -> float:
    """`mkdocs build` of the same config and Markdown, in a fresh process, as the baseline."""
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "-q",
            "-f",
            str(work / "mkdocs.yml"),
            "-d",
            str(work / "bare-site"),
        ],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def site_figures(site: Path) -> dict[str, float]:
    """Size of the site, the largest topic page gzipped, the search index size."""
    files = [p for p in site.rglob("*") if p.is_file()]
    topic_pages = list((site / "topics").rglob("*.html"))
    index = site / "search" / "search_index.json"
    return {
        "site_mb": sum(p.stat().st_size for p in files) / 1e6,
        "largest_gz_kb": max(len(gzip.compress(p.read_bytes())) for p in topic_pages) / 1024,
        "search_kb": index.stat().st_size / 1024,
        "search_gz_kb": len(gzip.compress(index.read_bytes())) / 1024,
    }


def measure(label: str, content_dir: Path, runs: int) -> dict[str, float]:
    """Median figures of `runs` builds of one content folder."""
    rows = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            row = timed_build(content_dir, work)
            row["cli"] = yiti_build(content_dir, work)
            row["bare"] = bare_mkdocs(work)
            row.update(site_figures(work / "site"))
            rows.append(row)
    result = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
    # Both sides as fresh processes (interpreter start, imports, jieba): like for like.
    result["ratio"] = result["cli"] / result["bare"]
    result["pages_per_s"] = result["pages"] / result["cli"]
    print(
        f"{label:<22} {result['generate']:>8.2f} {result['mkdocs']:>8.2f} {result['cli']:>8.2f} "
        f"{result['bare']:>8.2f} {result['ratio']:>6.2f} {result['pages']:>6.0f} "
        f"{result['pages_per_s']:>7.1f} {result['site_mb']:>7.1f} {result['largest_gz_kb']:>8.1f} "
        f"{result['search_kb']:>8.0f} {result['search_gz_kb']:>7.0f}"
    )
    return result


def main() -> int:
    """Run the benchmark and print one RESULT line per target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 topics, 1 run (under a minute)")
    parser.add_argument("--runs", type=int, default=None, help="runs per case (median)")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    count = 20 if args.quick else 100
    print(
        f"{'case':<22} {'gen s':>8} {'mkdocs s':>8} {'yiti s':>8} {'bare s':>8} {'ratio':>6} "
        f"{'pages':>6} {'pages/s':>7} {'site MB':>7} {'max gz KB':>8} {'index KB':>8} {'idx gz':>7}"
    )
    with tempfile.TemporaryDirectory() as tmp:  # warm-up: jieba's dictionary cache, imports
        timed_build(ROOT / "content", Path(tmp))
    measure("shipped content", ROOT / "content", runs)
    with tempfile.TemporaryDirectory() as tmp:
        synthetic = make_content(ROOT / "content", Path(tmp) / "content", count)
        result = measure(f"synthetic {count} topics", synthetic, runs)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS (this process, all builds): {peak_mb:.0f} MB")
    verdict = "PASS" if result["ratio"] <= TARGET_RATIO else "FAIL"
    print(f"RESULT build_ratio ratio={result['ratio']:.2f} target={TARGET_RATIO} {verdict}")
    size_verdict = "PASS" if result["largest_gz_kb"] <= 50 else "FAIL"
    print(f"RESULT topic_page_gzip kb={result['largest_gz_kb']:.1f} target=50 {size_verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
