"""ProperDocs and Zensical, the candidates to replace MkDocs, each run as its own process.

Both read the same `mkdocs.yml`. They run in a child process because neither can share ours
with MkDocs: importing ProperDocs redirects every `mkdocs.*` import to itself, and Zensical is a
Rust program that calls back into its own Python modules. A child process also makes the
comparison with MkDocs fair (each pays its own start-up). Both are optional dependencies
(`pip install yiti[engines]`); asking for one that is not installed is a clear error.
Findings and the recommendation: BENCHMARKS.md, "Site engines".
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess  # nosec B404: runs the engine's own module with our interpreter, no shell
import sys
from pathlib import Path
from typing import Final

from generator.errors import YitiError

ENGINES: Final = ("mkdocs", "properdocs", "zensical")
DEFAULT: Final = "mkdocs"
# The engine's command line, after `python -m <module>`; the config's directory is the cwd.
_ARGS: Final = {
    "properdocs": ("properdocs", "build", "--strict"),  # not --quiet: it hides the warnings
    "zensical": ("zensical", "build", "--strict"),
}


class EngineMissingError(YitiError):
    """An engine was chosen that is not installed."""


def run_external(name: str, config_file: Path) -> list[str]:
    """Build with engine `name` as a child process; returns its complaints (empty: success).

    The engine writes the site to the config's `site_dir`. Both check links and anchors under
    `--strict`; Zensical's warnings give the line but not the file.
    """
    module = _ARGS[name][0]
    if importlib.util.find_spec(module) is None:
        raise EngineMissingError(
            f"站点引擎 {name} 没有安装：pip install 'yiti[engines]'，或改用默认引擎 {DEFAULT}"
        )
    command = [sys.executable, "-m", *_ARGS[name], "-f", config_file.name]
    environment = {**os.environ, "NO_COLOR": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    done = subprocess.run(  # nosec B603: fixed arguments, no shell
        command,
        cwd=config_file.parent,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return []
    return _complaints(done.stdout + done.stderr)


_ANSI: Final = re.compile(r"\x1b\[[0-9;]*m")
# Progress lines, jieba's start-up and traceback frames: not what went wrong.
_NOISE: Final = ("  ", "INFO", "Building prefix", "Loading model", "Prefix dict", "Dumping model")


def _complaints(output: str) -> list[str]:
    """What an engine printed, without colour codes or Python tracebacks (the last 40 lines)."""
    lines = [_ANSI.sub("", line).rstrip() for line in output.splitlines()]
    return [line for line in lines if line.strip() and not line.startswith(_NOISE)][-40:]
