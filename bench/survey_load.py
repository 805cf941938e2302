"""Benchmark the survey collector under gunicorn on 127.0.0.1, on SQLite and on PostgreSQL.

In one run, per setup: (1) the ceiling, requests per second of a bare Flask endpoint under
the same gunicorn configuration (deploy/gunicorn.conf.py, as deployed) and the same clients; (2) sustained submissions per second,
each one a GET of the questionnaire, reading its CSRF token and ticket, and a POST of valid
answers, from a fixed number of closed-loop clients (every 10th submission is POSTed twice,
as a double click); (3) latency at half the sustained rate, paced open-loop: each whole
submission (GET and POST) timed from its scheduled start, so a slow server cannot hide its
queue; (4) rows stored against distinct receipts returned.

Setups: SQLite and PostgreSQL with the default in-memory rate limits, and PostgreSQL with the
rate limits in Redis (issue 7: several workers sharing one store).

    .venv/bin/python bench/survey_load.py            # 20 s phases, all three setups
    .venv/bin/python bench/survey_load.py --quick    # 4 s phases
    .venv/bin/python bench/survey_load.py --database sqlite

Ends with `RESULT <name> <figure>=<value> target=<value> PASS|FAIL` lines.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import runpy
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey.db import Database  # noqa: E402
from survey.migrate import upgrade  # noqa: E402
from survey.repository import count_responses  # noqa: E402

TOPIC, WAVE = "ebike-charging", "2026-end"
PATH = f"/{TOPIC}/{WAVE}/"
NOW = "2026-11-27T12:00:00+08:00"  # inside the wave, whenever the benchmark runs
POSTGRES = os.environ.get(
    "YITI_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS = os.environ.get("YITI_BENCH_REDIS", "redis://127.0.0.1:6379/0")
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
# setup → (database, rate-limit storage)
SETUPS = {
    "sqlite": ("sqlite", "memory://"),
    "postgresql": ("postgresql", "memory://"),
    "postgresql_redis": ("postgresql", REDIS),
}
ANSWERS = [
    ("awareness", "听说过"),
    ("change", "有所改善"),
    ("solved", "已解决"),
    ("satisfaction", "满意"),
    ("went_well", "办理时间更短"),
    ("went_well", "反馈及时"),
    ("district", "海淀区"),
    ("street", "110108001"),
    ("hotline", "打过"),
    ("charging_distance", "小区内"),
    ("comment", "楼下新装了充电桩，方便多了"),
    ("website", ""),
]
# (name, figure, value, target, passed) for one RESULT line
Result = tuple[str, str, str, str, bool]
TARGET_SHARE = 0.40  # of the ceiling
TARGET_P99_MS = 100.0
TOKEN = re.compile(r'name="(csrf_token|ticket)" type="hidden" value="([^"]+)"')


def bare_app() -> Flask:
    """The ceiling: the smallest Flask app, under the same gunicorn configuration."""
    app = Flask("bare")
    app.add_url_rule("/", "bare", lambda: "ok")
    return app


@dataclass
class Tally:
    """What one client process saw."""

    done: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    receipts: set[str] = field(default_factory=set)


def _request(
    port: int, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def submit_once(port: int, tally: Tally, resend: bool) -> None:
    """GET the form, read its tokens, POST valid answers (twice if `resend`)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", PATH)
    page = connection.getresponse()
    html = page.read().decode("utf-8")
    connection.close()
    cookie = (page.getheader("Set-Cookie") or "").split(";", 1)[0]
    tokens = dict(TOKEN.findall(html))
    if page.status != 200 or len(tokens) != 2:
        tally.errors += 1
        return
    body = urlencode([*tokens.items(), *ANSWERS])
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    for _ in range(2 if resend else 1):
        start = time.perf_counter()
        posted = _request(port, "POST", PATH, body, headers)
        tally.latencies_ms.append((time.perf_counter() - start) * 1000)
        location = posted.getheader("Location") or ""
        if posted.status != 303 or "/thanks/" not in location:
            tally.errors += 1
            return
        tally.receipts.add(location.rstrip("/").rsplit("/", 1)[-1])
    tally.done += 1


