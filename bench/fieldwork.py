"""Benchmark telephone fieldwork on PostgreSQL: the frame import, and the stratified draw.

A synthetic frame CSV (1,000,000 contacts; --quick 50,000) is written once into --work:
ids, phones in the forms evaluators' files use (138 0013 8000, +86-…, 010-6512 3456, …),
districts by census population, a street of the district, two attribute columns, and a few
repeated ids and bad phones. Each measured run happens in a fresh process (peak RSS is that
process's own VmHWM, interpreter and imports included), in a private schema of the database:

- bare: `pandas.read_csv` of the whole file, `drop_duplicates` on id and phone, and COPY of
  the rows as they are (phone in clear) into `bench_bare`, a table made LIKE fieldwork_cases
  with the same indexes: the yardstick;
- import: the command's code path (`survey.fieldwork.importer.import_frame`): chunks read,
  checked, phones normalised, repeats collapsed, phones encrypted and hashed, COPY, audit;
- crypto: only `encrypt_many` and `lookup_many` over the same number of phones, to say how
  much of the import is encryption;
- draw: open fieldwork, then draw 20,000 (--quick 2,000) in 10 replicates from the frame.

bare and import alternate --runs times (medians; the ratio is the median of each run's own
ratio, as the shared machine's load drifts). Ends with `RESULT <name> <figure>=<value>
target=<value> PASS|FAIL` lines.

    .venv/bin/python bench/fieldwork.py            # 1,000,000 contacts
    .venv/bin/python bench/fieldwork.py --quick    # 50,000 contacts, same code path

Phases are functions of a `Bench` returning `Row`s; `PHASES` lists them in order, so a later
phase (for example interviewers asking for cases) is one more entry there.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench import fieldwork_interviewers as interviewers  # noqa: E402
from bench.pg import private_schema  # noqa: E402
from bench.synth_frame import write_frame  # noqa: E402
from generator.content.loader import load_content  # noqa: E402
from survey.fieldwork.crypto import PhoneCipher, new_key  # noqa: E402
from survey.fieldwork.draw import Plan, draw_sample  # noqa: E402
from survey.fieldwork.frame import read_chunks  # noqa: E402
from survey.fieldwork.importer import Target, import_frame  # noqa: E402
from survey.fieldwork.settings import open_fieldwork  # noqa: E402
from survey.storage.db import Database  # noqa: E402
from survey.storage.migrate import upgrade  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TOPIC, WAVE = "ebike-charging", "2026-end"
FULL, QUICK = 1_000_000, 50_000
DRAW_FULL, DRAW_QUICK = 20_000, 2_000
TARGET_RATIO = 2.0  # import time ÷ bare pandas read + COPY time
TARGET_RSS_GB = 1.0
INTERVIEWERS = 50


@dataclass
class Row:
    """One line of the table; `result` lines are printed at the end."""

    phase: str
    seconds: float
    peak_gb: float = 0.0
    note: str = ""
    results: list[str] = field(default_factory=list)


@dataclass
class Bench:
    """What every phase gets: the database URL, the frame file, sizes, runs."""

    url: str
    database: str  # the PostgreSQL URL without a schema (a phase may make its own)
    frame: Path
    contacts: int
    drawn: int
    runs: int
    quick: bool


Phase = Callable[[Bench], list[Row]]


@contextmanager
def schema(base: str) -> Iterator[str]:
    """A private schema at the latest migration, with the bare baseline's table beside it."""
    with private_schema(base) as url:
        db = Database(url)
        upgrade(db)
        with db.engine.begin() as connection:
            connection.execute(text("CREATE TABLE bench_bare (LIKE fieldwork_cases INCLUDING ALL)"))
        db.dispose()
        yield url


