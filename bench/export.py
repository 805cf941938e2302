"""Benchmark evaluator downloads and results over 1,000,000 stored responses (SQLite).

Synthetic responses (14 topics, two waves, skewed so one topic is much larger) are written to a
fresh SQLite database through the survey's own schema. Then each phase runs in a fresh process,
and its peak RSS is its own: VmHWM, reset through /proc/self/clear_refs after start-up so the
parent's size at fork does not count; the figure includes the process's imports (about 240 MB):

- baseline: the naive download, every row read with one query into one DataFrame
  (`pandas.read_sql_query`) and written with `DataFrame.to_csv`;
- csv, xlsx, sav: the download route's own code path (`survey.staff.downloads.service`): for each
  wave, the "all topics" download of that wave, so the two downloads together hold the same
  1,000,000 rows as the baseline. CSV is the very generator the view streams
  (`service.csv_stream`: rows in chunks of 10,000 through `yield_per`, answers parsed per chunk
  by Arrow, formula guard, audit entries at start and end); XLSX and SAV are `service.build`,
  which writes the temporary file the view sends. The standard questionnaire's variable table
  (codebook, labels) is used for every synthetic topic;
- results: the largest topic's results page figures (summary, distribution, districts,
  mid-year to year-end change, drivers, weighted rates) from its rows.

    .venv/bin/python bench/export.py            # 1,000,000 responses
    .venv/bin/python bench/export.py --quick    # 50,000 responses, same code path
    .venv/bin/python bench/export.py --phases baseline,csv   # only what the RESULT lines need

Ends with `RESULT <name> <figure>=<value> target=<value> PASS|FAIL` lines.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.synth_responses import TOPICS, WAVES, load  # noqa: E402
from generator.content.loader import load_content  # noqa: E402
from survey.analysis.breakdown import by_district, change, drivers  # noqa: E402
from survey.analysis.columns import WENT_BADLY, WENT_WELL  # noqa: E402
from survey.analysis.frame import responses_frame  # noqa: E402
from survey.analysis.rates import distribution, summary  # noqa: E402
from survey.analysis.weighting import district_margins, weighted_rates  # noqa: E402
from survey.staff.downloads import service  # noqa: E402
from survey.staff.downloads.scope import ALL, Scope  # noqa: E402
from survey.storage.db import Database  # noqa: E402
from survey.storage.migrate import upgrade  # noqa: E402
from survey.storage.models import Response  # noqa: E402

CHUNK = 10_000  # rows per chunk read from the database
TARGET_RATIO = 1.5  # CSV download time ÷ naive read-everything-then-to_csv time
TARGET_RSS_MB = 500  # peak RSS of the process serving the CSV download


def chunks(db: Database, topic: str | None = None) -> Iterator[pd.DataFrame]:
    """The analysis frame, CHUNK rows at a time, in id order."""
    table = Response.__table__
    query = select(table).order_by(table.c.id)
    if topic is not None:
        query = query.where(table.c.topic == topic)
    with db.engine.connect() as connection:
        result = connection.execution_options(yield_per=CHUNK).execute(query)
        for part in result.mappings().partitions():
            yield responses_frame(part)


def requests(db: Database, content: Any) -> list[service.Request]:
    """The download requests of the route: all topics of each wave, by a bench account."""
    questionnaire = content.questionnaires.for_wave("ebike-charging", "2026-end")
    assert questionnaire is not None
    at = pd.Timestamp("2026-11-27T04:00:00Z").to_pydatetime()
    return [
        service.Request(db, Scope(wave, ALL, tuple(TOPICS), (questionnaire,)), "bench", at)
        for wave in WAVES
    ]


def download(phase: str, asks: list[service.Request], out: Path) -> int:
    """Run the route's download code for each request, appending the bodies to `out`."""
    rows = 0
    with out.open("wb") as handle:
        for ask in asks:
            if phase == "csv":
                for block in service.csv_stream(ask, bom=True):  # what the view streams
                    handle.write(block)
                rows += _completed_rows(ask)
                continue
            built = service.build(ask, phase)  # what the view sends from a temporary file
            with built.handle:
                while block := built.handle.read(1 << 20):
                    handle.write(block)
            rows += built.rows
    return rows


def _completed_rows(ask: service.Request) -> int:
    """Rows of the last completed download, as its audit entry recorded them."""
    from survey.storage.audit import entries

    return int(entries(ask.db, limit=1)[0].detail["rows"])


