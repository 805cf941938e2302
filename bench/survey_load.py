"""Benchmark the survey collector under gunicorn on 127.0.0.1, on SQLite and on PostgreSQL.

In one run, per setup: (1) the ceiling, requests per second of a bare Flask endpoint under
the same gunicorn configuration (deploy/gunicorn.conf.py, as deployed) and the same clients;
(2) sustained submissions per second, each one a GET of the questionnaire, reading its CSRF
token and ticket, and a POST of valid answers, from a fixed number of closed-loop clients
(every 10th submission is POSTed twice, as a double click); (3) latency at half the sustained
rate, paced open-loop: each whole submission (GET and POST) timed from its scheduled start, so
a slow server cannot hide its queue; (4) rows stored against distinct receipts returned.

Each server first gets a warm-up (a quarter of a phase, the same clients, not counted; its
submissions are stored and counted among the receipts): what a worker does once (render the
blank page, build the form, compile templates and statements, connect) is not a sustained
cost. Each phase also reports the CPU time of the server and of the clients per request or
submission, which says what bounds the share of the ceiling on a machine whose clients and
server share the cores.

Setups: SQLite and PostgreSQL with the default in-memory rate limits, and PostgreSQL with the
rate limits in Redis (issue 7: several workers sharing one store).

    .venv/bin/python bench/survey_load.py            # 20 s phases, all three setups
    .venv/bin/python bench/survey_load.py --quick    # 4 s phases (1 s warm-up)
    .venv/bin/python bench/survey_load.py --database sqlite

Ends with `RESULT <name> <figure>=<value> target=<value> PASS|FAIL` lines. The load generator
is bench/survey_load_client.py; gunicorn, the database and the server's CPU time are in
bench/survey_load_server.py.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.survey_load_client import (  # noqa: E402
    TOPIC,
    WAVE,
    Tally,
    closed_loop,
    paced,
    run_clients,
)
from bench.survey_load_server import (  # noqa: E402
    GUNICORN_CONFIG,
    Gunicorn,
    database,
    gunicorn,
    redis_keys,
)
from survey.db import Database  # noqa: E402
from survey.repository import count_responses  # noqa: E402

NOW = "2026-11-27T12:00:00+08:00"  # inside the wave, whenever the benchmark runs
REDIS = os.environ.get("YITI_BENCH_REDIS", "redis://127.0.0.1:6379/0")
# setup → (database, rate-limit storage)
SETUPS = {
    "sqlite": ("sqlite", "memory://"),
    "postgresql": ("postgresql", "memory://"),
    "postgresql_redis": ("postgresql", REDIS),
}
# (name, figure, value, target, passed) for one RESULT line
Result = tuple[str, str, str, str, bool]
TARGET_SHARE = 0.40  # of the ceiling
TARGET_P99_MS = 100.0
WARMUP_SHARE = 0.25  # of a phase, before the ceiling and before the survey load


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0..1) of `values`, or NaN if empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Measured:
    """One setup's run: the phases, the server's CPU per unit, what the database holds after."""

    ceiling: Tally
    ceiling_server_ms: float  # server CPU per bare request
    load: Tally
    load_server_ms: float  # server CPU per submission (GET + POST, resends included)
    half: Tally
    warmup: Tally
    rows: int

    @property
    def receipts(self) -> int:
        """Distinct receipts returned over all phases, the warm-up included."""
        return len(self.warmup.receipts | self.load.receipts | self.half.receipts)

    @property
    def errors(self) -> int:
        """Errors in any phase."""
        return sum(t.errors for t in (self.ceiling, self.warmup, self.load, self.half))


def loaded(server: Gunicorn, args: argparse.Namespace, bare: bool) -> tuple[Tally, Tally, float]:
    """Warm-up (not counted), then a closed-loop phase: both tallies and server CPU ms per unit."""
    warm = run_clients(args.clients, closed_loop, server.port, args.seconds * WARMUP_SHARE, bare)
    before = server.cpu_seconds()
    tally = run_clients(args.clients, closed_loop, server.port, args.seconds, bare)
    server_ms = (server.cpu_seconds() - before) * 1000 / max(tally.done, 1)
    return warm, tally, server_ms


def environment(limits: str, work: Path) -> dict[str, str]:
    """The app's settings for the benchmark, in its environment variables."""
    return {
        "SECRET_KEY": "bench-secret",
        "YITI_CONTENT_DIR": str(ROOT / "content"),
        "YITI_NOW": NOW,
        "YITI_POST_LIMIT": "1000000/minute",  # one client address: the hard limit would bite
        "YITI_MIN_FILL_SECONDS": "0",
        "YITI_INSTANCE_DIR": str(work / "instance"),
        "YITI_RATELIMIT_STORAGE_URI": limits,
    }


