"""The server side of bench/survey_load.py: gunicorn as deployed on 127.0.0.1, a fresh database,
Redis counters cleaned up afterwards, the CPU time the server processes used, the workers'
resident memory, and what loading the app costs a worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.survey_floor import create_table
from bench.survey_load_client import request
from survey.storage.db import Database
from survey.storage.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
POSTGRES = os.environ.get(
    "YITI_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
START_TIMEOUT_S = 180  # five workers importing the app on a busy machine
# What a gunicorn worker does after the fork: load the app. Prints CPU seconds and the peak
# RSS in MB (VmHWM: getrusage's maxrss would include the benchmark's own, from before exec).
LOAD_APP = """
import re, sys, time
from gunicorn.util import import_app
start = time.process_time()
import_app(sys.argv[1])
status = open("/proc/self/status").read()
print(time.process_time() - start, int(re.search(r"VmHWM:\\s+(\\d+)", status)[1]) / 1024)
"""


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """A running gunicorn: its port and master process."""

    def __init__(self, port: int, process: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.process = process

    def cpu_seconds(self) -> float:
        """User and system CPU seconds used so far by the master and its workers (Linux /proc)."""
        total = 0.0
        for fields in self._stats(with_master=True).values():
            # after the command: state, ppid, … utime and stime are the 12th and 13th
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def worker_rss_mb(self) -> list[float]:
        """Each worker's resident set now, in MB."""
        pages = [int(fields[21]) for fields in self._stats(with_master=False).values()]
        return [p * os.sysconf("SC_PAGE_SIZE") / 2**20 for p in pages]

    def _stats(self, with_master: bool) -> dict[int, list[str]]:
        """/proc/<pid>/stat fields after the command, of the workers (and the master)."""
        master, found = self.process.pid, {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended while we looked
                continue
            pid = int(entry.name)
            if int(fields[1]) == master or (with_master and pid == master):
                found[pid] = fields
        return found


def load_cost(app: str, env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds and peak RSS (MB) of loading `app` as a gunicorn worker does, in a fresh
    Python that has imported gunicorn only (the master's state at fork, roughly)."""
    command = [sys.executable, "-c", LOAD_APP, app]
    done = subprocess.run(
        command, env=os.environ | env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    cpu, rss = done.stdout.split()[-2:]
    return float(cpu), float(rss)


@contextmanager
def gunicorn(app: str, workers: int | None, env: dict[str, str], log: Path) -> Iterator[Gunicorn]:
    """gunicorn with the deployed configuration serving `app` on 127.0.0.1 only, once it
    answers. Its logs (the access log included, as deployed) go to `log`."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", app, "--config", str(GUNICORN_CONFIG)]
    command += ["--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT)]
    # No worker recycling within a phase: a recycled worker re-imports the app (seconds of CPU
    # on a busy machine), which would depress whichever phase happened to cross the count.
    command += ["--max-requests", "0"]
    command += ["--workers", str(workers)] if workers else []
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as sink:
        process = subprocess.Popen(command, env=os.environ | env, stdout=sink, stderr=sink)
    try:
        _wait_until_up(port, process, log, " ".join(command))
        yield Gunicorn(port, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path, command: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            request(port, "GET", "/")
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"gunicorn did not start: {command}\n{tail}") from None
            time.sleep(0.2)


@contextmanager
def database(kind: str, work: Path) -> Iterator[str]:
    """A fresh, migrated database (with the floor's table): a SQLite file, or a private schema
    in PostgreSQL."""
    if kind == "sqlite":
        url = f"sqlite:///{work / 'bench.sqlite3'}"
        _migrate(url)
        create_table(url)
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
        create_table(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _migrate(url: str) -> None:
    db = Database(url)
    upgrade(db)
    db.dispose()


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
