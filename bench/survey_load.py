"""Benchmark the survey collector under gunicorn on 127.0.0.1 against the floor (issue 17).

Per setup, in one run: (1) two gunicorns with the same configuration (deploy/gunicorn.conf.py,
as deployed): the survey, and the floor (bench/survey_floor.py: the same GET and POST with no
survey logic: a page of the questionnaire's size with a CSRF token in a signed session cookie,
a POST that checks the token and inserts one row); (2) rounds of closed-loop load from the same
client processes, floor and survey alternating (each round starts with the other than the
last), each phase's server CPU time (gunicorn master and workers, from /proc) divided by its
submissions; a submission is a GET of the form, reading its CSRF token and ticket, and a POST
(every 10th POSTed twice, as a double click); (3) latency of the survey at half its sustained
rate, paced open-loop: each whole submission timed from its scheduled start; (4) survey rows
stored against distinct receipts returned; (5) what loading the app costs a worker (CPU
seconds, peak RSS) and the workers' RSS after the load.

Each server first gets a warm-up (a quarter of a phase, not counted; the survey's submissions
are stored and counted among the receipts). The target is the median over rounds of the survey's
server CPU per submission divided by the floor's: at most 2.0. CPU time is much less disturbed
by other work on a shared machine than wall time; submissions per second are reported too.

Setups: SQLite and PostgreSQL with the default in-memory rate limits, and PostgreSQL with the
rate limits in Redis (issue 7: several workers sharing one store).

    .venv/bin/python bench/survey_load.py            # 20 s phases, 3 rounds, all three setups
    .venv/bin/python bench/survey_load.py --quick    # 3 s phases (0.75 s warm-up), 3 rounds
    .venv/bin/python bench/survey_load.py --database sqlite

Ends with `RESULT <name> <figure>=<value> target=<value> PASS|FAIL` lines. The load generator
is bench/survey_load_client.py; gunicorn, the database and the server's CPU time are in
bench/survey_load_server.py; the floor is bench/survey_floor.py.
"""

from __future__ import annotations

import argparse
import os
import runpy
import statistics
import sys
import tempfile
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.survey_load_client import (  # noqa: E402
    PATH,
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
    load_cost,
    redis_keys,
)
from survey.storage.db import Database  # noqa: E402
from survey.storage.repository import count_responses  # noqa: E402

NOW = "2026-11-27T12:00:00+08:00"  # inside the wave, whenever the benchmark runs
REDIS = os.environ.get("YITI_BENCH_REDIS", "redis://127.0.0.1:6379/0")
# setup → (database, rate-limit storage)
SETUPS = {
    "sqlite": ("sqlite", "memory://"),
    "postgresql": ("postgresql", "memory://"),
    "postgresql_redis": ("postgresql", REDIS),
}
FLOOR = "bench.survey_floor:floor_app()"
# (name, figure, value, target, passed) for one RESULT line
Result = tuple[str, str, str, str, bool]
TARGET_RATIO = 2.0  # survey's server CPU per submission / the floor's
TARGET_P99_MS = 100.0
WARMUP_SHARE = 0.25  # of a phase, before each server's rounds


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0..1) of `values`, or NaN if empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Phase:
    """One closed-loop phase: what the clients saw and the server's CPU ms per submission."""

    tally: Tally
    server_ms: float

    @property
    def client_ms(self) -> float:
        """The client processes' CPU ms per submission."""
        return self.tally.client_cpu_s * 1000 / max(self.tally.done, 1)


@dataclass
class Measured:
    """One setup's run: rounds of floor and survey, half-rate latency, rows, worker costs."""

    floor: list[Phase] = field(default_factory=list)
    survey: list[Phase] = field(default_factory=list)
    tallies: list[Tally] = field(default_factory=list)  # every survey tally, for receipts
    half: Tally = field(default_factory=Tally)
    rows: int = 0
    rss_mb: dict[str, list[float]] = field(default_factory=dict)  # workers', after the load

    @property
    def ratios(self) -> list[float]:
        """Survey / floor server CPU per submission, round by round."""
        return [s.server_ms / f.server_ms for f, s in zip(self.floor, self.survey, strict=True)]

    @property
    def rate_ratios(self) -> list[float]:
        """Survey / floor submissions per second, round by round."""
        return [s.tally.rate / f.tally.rate for f, s in zip(self.floor, self.survey, strict=True)]

    @property
    def receipts(self) -> int:
        """Distinct survey receipts returned over all phases, the warm-up included."""
        return len(set().union(*(t.receipts for t in self.tallies)))

    @property
    def errors(self) -> int:
        """Errors in any phase, floor included."""
        phases = [p.tally for p in self.floor + self.survey] + self.tallies
        return sum(t.errors for t in phases)


