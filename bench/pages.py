"""Benchmark the public site on a phone: Lighthouse (npm `lighthouse`, pinned in package.json)
in Debian's Chromium, mobile settings (Lighthouse's default: Moto G class device, simulated
slow 4G), against a fresh build of the shipped content served by `yiti serve`'s app.

Prints performance and accessibility (median of --runs) for the home page, a topic overview,
a flowchart page and a ranking page, and fails (exit 1) below the targets: performance ≥ 95,
accessibility 100.

    .venv/bin/python bench/pages.py            # 3 runs per page
    .venv/bin/python bench/pages.py --quick    # 1 run per page
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess  # nosec B404
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.build import build  # noqa: E402
from generator.serve import static_site  # noqa: E402
from tests.conftest import CONTENT  # noqa: E402  first: tests.browser imports it back

from tests.browser import CHROMIUM_ARGS, chromium_path, serving  # noqa: E402  # isort: skip

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PAGES = {
    "home": "/",
    "topic overview": "/topics/2022/old-building-elevators/",
    "flowchart": "/topics/2022/old-building-elevators/flowchart/",
    "ranking": "/monitoring/ranking/2024-12/",
}
TARGETS = {"performance": 95, "accessibility": 100}
NOW = datetime(2024, 6, 20, tzinfo=UTC)


def scores(url: str, chromium: str) -> dict[str, int]:
    """One Lighthouse run on `url`: category → score out of 100."""
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    done = subprocess.run(  # nosec B603
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            "--output-path=stdout",
            f"--only-categories={','.join(TARGETS)}",
            f"--chrome-path={chromium}",
            f"--chrome-flags={flags}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    categories = json.loads(done.stdout)["categories"]
    return {name: round(categories[name]["score"] * 100) for name in TARGETS}


def main() -> int:
    """Build, serve, measure every page; 1 if any median misses its target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1 run per page")
    parser.add_argument("--runs", type=int, default=0, help="runs per page (default 3)")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    chromium = chromium_path()
    if chromium is None or not LIGHTHOUSE.is_file():
        print("需要 Debian 的 chromium 和 npm 的 lighthouse（npm ci）", file=sys.stderr)
        return 1
    missed = []
    with tempfile.TemporaryDirectory(prefix="yiti-pages-") as tmp:
        site = Path(tmp) / "site"
        build(CONTENT, site, now=NOW, store=Path(tmp) / "store")
        with serving(static_site(site)) as base:
            print(f"Lighthouse (mobile), median of {runs}, behind `yiti serve`:")
            for name, path in PAGES.items():
                runs_of = [scores(base + path, chromium) for _ in range(runs)]
                medians = {k: statistics.median(r[k] for r in runs_of) for k in TARGETS}
                print(f"  {name:<15} " + "  ".join(f"{k} {v:g}" for k, v in medians.items()))
                missed += [f"{name}: {k} {v:g}" for k, v in medians.items() if v < TARGETS[k]]
    if missed:
        print("below target: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
