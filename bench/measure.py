"""Wall time, CPU time and peak RSS of a command, measured from a small fresh process.

A child forked straight from a benchmark that has itself grown to hundreds of MB reports at
least that much as its own peak RSS: Linux keeps the pre-`exec` high-water mark in the child's
`maxrss`. So the command is started from this freshly exec'd wrapper, whose own memory is small,
and the wrapper reports its child's figures (`RUSAGE_CHILDREN`: the command and everything it
waited for, e.g. `dot`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write(done.stderr.decode(errors="replace")[-3000:])
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_kb": usage.ru_maxrss, "code": done.returncode}))
"""


def run_process(
    command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """Run `command` to the end: wall seconds, CPU seconds (user + system) and peak RSS in MB.

    Raises RuntimeError with the command's last output when it fails."""
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout.splitlines()[-1])
    if figures["code"]:
        raise RuntimeError(f"{' '.join(command[:4])} … failed:\n{done.stderr}")
    return figures["wall"], figures["cpu"], figures["peak_kb"] / 1024