def phase(server: Gunicorn, args: argparse.Namespace, seconds: float) -> Phase:
    """A closed-loop phase and the server CPU it took per submission."""
    before = server.cpu_seconds()
    tally = run_clients(args.clients, closed_loop, server.port, seconds, False)
    return Phase(tally, (server.cpu_seconds() - before) * 1000 / max(tally.done, 1))


def environment(limits: str, work: Path, url: str, page_bytes: int) -> dict[str, str]:
    """Both servers' settings, in their environment variables."""
    return {
        "SECRET_KEY": "bench-secret",
        "DATABASE_URL": url,
        "YITI_CONTENT_DIR": str(ROOT / "content"),
        "YITI_NOW": NOW,
        "YITI_POST_LIMIT": "1000000/minute",  # one client address: the hard limit would bite
        "YITI_MIN_FILL_SECONDS": "0",
        "YITI_INSTANCE_DIR": str(work / "instance"),
        "YITI_RATELIMIT_STORAGE_URI": limits,
        "YITI_FLOOR_PAGE_BYTES": str(page_bytes),
    }


def rounds(servers: dict[str, Gunicorn], args: argparse.Namespace, m: Measured) -> None:
    """Warm both up, then alternate floor and survey phases, each round starting with the
    server that went second in the one before."""
    for name, server in servers.items():
        warm = phase(server, args, args.seconds * WARMUP_SHARE)
        if name == "survey":
            m.tallies.append(warm.tally)
    order = ["floor", "survey"]
    for _ in range(args.rounds):
        for name in order:
            done = phase(servers[name], args, args.seconds)
            getattr(m, name).append(done)
            if name == "survey":
                m.tallies.append(done.tally)
        order.reverse()


def measure(setup: str, args: argparse.Namespace, work: Path, page_bytes: int) -> Measured:
    """Floor and survey rounds, half-rate latency and rows stored, for one setup."""
    kind, limits = SETUPS[setup]
    prefix = f"yiti-bench-{uuid.uuid4().hex[:10]}"  # this run's counters, apart from others'
    survey = f"survey:create_app({{'RATELIMIT_KEY_PREFIX': '{prefix}'}})"
    m = Measured()
    with ExitStack() as stack:
        url = stack.enter_context(database(kind, work))
        stack.enter_context(redis_keys(limits, prefix))
        env, log = environment(limits, work, url, page_bytes), work / "gunicorn.log"
        servers = {
            name: stack.enter_context(gunicorn(app, args.workers, env, log))
            for name, app in (("floor", FLOOR), ("survey", survey))
        }
        rounds(servers, args, m)
        rate = statistics.median(p.tally.rate for p in m.survey) / 2 / args.clients
        m.half = run_clients(args.clients, paced, servers["survey"].port, args.seconds, rate)
        m.tallies.append(m.half)
        m.rss_mb = {name: server.worker_rss_mb() for name, server in servers.items()}
        db = Database(url)
        m.rows = count_responses(db, TOPIC, WAVE)
        db.dispose()
    return m


def workers_label(args: argparse.Namespace) -> str:
    """How many gunicorn workers of which class served, as the configuration says."""
    config = runpy.run_path(str(GUNICORN_CONFIG))
    count = args.workers or config["workers"]
    return f"{count} gunicorn {config['worker_class']} workers (deploy/gunicorn.conf.py)"


def _ms(phases: list[Phase], attribute: str) -> str:
    return " / ".join(f"{getattr(p, attribute):.2f}" for p in phases)


def table_rows(m: Measured) -> list[tuple[str, str]]:
    """(measure, value) for one setup's table; "a / b / c" are the rounds in order."""
    half = [percentile(m.half.latencies_ms, q) for q in (0.5, 0.99)]
    full = [percentile([x for p in m.survey for x in p.tally.latencies_ms], q) for q in (0.5, 0.99)]
    rss = {name: statistics.median(v) if v else float("nan") for name, v in m.rss_mb.items()}
    return [
        ("floor: server CPU ms per submission", _ms(m.floor, "server_ms")),
        ("survey: server CPU ms per submission", _ms(m.survey, "server_ms")),
        ("**ratio survey / floor** (median)", f"{statistics.median(m.ratios):.2f}"),
        ("ratio per round", " / ".join(f"{r:.2f}" for r in m.ratios)),
        ("submissions/s: floor", " / ".join(f"{p.tally.rate:.1f}" for p in m.floor)),
        ("submissions/s: survey", " / ".join(f"{p.tally.rate:.1f}" for p in m.survey)),
        ("submissions/s ratio survey / floor (median)", f"{statistics.median(m.rate_ratios):.2f}"),
        ("client CPU ms per submission: floor / survey (medians)", _client(m)),
        ("survey POST latency at full load p50 / p99 (ms)", f"{full[0]:.1f} / {full[1]:.1f}"),
        (
            "survey at half rate: GET + POST from scheduled start, p50 / p99 ms",
            f"{half[0]:.1f} / {half[1]:.1f}",
        ),
        (
            "worker RSS MB after the load (median): floor / survey",
            f"{rss.get('floor', 0):.0f} / {rss.get('survey', 0):.0f}",
        ),
        ("errors", str(m.errors)),
        ("survey rows stored / distinct receipts returned", f"{m.rows} / {m.receipts}"),
    ]