def run_phase(phase: str, url: str, out: Path) -> dict[str, Any]:
    """One measured phase; returns rows written and seconds."""
    db = Database(url)
    content = load_content(ROOT / "content")
    asks = requests(db, content)
    setup_mb = reset_peak_rss()
    began = time.perf_counter()
    if phase == "baseline":
        frame = pd.read_sql_query("SELECT * FROM responses ORDER BY id", db.engine)
        frame.to_csv(out, index=False)
        rows = len(frame)
    elif phase in ("csv", "xlsx", "sav"):
        rows = download(phase, asks, out)
    else:
        rows = results(db, content.site.satisfaction, district_margins(content.directory.districts))
    return {"rows": rows, "seconds": time.perf_counter() - began, "setup_mb": setup_mb}


def results(db: Database, definition: Any, margins: pd.DataFrame) -> int:
    """Every figure of the largest topic's results page."""
    frame = pd.concat(list(chunks(db, TOPICS[0])), ignore_index=True)
    summary(frame, definition)
    distribution(frame, definition)
    by_district(frame, definition)
    change(frame, definition)
    drivers(frame, WENT_WELL)
    drivers(frame, WENT_BADLY)
    weighted_rates(frame, definition, margins)
    return len(frame)


def status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def reset_peak_rss() -> float:
    """Reset the kernel's peak-RSS mark to the current RSS (ru_maxrss would include the parent's
    size at fork, since Linux keeps it across exec); returns the current RSS in MB."""
    Path("/proc/self/clear_refs").write_text("5")
    return status_mb("VmRSS")


def measure(phase: str, url: str, out: Path) -> dict[str, Any]:
    """Run a phase in a fresh interpreter; its peak RSS is then the phase's own."""
    command = [sys.executable, __file__, "--phase", phase, "--url", url, "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    """Load the database, run every phase, print the table and the RESULT lines."""
    args = arguments()
    if args.phase:  # one phase, in the fresh interpreter `measure` started
        result = run_phase(args.phase, args.url, Path(args.out))
        result["rss_mb"] = status_mb("VmHWM")
        print(json.dumps(result))
        return 0
    total = 50_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'bench.db'}"
        prepare_database(url, total)
        measured = run_phases(args.phases.split(","), url, work)
    return report(measured)


def arguments() -> argparse.Namespace:
    """The command line: --quick and --phases; the hidden ones run one phase."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="50,000 responses")
    parser.add_argument(
        "--phases",
        default="baseline,csv,xlsx,sav,results",
        help="comma-separated phases to run (baseline and csv give the RESULT lines)",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    return parser.parse_args()


def prepare_database(url: str, total: int) -> None:
    """A fresh database at the latest schema with `total` synthetic responses."""
    db = Database(url)
    upgrade(db)
    districts = [d.name for d in load_content(ROOT / "content").directory.districts]
    began = time.perf_counter()
    load(db, total, districts)
    db.dispose()
    print(f"loaded {total:,} responses in {time.perf_counter() - began:.1f} s")


def run_phases(phases: list[str], url: str, work: Path) -> dict[str, dict[str, Any]]:
    """Each phase in its own process, one table row each as it finishes."""
    print("| phase | rows | seconds | RSS after setup MB | peak RSS MB | file MB |")
    print("| --- | --- | --- | --- | --- | --- |", flush=True)
    measured = {}
    names = {"baseline": "naive.csv", "csv": "r.csv", "xlsx": "r.xlsx", "sav": "r.sav"}
    for phase in phases:
        name = names.get(phase, "-")
        measured[phase] = m = measure(phase, url, work / name)
        size = (work / name).stat().st_size / 2**20 if name != "-" else 0.0
        print(
            f"| {phase} | {m['rows']:,} | {m['seconds']:.1f} | {m['setup_mb']:.0f} "
            f"| {m['rss_mb']:.0f} | {size:.0f} |",
            flush=True,
        )
    return measured


def report(measured: dict[str, dict[str, Any]]) -> int:
    """RESULT lines: CSV time against the naive download, CSV peak RSS."""
    if not {"baseline", "csv"} <= measured.keys():
        return 0
    ratio = measured["csv"]["seconds"] / measured["baseline"]["seconds"]
    rss = measured["csv"]["rss_mb"]
    ratio_ok = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    rss_ok = "PASS" if rss <= TARGET_RSS_MB else "FAIL"
    print(f"RESULT export_csv_ratio ratio={ratio:.2f} target={TARGET_RATIO} {ratio_ok}")
    print(f"RESULT export_csv_peak_rss mb={rss:.0f} target={TARGET_RSS_MB} {rss_ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
