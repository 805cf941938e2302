"""Simulated interviewers asking for cases at once: is any case ever held twice, and how fast is
"next case"? The concurrency phase of bench/fieldwork.py (issue 16).

`simulate(database_url, topic, wave, interviewers=50, seconds=60)` runs one thread per
interviewer sharing one engine with a connection each (as one threaded app server would), in a
loop (after a random start within one call's time, as people do not all click in the same
millisecond): ask for the next case (timed), wait about `think_ms` (the call; see THINK_MS),
record an outcome drawn from a fixed mix
of AAPOR codes. The database must hold the topic's fieldwork wave with released cases (fwcore's
import, draw and release, or `seed` here). The clock is virtual: it starts at 10:00 Beijing time
on the first day of fieldwork and runs with real time, so the run never depends on the hour.

Held twice is counted two ways: while a thread holds a case, it is in a shared map, and a
second thread given it is a double; afterwards, two calls on one case by different
interviewers whose times overlap are doubles too. Both must be 0.

`run(base, interviewers, seconds)` seeds a private schema under the PostgreSQL URL `base`
(`seed`: released cases over 16 districts, fake phones), simulates and drops the schema;
bench/fieldwork.py prints its RESULT lines (`result_lines`).
"""

from __future__ import annotations

import itertools
import random
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bench.pg import private_schema  # noqa: E402
from survey.fieldwork.calls import Outcome, OutcomeError, record_outcome  # noqa: E402
from survey.fieldwork.crypto import PhoneCipher, new_key  # noqa: E402
from survey.fieldwork.hours import BEIJING, local  # noqa: E402
from survey.fieldwork.tables import Call, Case, FieldworkWave  # noqa: E402
from survey.storage.db import Database  # noqa: E402
from survey.storage.models import User  # noqa: E402
from survey.storage.repository import create_schema  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
P99_TARGET_MS = 50.0
# Mean seconds a simulated call takes, in ms. A real call with its outcome takes one to ten
# minutes; one second keeps 50 interviewers asking 50 times a second, some 100 times a real
# call centre's rate, without making this process's own CPU (the GIL, two shared cores) the
# thing measured.
THINK_MS = 1000.0
# Outcomes drawn per call: mostly no contact, as in real list-sample fieldwork.
MIX = (("3.13", 40), ("3.12", 10), ("3.14", 10), ("2.11", 15), ("4.30", 10), ("1.1", 15))


@dataclass
class Figures:
    """What the run measured."""

    interviewers: int
    seconds: float
    asks: int = 0
    calls: int = 0
    empty: int = 0  # asks answered "no case now"
    held_twice: int = 0  # seen while running
    overlapping_calls: int = 0  # found in the calls table afterwards
    latencies_ms: list[float] = field(default_factory=list)

    def percentile(self, share: float) -> float:
        """A latency percentile of next case, in ms (nearest rank)."""
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


class Holding:
    """Which simulated interviewer holds each case now; a second holder is a double."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_case: dict[int, int] = {}
        self.doubles = 0

    def take(self, case_id: int, who: int) -> None:
        with self._lock:
            if self._by_case.get(case_id, who) != who:
                self.doubles += 1
            self._by_case[case_id] = who

    def drop(self, case_id: int) -> None:
        with self._lock:
            self._by_case.pop(case_id, None)


def start_of_fieldwork(database_url: str, topic: str, wave: str) -> datetime:
    """10:00 Beijing time on the first day the wave's fieldwork is open (the virtual clock)."""
    db = Database(database_url)
    with db.transaction() as session:
        settings = session.get(FieldworkWave, (topic, wave))
    db.dispose()
    if settings is None:
        raise SystemExit(f"{topic}/{wave}: no fieldwork wave in the database")
    day = local(settings.opened_at).date()
    start = datetime.combine(day, datetime.min.time().replace(hour=10), BEIJING)
    return start if start >= local(settings.opened_at) else start + timedelta(days=1)


def make_interviewers(database_url: str, count: int) -> list[int]:
    """`count` interviewer accounts that cannot log in (no usable password, inactive)."""
    db = Database(database_url)
    run = uuid.uuid4().hex[:8]
    rows = [
        {
            "email": f"bench-{run}-{n}@example.invalid",
            "role": "interviewer",
            "topics": [],
            "password_hash": "!",
            "session_token": uuid.uuid4().hex,
            "active": False,
            "created_at": datetime.now(UTC),
        }
        for n in range(count)
    ]
    with db.transaction() as session:
        session.execute(insert(User), rows)
        ids = session.scalars(select(User.id).where(User.email.like(f"bench-{run}-%")))
        out = list(ids)
    db.dispose()
    return out


