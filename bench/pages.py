"""Benchmark the public site on a phone: Lighthouse (npm `lighthouse`, pinned in package.json)
in Debian's Chromium, mobile settings (Lighthouse's default: Moto G class device, simulated
slow 4G, 4× CPU slowdown), against a fresh build of the shipped content served two ways:
by `yiti serve`'s static app (werkzeug, Flask-Compress) and by nginx with the shipped site
configuration (deploy/nginx/: HTTPS with a throw-away certificate, HTTP/2, gzip, cache headers).

Prints performance and accessibility (median of --runs), with first contentful paint, largest
contentful paint and total blocking time in ms, for the home page, a topic overview, a
flowchart page and a ranking page behind each server, one RESULT line per page and server,
and fails (exit 1) below the targets: performance ≥ 95, accessibility 100.

    .venv/bin/python bench/pages.py                 # 3 runs per page and server
    .venv/bin/python bench/pages.py --quick         # 1 run per page and server
    .venv/bin/python bench/pages.py --site DIR      # measure a site built earlier
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess  # nosec B404
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.site.build import build  # noqa: E402
from generator.site.serve import static_site  # noqa: E402
from tests.conftest import CONTENT  # noqa: E402  first: tests.browser imports it back

from tests.browser import CHROMIUM_ARGS, chromium_path, serving  # noqa: E402  # isort: skip
from tests.deploy.conftest import (  # noqa: E402  # isort: skip
    DEPLOY,
    SERVER_ROOT,
    free_port,
    localised,
    nginx_main_config,
    self_signed,
)

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PAGES = {
    "home": "/",
    "topic overview": "/topics/2022/old-building-elevators/",
    "flowchart": "/topics/2022/old-building-elevators/flowchart/",
    "ranking": "/monitoring/ranking/2024-12/",
}
TARGETS = {"performance": 95, "accessibility": 100}
# Reported beside the scores, in ms: near the top the score saturates, these still move.
METRICS = {
    "fcp_ms": "first-contentful-paint",
    "lcp_ms": "largest-contentful-paint",
    "tbt_ms": "total-blocking-time",
}
NOW = datetime(2024, 6, 20, tzinfo=UTC)
# The throw-away certificate of the nginx run is not trusted: Chromium is told to accept it.
FLAGS = ["--headless=new", "--ignore-certificate-errors", *CHROMIUM_ARGS]
STARTUP_SECONDS = 30


def scores(url: str, chromium: str) -> dict[str, int]:
    """One Lighthouse run on `url`: category → score out of 100, and METRICS in ms."""
    done = subprocess.run(  # nosec B603
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            "--output-path=stdout",
            f"--only-categories={','.join(TARGETS)}",
            f"--chrome-path={chromium}",
            f"--chrome-flags={' '.join(FLAGS)}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout)
    found = {name: round(report["categories"][name]["score"] * 100) for name in TARGETS}
    audits = report["audits"]
    return found | {name: round(audits[audit]["numericValue"]) for name, audit in METRICS.items()}


@contextmanager
def behind_yiti_serve(site: Path, _: Path) -> Iterator[str]:
    """`yiti serve`'s static app on a free port; its base URL."""
    with serving(static_site(site)) as base:
        yield base


@contextmanager
def behind_nginx(site: Path, folder: Path) -> Iterator[str]:
    """nginx with deploy/nginx/yiti.conf (as tests/deploy/test_serving.py runs it) serving
    `site` over HTTPS on a free port; its base URL. No survey upstream: none is measured."""
    certificate = self_signed(folder)
    snippet = folder / "yiti-security-headers.conf"
    shutil.copy(DEPLOY / "nginx" / snippet.name, snippet)
    https = free_port()
    replacements = {
        "/etc/letsencrypt/live/yiti.example.org": str(folder),
        "/etc/nginx/snippets/yiti-security-headers.conf": str(snippet),
        "/var/log/nginx": str(folder),
        f"root {SERVER_ROOT}/site": f"root {site}",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "listen 80;": f"listen 127.0.0.1:{free_port()};",
        "listen [::]:80;": "",
    }
    conf = folder / "yiti.conf"
    conf.write_text(localised(DEPLOY / "nginx" / "yiti.conf", replacements), encoding="utf-8")
    # As root, nginx's workers would switch to nobody, who cannot read the temporary folder.
    main = nginx_main_config(folder, conf, "user root;" if os.geteuid() == 0 else "")
    command = ["nginx", "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(main)]
    process = subprocess.Popen([*command, "-g", "daemon off;"])  # nosec B603
    base = f"https://127.0.0.1:{https}"
    try:
        wait_for(base, str(certificate), process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=STARTUP_SECONDS)


def wait_for(base: str, certificate: str, process: subprocess.Popen[bytes]) -> None:
    """Return once `base` answers; raise if the server exits or never answers."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}")
        try:
            requests.get(base + "/", timeout=5, verify=certificate)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"{base} did not answer in {STARTUP_SECONDS} s")


SERVERS = {"yiti serve": behind_yiti_serve, "nginx": behind_nginx}


def measure(site: Path, work: Path, runs: int, chromium: str) -> list[str]:
    """Every page behind every server: prints a table and RESULT lines; the misses."""
    missed = []
    print(f"Lighthouse (mobile), median of {runs} run(s):")
    for server, behind in SERVERS.items():
        folder = work / server.replace(" ", "-")
        folder.mkdir()
        with behind(site, folder) as base:
            for name, path in PAGES.items():
                runs_of = [scores(base + path, chromium) for _ in range(runs)]
                medians = {k: statistics.median(r[k] for r in runs_of) for k in runs_of[0]}
                miss = [f"{k} {medians[k]:g}" for k in TARGETS if medians[k] < TARGETS[k]]
                figures = " ".join(f"{k}={v:g}" for k, v in medians.items())
                targets = ",".join(f"{v}" for v in TARGETS.values())
                print(
                    f"RESULT lighthouse page={name.replace(' ', '_')} "
                    f"server={server.replace(' ', '_')} {figures} target={targets} "
                    f"{'FAIL' if miss else 'PASS'}"
                )
                missed += [f"{name} ({server}): {m}" for m in miss]
    return missed


def main() -> int:
    """Build (or take --site), serve both ways, measure every page; 1 if any median misses."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 run per page and server")
    parser.add_argument("--runs", type=int, default=0, help="runs per page (default 3)")
    parser.add_argument("--site", type=Path, help="a built site to measure instead of building")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    chromium = chromium_path()
    if chromium is None or not LIGHTHOUSE.is_file() or shutil.which("nginx") is None:
        print("需要 Debian 的 chromium 和 nginx，以及 npm 的 lighthouse（npm ci）", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="yiti-pages-") as tmp:
        site = args.site.resolve() if args.site else Path(tmp) / "site"
        if not args.site:
            build(CONTENT, site, now=NOW, store=Path(tmp) / "store")
        missed = measure(site, Path(tmp), runs, chromium)
    if missed:
        print("below target: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