def measure(setup: str, args: argparse.Namespace, work: Path) -> Measured:
    """Ceiling, sustained load and half-rate latency, for one setup."""
    kind, limits = SETUPS[setup]
    env, log = environment(limits, work), work / "gunicorn.log"
    with gunicorn("bench.survey_load_server:bare_app()", args.workers, env, log) as server:
        _, ceiling, ceiling_ms = loaded(server, args, bare=True)
    prefix = f"yiti-bench-{uuid.uuid4().hex[:10]}"  # this run's counters, apart from others'
    app = f"survey:create_app({{'RATELIMIT_KEY_PREFIX': '{prefix}'}})"
    with (
        database(kind, work) as url,
        redis_keys(limits, prefix),
        gunicorn(app, args.workers, env | {"DATABASE_URL": url}, log) as server,
    ):
        warm, load, load_ms = loaded(server, args, bare=False)
        rate = load.rate / 2 / args.clients
        half = run_clients(args.clients, paced, server.port, args.seconds, rate)
        db = Database(url)
        rows = count_responses(db, TOPIC, WAVE)
        db.dispose()
    return Measured(ceiling, ceiling_ms, load, load_ms, half, warm, rows)


def workers_label(args: argparse.Namespace) -> str:
    """How many gunicorn workers of which class served, as the configuration says."""
    config = runpy.run_path(str(GUNICORN_CONFIG))
    count = args.workers or config["workers"]
    return f"{count} gunicorn {config['worker_class']} workers (deploy/gunicorn.conf.py)"


def table_rows(m: Measured) -> list[tuple[str, str]]:
    """(measure, value) for one setup's table."""
    full = [percentile(m.load.latencies_ms, q) for q in (0.5, 0.99)]
    half = [percentile(m.half.latencies_ms, q) for q in (0.5, 0.99)]
    bare_client = m.ceiling.client_cpu_s * 1000 / max(m.ceiling.done, 1)
    load_client = m.load.client_cpu_s * 1000 / max(m.load.done, 1)
    return [
        ("ceiling: bare Flask requests/s", f"{m.ceiling.rate:.0f}"),
        ("sustained submissions/s (GET form + POST answers)", f"{m.load.rate:.1f}"),
        ("share of ceiling", f"{m.load.rate / m.ceiling.rate:.1%}"),
        (
            "CPU ms per bare request: server / clients",
            f"{m.ceiling_server_ms:.2f} / {bare_client:.2f}",
        ),
        ("CPU ms per submission: server / clients", f"{m.load_server_ms:.2f} / {load_client:.2f}"),
        ("POST latency at full load p50 / p99 (ms)", f"{full[0]:.1f} / {full[1]:.1f}"),
        (
            f"at half rate ({m.load.rate / 2:.1f}/s): GET + POST from scheduled start,"
            " p50 / p99 ms",
            f"{half[0]:.1f} / {half[1]:.1f}",
        ),
        ("errors", str(m.errors)),
        ("rows stored / distinct receipts returned", f"{m.rows} / {m.receipts}"),
    ]


def print_table(kind: str, args: argparse.Namespace, m: Measured) -> None:
    """One setup's table, in Markdown."""
    setup = f"{workers_label(args)}, {args.clients} client processes"
    limits = SETUPS[kind][1].split(":")[0]
    print(f"\n## {kind}  (rate limits: {limits}; {setup}, {args.seconds:g} s per phase)\n")
    print("| measure | value |\n| --- | --- |")
    for measure, value in table_rows(m):
        print(f"| {measure} | {value} |")


def results(kind: str, m: Measured) -> list[Result]:
    """One setup's RESULT lines."""
    share, p99 = m.load.rate / m.ceiling.rate, percentile(m.half.latencies_ms, 0.99)
    name, exact = f"survey_{kind}", m.rows == m.receipts and not m.errors
    return [
        (name, "share_of_ceiling", f"{share:.3f}", f"{TARGET_SHARE:.2f}", share >= TARGET_SHARE),
        (name, "p99_ms_half_rate", f"{p99:.1f}", f"{TARGET_P99_MS:g}", p99 <= TARGET_P99_MS),
        (name, "rows_minus_receipts", str(m.rows - m.receipts), "0", exact),
    ]


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="4 s phases instead of 20 s")
    parser.add_argument("--database", choices=[*SETUPS, "all"], default="all")
    parser.add_argument(
        "--workers", type=int, default=None, help="instead of the configuration's count"
    )
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    args = parser.parse_args()
    args.seconds = 4.0 if args.quick else 20.0
    return args


def main() -> int:
    """Run each setup, print its table and the RESULT lines; exit 1 if any target fails."""
    args = arguments()
    kinds = list(SETUPS) if args.database == "all" else [args.database]
    found: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            measured = measure(kind, args, Path(tmp) / kind)
            print_table(kind, args, measured)
            found += results(kind, measured)
    print()
    for name, figure, value, target, passed in found:
        print(f"RESULT {name} {figure}={value} target={target} {'PASS' if passed else 'FAIL'}")
    return 0 if all(r[-1] for r in found) else 1


if __name__ == "__main__":
    sys.exit(main())