def simulate(
    database_url: str,
    topic: str,
    wave: str,
    interviewers: int = 50,
    seconds: float = 60,
    think_ms: float = THINK_MS,
) -> Figures:
    """Run the simulated interviewers; see the module docstring."""
    from survey.fieldwork.queue import next_case

    people = make_interviewers(database_url, interviewers)
    virtual_start, real_start = start_of_fieldwork(database_url, topic, wave), time.monotonic()

    def clock() -> datetime:
        return virtual_start + timedelta(seconds=time.monotonic() - real_start)

    figures, holding, lock = Figures(interviewers, seconds), Holding(), threading.Lock()
    codes = [code for code, weight in MIX for _ in range(weight)]
    barrier = threading.Barrier(interviewers)
    db = Database(database_url, pool_size=interviewers)

    def work(who: int) -> None:
        rng = random.Random(who)
        with db.transaction() as session:  # connect before the clock starts, as a warm worker
            session.execute(select(FieldworkWave.topic).limit(1))
        barrier.wait()
        stop = time.monotonic() + seconds
        time.sleep(rng.uniform(0, think_ms / 1000))  # people do not all click in the same ms
        mine: list[float] = []
        asks = calls = empty = 0
        while time.monotonic() < stop:
            began = time.perf_counter()
            taken = next_case(db, topic, wave, who, f"bench:{who}", clock())
            mine.append((time.perf_counter() - began) * 1000)
            asks += 1
            if taken.case_id is None:
                empty += 1
                time.sleep(think_ms / 1000)
                continue
            holding.take(taken.case_id, who)
            time.sleep(rng.uniform(0.5, 1.5) * think_ms / 1000)
            calls += _report(db, taken.case_id, who, rng.choice(codes), clock)
            holding.drop(taken.case_id)
        with lock:
            figures.latencies_ms += mine
            figures.asks, figures.calls, figures.empty = (
                figures.asks + asks,
                figures.calls + calls,
                figures.empty + empty,
            )

    threads = [threading.Thread(target=work, args=(who,)) for who in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.dispose()
    figures.held_twice = holding.doubles
    figures.overlapping_calls = overlapping_calls(database_url, topic, wave)
    return figures


def _report(db: Database, case_id: int, who: int, code: str, clock: Callable[[], datetime]) -> int:
    """Record one outcome; 1 if it was recorded (a case lost to a stale hold is not)."""
    try:
        record_outcome(db, case_id, who, f"bench:{who}", Outcome(code), clock())
    except OutcomeError:
        return 0
    return 1


def overlapping_calls(database_url: str, topic: str, wave: str) -> int:
    """Pairs of calls on one case by different interviewers whose times overlap."""
    db = Database(database_url)
    with db.transaction() as session:
        rows = session.execute(
            select(Call.case_id, Call.interviewer_id, Call.started_at, Call.ended_at)
            .join(Case, Case.id == Call.case_id)
            .where(Case.topic == topic, Case.wave == wave)
            .order_by(Call.case_id, Call.started_at)
        ).all()
    db.dispose()
    out = 0
    for before, after in itertools.pairwise(rows):
        same_case = before.case_id == after.case_id
        if same_case and before.interviewer_id != after.interviewer_id:
            out += after.started_at < before.ended_at
    return out


def seed(database_url: str, topic: str, wave: str, cases: int) -> None:
    """A fieldwork wave with `cases` released cases over the 16 districts (fake phones)."""
    cipher = PhoneCipher(new_key())
    opened = datetime(2026, 11, 15, 1, 0, tzinfo=UTC)
    districts = [f"区{n:02d}" for n in range(16)]
    rows: list[dict[str, object]] = [
        {
            "topic": topic,
            "wave": wave,
            "contact_id": f"b{n}",
            "phone_token": cipher.encrypt(f"+86199{n:08d}"),
            "phone_key": cipher.lookup(f"+86199{n:08d}"),
            "district": districts[n % 16],
            "street": None,
            "attributes": {},
            "sample": True,
            "batch": "bench",
            "replicate": 1,
            "status": "released",
            "attempts": 0,
        }
        for n in range(cases)
    ]
    db = Database(database_url)
    create_schema(db)
    with db.transaction() as session:
        session.add(FieldworkWave(topic=topic, wave=wave, opened_at=opened, max_attempts=6))
        session.execute(insert(Case), rows)
    db.dispose()


def result_lines(figures: Figures) -> list[str]:
    """The RESULT lines BENCHMARKS.md records."""
    p50, p99 = figures.percentile(0.50), figures.percentile(0.99)
    twice = figures.held_twice + figures.overlapping_calls
    verdict = "PASS" if p99 <= P99_TARGET_MS else "FAIL"
    return [
        f"RESULT fieldwork_held_twice cases={twice} target=0 {'PASS' if twice == 0 else 'FAIL'}",
        f"RESULT fieldwork_next_case p50_ms={p50:.1f} p99_ms={p99:.1f} "
        f"target_p99_ms={P99_TARGET_MS:.0f} {verdict}",
        f"RESULT fieldwork_calls interviewers={figures.interviewers} seconds={figures.seconds:.0f} "
        f"asks={figures.asks} calls={figures.calls} empty={figures.empty}",
    ]


def run(base: str, interviewers: int, seconds: float, think_ms: float = THINK_MS) -> Figures:
    """Seed a private PostgreSQL schema under `base`, simulate, drop the schema."""
    with private_schema(base) as url:
        cases = int(interviewers * seconds / (think_ms / 1000) * 1.5) + 100  # ample
        seed(url, "bench-topic", "2026-end", cases)
        return simulate(url, "bench-topic", "2026-end", interviewers, seconds, think_ms)