def closed_loop(port: int, seconds: float, bare: bool, seed: int) -> Tally:
    """One client: back-to-back submissions (or bare GETs) for `seconds`."""
    tally, end, n = Tally(), time.perf_counter() + seconds, seed
    while time.perf_counter() < end:
        n += 1
        try:
            if bare:
                start = time.perf_counter()
                ok = _request(port, "GET", "/").status == 200
                tally.latencies_ms.append((time.perf_counter() - start) * 1000)
                tally.done += ok
                tally.errors += not ok
            else:
                submit_once(port, tally, resend=n % 10 == 0)
        except OSError:
            tally.errors += 1
    return tally


def paced(port: int, seconds: float, rate: float, client: int) -> Tally:
    """One client at a fixed rate; latency counts from the scheduled start (open loop)."""
    tally, start, k = Tally(), time.perf_counter() + client / rate / 8, 0  # staggered
    while (scheduled := start + k / rate) < start + seconds:
        time.sleep(max(0.0, scheduled - time.perf_counter()))
        before = len(tally.latencies_ms)
        try:
            submit_once(port, tally, resend=False)
        except OSError:
            tally.errors += 1
        if len(tally.latencies_ms) > before:  # the whole submission, from its scheduled time
            tally.latencies_ms[-1] = (time.perf_counter() - scheduled) * 1000
        k += 1
    return tally


def run_clients(clients: int, work: Callable[..., Tally], *args: object) -> tuple[Tally, float]:
    """Run `clients` processes of `work`; return their merged tally and the wall time."""
    merged = Tally()
    start = time.perf_counter()
    with ProcessPoolExecutor(clients) as pool:
        futures = [pool.submit(work, *args, i) for i in range(clients)]
        for future in futures:
            part = future.result()
            merged.done += part.done
            merged.errors += part.errors
            merged.latencies_ms += part.latencies_ms
            merged.receipts |= part.receipts
    return merged, time.perf_counter() - start


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(app: str, workers: int | None, env: dict[str, str], log: Path) -> Iterator[int]:
    """gunicorn with the deployed configuration serving `app` on 127.0.0.1 only; yields the port
    once it answers. Its logs (the access log included, as deployed) go to `log`."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", app, "--config", str(GUNICORN_CONFIG)]
    command += ["--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT)]
    # No worker recycling within a 20 s phase: a recycled worker re-imports the app (seconds of
    # CPU on a busy machine), which would depress whichever phase happened to cross the count.
    command += ["--max-requests", "0"]
    command += ["--workers", str(workers)] if workers else []
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as sink:
        process = subprocess.Popen(command, env=os.environ | env, stdout=sink, stderr=sink)
    try:
        # Each worker imports the whole app (pandas included): slow when the machine is busy.
        deadline = time.monotonic() + 180
        while True:
            try:
                _request(port, "GET", "/")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    tail = log.read_text(errors="replace")[-2000:]
                    raise RuntimeError(
                        f"gunicorn did not start: {' '.join(command)}\n{tail}"
                    ) from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def database(kind: str, work: Path) -> Iterator[str]:
    """A fresh, migrated database: a SQLite file, or a private schema in PostgreSQL."""
    if kind == "sqlite":
        url = f"sqlite:///{work / 'bench.sqlite3'}"
        _migrate(url)
        yield url
        return
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
        _migrate(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _migrate(url: str) -> None:
    db = Database(url)
    upgrade(db)
    db.dispose()


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0..1) of `values`, or NaN if empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Measured:
    """One database's run: the three phases and what the database holds afterwards."""

    ceiling_rps: float
    sustained: float
    load: Tally
    half: Tally
    errors: int
    rows: int

    @property
    def receipts(self) -> int:
        """Distinct receipts returned over both phases."""
        return len(self.load.receipts | self.half.receipts)


