"""Deployment fixtures: the deploy/ folder and a free port."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
# The checkout's place on a server, as the shipped files name it.
SERVER_ROOT = "/srv/yiti"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def localised(path: Path, replacements: dict[str, str]) -> str:
    """The text of a shipped file with server paths replaced by ones on this machine."""
    text = path.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, f"{path.name} no longer mentions {old}"
        text = text.replace(old, new)
    return text