def child(phase: str, bench: Bench) -> dict[str, Any]:
    """Run one measured phase in a fresh interpreter; its JSON line back."""
    command = [
        sys.executable,
        __file__,
        "--phase",
        phase,
        "--url",
        bench.url,
        "--frame",
        str(bench.frame),
        "--drawn",
        str(bench.drawn),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"phase {phase} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def peak_gb() -> float:
    """VmHWM of this process, in GB (10^9 bytes)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e9
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_phase(phase: str, url: str, frame: Path, drawn: int) -> dict[str, Any]:
    """The body of a child process: set up, time the phase, report."""
    db = Database(url)
    with db.engine.begin() as connection:  # each run starts from empty tables
        connection.execute(text("TRUNCATE fieldwork_cases, bench_bare CASCADE"))
        connection.execute(text("DELETE FROM fieldwork_waves"))
    began = time.perf_counter()
    note = globals()[f"_{phase}"](db, frame, drawn)
    return {"seconds": time.perf_counter() - began, "peak_gb": peak_gb(), "note": note}


def _bare(db: Database, frame: Path, _drawn: int) -> str:
    """pandas reads the file and COPY stores its rows as they are."""
    table = pd.read_csv(frame, dtype=str, keep_default_na=False)
    table = table.drop_duplicates("编号").drop_duplicates("联系电话")  # the unique indexes
    rows = pd.DataFrame(
        {
            "topic": TOPIC,
            "wave": WAVE,
            "contact_id": table["编号"],
            "phone_token": table["联系电话"],
            "phone_key": table["联系电话"],
            "district": table["区"],
            "street": table["街道"],
            "attributes": "{}",
            "sample": False,
            "batch": "bare",
            "status": "frame",
            "attempts": 0,
        }
    )
    text_rows = io.StringIO()
    rows.to_csv(text_rows, header=False, index=False)
    with db.engine.begin() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        columns = ", ".join(rows.columns)
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY bench_bare ({columns}) FROM STDIN WITH (FORMAT csv)") as copy,
        ):
            copy.write(text_rows.getvalue())
    return f"{len(rows):,} rows"


def _import(db: Database, frame: Path, _drawn: int) -> str:
    """The import command's own code path (content loaded as the command loads it)."""
    content = load_content(ROOT / "content")
    target = Target(TOPIC, WAVE, "bench")
    rejects = frame.with_name("rejects.csv")
    counts = import_frame(
        db,
        PhoneCipher(new_key()),
        content,
        target,
        read_chunks(frame),
        rejects,
        (datetime.now(UTC), "bench", {}),
    )
    return f"{counts.stored:,} stored, {counts.duplicates:,} repeats, {counts.rejected:,} rejected"


def _crypto(_db: Database, frame: Path, _drawn: int) -> str:
    """Encryption and lookup hashing alone, over as many phones as the frame has."""
    n = sum(1 for _ in frame.open(encoding="utf-8")) - 1
    cipher = PhoneCipher(new_key())
    phones = [f"+86138{i:08d}" for i in range(n)]
    for start in range(0, n, 50_000):
        cipher.encrypt_many(phones[start : start + 50_000])
        cipher.lookup_many(phones[start : start + 50_000])
    return f"{n:,} phones"


def _draw(db: Database, frame: Path, drawn: int) -> str:
    """Import (not timed separately), open, then the timed draw is the whole phase minus it."""
    _import(db, frame, drawn)
    districts = tuple(d.name for d in load_content(ROOT / "content").directory.districts)
    at = datetime.now(UTC)
    open_fieldwork(db, TOPIC, WAVE, "09:00-21:00", 6, at, "bench")
    began = time.perf_counter()
    draw_sample(db, TOPIC, WAVE, districts, Plan(drawn, None, None, 10, 2026), (at, "bench"))
    return f"draw {time.perf_counter() - began:.2f} s for {drawn:,}"


def import_phase(bench: Bench) -> list[Row]:
    """bare and import, alternating, --runs times; crypto once."""
    bare, ours = [], []
    for _ in range(bench.runs):
        bare.append(child("bare", bench))
        ours.append(child("import", bench))
    crypto = child("crypto", bench)
    ratio = statistics.median(o["seconds"] / b["seconds"] for o, b in zip(ours, bare, strict=True))
    rss = max(o["peak_gb"] for o in ours)
    share = crypto["seconds"] / statistics.median(o["seconds"] for o in ours)
    return [
        _median_row("bare", bare),
        _median_row(
            "import",
            ours,
            [
                _result("fieldwork_import_ratio", "ratio", ratio, TARGET_RATIO),
                _result("fieldwork_import_peak_rss", "peak_gb", rss, TARGET_RSS_GB),
            ],
        ),
        Row(
            "crypto",
            crypto["seconds"],
            crypto["peak_gb"],
            f"{crypto['note']}, {share:.0%} of import",
        ),
    ]


def draw_phase(bench: Bench) -> list[Row]:
    """The stratified draw (its own seconds are in the note; the phase includes an import)."""
    found = child("draw", bench)
    seconds = float(found["note"].split()[1])
    return [Row("draw", seconds, found["peak_gb"], found["note"])]


def _median_row(name: str, runs: list[dict[str, Any]], results: list[str] | None = None) -> Row:
    seconds = statistics.median(r["seconds"] for r in runs)
    each = ", ".join(f"{r['seconds']:.1f}" for r in runs)
    note = f"{runs[-1]['note']}; runs {each} s"
    return Row(name, seconds, max(r["peak_gb"] for r in runs), note, results or [])


def _result(name: str, figure: str, value: float, target: float) -> str:
    verdict = "PASS" if value <= target else "FAIL"
    return f"RESULT {name} {figure}={value:.2f} target={target} {verdict}"


def interviewers_phase(bench: Bench) -> list[Row]:
    """50 simulated interviewers asking for cases at once (bench/fieldwork_interviewers.py)."""
    seconds = 10.0 if bench.quick else 60.0
    figures = interviewers.run(bench.database, INTERVIEWERS, seconds)
    note = f"{INTERVIEWERS} interviewers, {seconds:.0f} s: {figures.asks:,} asks, {figures.calls:,} calls"
    p99 = figures.percentile(0.99) / 1000
    return [Row("next case p99", p99, 0.0, note, interviewers.result_lines(figures))]


PHASES: list[Phase] = [import_phase, draw_phase, interviewers_phase]


def main(argv: list[str] | None = None) -> int:
    """Write the frame, run every phase in a private schema, print the table and RESULT lines."""
    args = arguments(argv)
    if args.phase:  # one measured phase, in the fresh interpreter `child` started
        print(json.dumps(run_phase(args.phase, args.url, Path(args.frame), args.drawn)))
        return 0
    contacts = args.contacts or (QUICK if args.quick else FULL)
    args.work.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    frame = write_frame(args.work / f"frame-{contacts}.csv", contacts)
    print(
        f"frame: {contacts:,} contacts, {frame.stat().st_size / 1e6:.0f} MB ({time.perf_counter() - began:.0f} s to make or find)"
    )
    rows: list[Row] = []
    with schema(args.database) as url:
        drawn = DRAW_QUICK if args.quick else DRAW_FULL
        bench = Bench(url, args.database, frame, contacts, drawn, args.runs, args.quick)
        for phase in PHASES:
            rows += phase(bench)
    print("| phase | seconds (median) | peak RSS GB | |\n| --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row.phase} | {row.seconds:.2f} | {row.peak_gb:.2f} | {row.note} |")
    for row in rows:
        for line in row.results:
            print(line)
    return 0


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """--quick, --contacts, --runs, --database, --work; the hidden ones run one phase."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK:,} contacts")
    parser.add_argument("--contacts", type=int, help="contacts (overrides --quick)")
    parser.add_argument("--runs", type=int, default=3, help="bare/import pairs (median)")
    parser.add_argument("--database", default=POSTGRES, help="PostgreSQL URL (a schema is made)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/yiti-bench-fieldwork"))
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--frame", help=argparse.SUPPRESS)
    parser.add_argument("--drawn", type=int, default=DRAW_QUICK, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