def measure(setup: str, args: argparse.Namespace, work: Path) -> Measured:
    """Ceiling, sustained load and half-rate latency, for one setup."""
    kind, limits = SETUPS[setup]
    env = {
        "SECRET_KEY": "bench-secret",
        "YITI_CONTENT_DIR": str(ROOT / "content"),
        "YITI_NOW": NOW,
        "YITI_POST_LIMIT": "1000000/minute",  # one client address: the hard limit would bite
        "YITI_MIN_FILL_SECONDS": "0",
        "YITI_INSTANCE_DIR": str(work / "instance"),
        "YITI_RATELIMIT_STORAGE_URI": limits,
    }
    log = work / "gunicorn.log"
    with gunicorn("bench.survey_load:bare_app()", args.workers, env, log) as port:
        ceiling, ceiling_wall = run_clients(args.clients, closed_loop, port, args.seconds, True)
    prefix = f"yiti-bench-{uuid.uuid4().hex[:10]}"  # this run's counters, apart from others'
    app = f"survey:create_app({{'RATELIMIT_KEY_PREFIX': '{prefix}'}})"
    with (
        database(kind, work) as url,
        redis_keys(limits, prefix),
        gunicorn(app, args.workers, env | {"DATABASE_URL": url}, log) as port,
    ):
        load, wall = run_clients(args.clients, closed_loop, port, args.seconds, False)
        rate = load.done / wall / 2 / args.clients
        half, _ = run_clients(args.clients, paced, port, args.seconds, rate)
        db = Database(url)
        rows = count_responses(db, TOPIC, WAVE)
        db.dispose()
    errors = ceiling.errors + load.errors + half.errors
    return Measured(ceiling.done / ceiling_wall, load.done / wall, load, half, errors, rows)


@contextmanager
def redis_keys(uri: str, prefix: str) -> Iterator[None]:
    """For a Redis store: check it answers, then delete this run's counters afterwards (the
    per-device ones would otherwise stay a day)."""
    if not uri.startswith("redis://"):
        yield
        return
    import redis

    client = redis.Redis.from_url(uri)
    client.ping()
    try:
        yield
    finally:
        for key in client.scan_iter(match=f"*{prefix}*", count=1000):
            client.delete(key)
        client.close()


def workers_label(args: argparse.Namespace) -> str:
    """How many gunicorn workers of which class served, as the configuration says."""
    config = runpy.run_path(str(GUNICORN_CONFIG))
    count = args.workers or config["workers"]
    return f"{count} gunicorn {config['worker_class']} workers (deploy/gunicorn.conf.py)"


def report(kind: str, args: argparse.Namespace, m: Measured) -> list[Result]:
    """Print one database's table; return its RESULT lines."""
    share, p99 = m.sustained / m.ceiling_rps, percentile(m.half.latencies_ms, 0.99)
    full = [percentile(m.load.latencies_ms, q) for q in (0.5, 0.99)]
    setup = f"{workers_label(args)}, {args.clients} client processes"
    limits = SETUPS[kind][1].split(":")[0]
    print(f"\n## {kind}  (rate limits: {limits}; {setup}, {args.seconds:g} s per phase)\n")
    print("| measure | value |\n| --- | --- |")
    print(f"| ceiling: bare Flask requests/s | {m.ceiling_rps:.0f} |")
    print(f"| sustained submissions/s (GET form + POST answers) | {m.sustained:.1f} |")
    print(f"| share of ceiling | {share:.0%} |")
    print(f"| POST latency at full load p50 / p99 (ms) | {full[0]:.1f} / {full[1]:.1f} |")
    half_p50 = percentile(m.half.latencies_ms, 0.5)
    rate = f"{m.sustained / 2:.1f}/s"
    print(
        f"| at half rate ({rate}): GET + POST from scheduled start, p50 / p99 ms | {half_p50:.1f} / {p99:.1f} |"
    )
    print(f"| errors | {m.errors} |")
    print(f"| rows stored / distinct receipts returned | {m.rows} / {m.receipts} |")
    name = f"survey_{kind}"
    exact = m.rows == m.receipts and not m.errors
    return [
        (name, "share_of_ceiling", f"{share:.3f}", f"{TARGET_SHARE:.2f}", share >= TARGET_SHARE),
        (name, "p99_ms_half_rate", f"{p99:.1f}", f"{TARGET_P99_MS:g}", p99 <= TARGET_P99_MS),
        (name, "rows_minus_receipts", str(m.rows - m.receipts), "0", exact),
    ]


def main() -> int:
    """Parse arguments, run each database, print RESULT lines; exit 1 if any target fails."""
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
    kinds = list(SETUPS) if args.database == "all" else [args.database]
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            results += report(kind, args, measure(kind, args, Path(tmp) / kind))
    print()
    for name, figure, value, target, passed in results:
        print(f"RESULT {name} {figure}={value} target={target} {'PASS' if passed else 'FAIL'}")
    return 0 if all(r[-1] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