def _client(m: Measured) -> str:
    floor = statistics.median(p.client_ms for p in m.floor)
    survey = statistics.median(p.client_ms for p in m.survey)
    return f"{floor:.2f} / {survey:.2f}"


def print_table(kind: str, args: argparse.Namespace, m: Measured) -> None:
    """One setup's table, in Markdown."""
    setup = f"{workers_label(args)}, {args.clients} client processes"
    limits = SETUPS[kind][1].split(":")[0]
    print(
        f"\n## {kind}  (rate limits: {limits}; {setup}, {args.rounds} rounds of "
        f"{args.seconds:g} s per server)\n"
    )
    print("| measure | value |\n| --- | --- |")
    for measure, value in table_rows(m):
        print(f"| {measure} | {value} |")


def results(kind: str, m: Measured) -> list[Result]:
    """One setup's RESULT lines."""
    ratio, p99 = statistics.median(m.ratios), percentile(m.half.latencies_ms, 0.99)
    name, exact = f"survey_{kind}", m.rows == m.receipts and not m.errors
    return [
        (name, "cpu_ratio_to_floor", f"{ratio:.2f}", f"{TARGET_RATIO:g}", ratio <= TARGET_RATIO),
        (name, "p99_ms_half_rate", f"{p99:.1f}", f"{TARGET_P99_MS:g}", p99 <= TARGET_P99_MS),
        (name, "rows_minus_receipts", str(m.rows - m.receipts), "0", exact),
    ]


def page_size(env: dict[str, str]) -> int:
    """Bytes of the survey's blank questionnaire as served, for the floor's page."""
    from survey import create_app

    names = ("SECRET_KEY", "YITI_CONTENT_DIR", "YITI_NOW", "YITI_INSTANCE_DIR")
    app = create_app({"DATABASE_URL": "sqlite://"} | {name: env[name] for name in names})
    return len(app.test_client().get(PATH).get_data())


def print_load_costs(env: dict[str, str], times: int) -> None:
    """What loading each app costs a fresh worker: medians of `times` loads."""
    print(f"\n## Loading the app in a worker (medians of {times} fresh processes)\n")
    print("| app | CPU s | peak RSS MB |\n| --- | --- | --- |")
    for name, app in (("floor", FLOOR), ("survey", "survey.ops.wsgi:app")):
        costs = [load_cost(app, env) for _ in range(times)]
        cpu, rss = (statistics.median(c[i] for c in costs) for i in (0, 1))
        print(f"| {name} | {cpu:.2f} | {rss:.0f} |")


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="3 s phases instead of 20 s")
    parser.add_argument("--database", choices=[*SETUPS, "all"], default="all")
    parser.add_argument("--rounds", type=int, default=3, help="floor/survey rounds per setup")
    parser.add_argument(
        "--workers", type=int, default=None, help="instead of the configuration's count"
    )
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    args = parser.parse_args()
    args.seconds = 3.0 if args.quick else 20.0
    args.loads = 1 if args.quick else 3  # fresh processes loading each app
    return args


def main() -> int:
    """Run each setup, print its table and the RESULT lines; exit 1 if any target fails."""
    args = arguments()
    kinds = list(SETUPS) if args.database == "all" else [args.database]
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    found: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = environment("memory://", Path(tmp) / "load", "sqlite://", 0)
        page_bytes = page_size(env)
        print_load_costs(env | {"DATABASE_URL": f"sqlite:///{tmp}/load.sqlite3"}, args.loads)
        for kind in kinds:
            measured = measure(kind, args, Path(tmp) / kind, page_bytes)
            print_table(kind, args, measured)
            found += results(kind, measured)
    print(f"\nload average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"survey page {page_bytes} bytes; the floor's the same size\n")
    for name, figure, value, target, passed in found:
        print(f"RESULT {name} {figure}={value} target={target} {'PASS' if passed else 'FAIL'}")
    return 0 if all(r[-1] for r in found) else 1


if __name__ == "__main__":
    sys.exit(main())
