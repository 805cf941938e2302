"""A tiny WSGI app that keeps a request busy for a while, standing in for a large download.

`/survey/build?seconds=N` computes in pure Python for N seconds, then answers (like an XLSX built
in a temporary file before a byte is sent); `/survey/stream?seconds=N` sends one line per second
of work (like a streamed CSV). Anything else answers at once, so the server can be polled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs

StartResponse = Callable[[str, list[tuple[str, str]]], object]


def busy(seconds: float) -> int:
    """Hold the interpreter (and, between switches, the GIL) for `seconds`, as Python work does."""
    deadline, spins = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        spins += sum(range(1000)) > 0
    return spins


def _stream(seconds: int) -> Iterator[bytes]:
    for second in range(seconds):
        busy(1)
        yield f"{second + 1}\n".encode()


def app(environ: dict[str, object], start_response: StartResponse) -> Iterator[bytes]:
    """The routes above; text/plain bodies."""
    path = str(environ.get("PATH_INFO", ""))
    seconds = int(parse_qs(str(environ.get("QUERY_STRING", ""))).get("seconds", ["0"])[0])
    start_response("200 OK", [("Content-Type", "text/plain")])
    if path == "/survey/build":
        busy(seconds)
        return iter([f"built after {seconds} s\n".encode()])
    if path == "/survey/stream":
        return _stream(seconds)
    return iter([b"ok\n"])
