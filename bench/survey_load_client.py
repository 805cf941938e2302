"""The load generator of bench/survey_load.py: client processes that GET the questionnaire, read
its CSRF token and ticket, and POST valid answers, closed-loop or paced at a fixed rate.

Clients use `http.client`, one connection per request (the deployed gunicorn keeps none alive).
They run on the same cores as the server, so each phase also reports the clients' own CPU time:
a client costs about a quarter of a bare request and a seventh of a submission (see
BENCHMARKS.md), so a cheaper client would raise the ceiling more than the submissions.
"""

from __future__ import annotations

import http.client
import re
import resource
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

TOPIC, WAVE = "ebike-charging", "2026-end"
PATH = f"/{TOPIC}/{WAVE}/"
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
TOKEN = re.compile(r'name="(csrf_token|ticket)" type="hidden" value="([^"]+)"')


@dataclass
class Tally:
    """What client processes saw, and the CPU seconds they used (filled in by `run_clients`)."""

    done: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    receipts: set[str] = field(default_factory=set)
    wall_s: float = 0.0
    client_cpu_s: float = 0.0

    def merge(self, part: Tally) -> None:
        """Add another client's counts to these."""
        self.done += part.done
        self.errors += part.errors
        self.latencies_ms += part.latencies_ms
        self.receipts |= part.receipts

    @property
    def rate(self) -> float:
        """Completed units (bare requests or submissions) per second of wall time."""
        return self.done / self.wall_s if self.wall_s else 0.0


def request(
    port: int, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    """One request on its own connection, body read; the response keeps status and headers."""
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
        posted = request(port, "POST", PATH, body, headers)
        tally.latencies_ms.append((time.perf_counter() - start) * 1000)
        location = posted.getheader("Location") or ""
        if posted.status != 303 or "/thanks/" not in location:
            tally.errors += 1
            return
        tally.receipts.add(location.rstrip("/").rsplit("/", 1)[-1])
    tally.done += 1


def bare_once(port: int, tally: Tally) -> None:
    """One GET of the bare endpoint, timed."""
    start = time.perf_counter()
    ok = request(port, "GET", "/").status == 200
    tally.latencies_ms.append((time.perf_counter() - start) * 1000)
    tally.done += ok
    tally.errors += not ok


def closed_loop(port: int, seconds: float, bare: bool, seed: int) -> Tally:
    """One client: back-to-back submissions (or bare GETs) for `seconds`; every 10th
    submission is POSTed twice, as a double click."""
    tally, end, n = Tally(), time.perf_counter() + seconds, seed
    while time.perf_counter() < end:
        n += 1
        try:
            if bare:
                bare_once(port, tally)
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


def run_clients(clients: int, work: Callable[..., Tally], *args: object) -> Tally:
    """Run `clients` processes of `work`; return their merged tally, wall time and CPU time.

    The CPU time is what the client processes used (they are reaped when the pool closes, so
    they show in this process's RUSAGE_CHILDREN)."""
    merged = Tally()
    cpu_before = _children_cpu()
    start = time.perf_counter()
    with ProcessPoolExecutor(clients) as pool:
        futures = [pool.submit(work, *args, i) for i in range(clients)]
        for future in futures:
            merged.merge(future.result())
    merged.wall_s = time.perf_counter() - start
    merged.client_cpu_s = _children_cpu() - cpu_before
    return merged


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
