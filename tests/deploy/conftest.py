"""Deployment fixtures: the deploy/ folder, free ports, gunicorn as shipped, nginx's scaffolding."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from survey.storage.db import Database
from survey.storage.migrate import upgrade
from tests.conftest import CONTENT, ROOT

DEPLOY = ROOT / "deploy"
GUNICORN_CONFIG = DEPLOY / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).with_name("gunicorn")
# The checkout's place on a server, as the shipped files name it.
SERVER_ROOT = "/srv/yiti"
# Inside the shipped 2026-end wave, as tests/survey/conftest.py's NOW (Beijing time).
NOW = "2026-11-27T12:00:00+08:00"
STARTUP_SECONDS = 120  # generous: a 2-core machine under load 15 took over 60; healthy: seconds


@dataclass(frozen=True)
class Server:
    """A server process started for a test: where it answers and where it logs."""

    base: str
    log: Path
    verify: str | bool = True  # for requests: True, or the certificate to trust


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


@pytest.fixture(scope="session")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn with the shipped configuration and two workers on a fresh SQLite database.

    One for the whole run: starting workers that load the content takes seconds.
    """
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    environment = survey_environment(tmp_path, YITI_PROXY_COUNT="1")
    port = free_port()
    command = [str(GUNICORN), "--config", str(GUNICORN_CONFIG), "--bind", f"127.0.0.1:{port}"]
    server = Server(f"http://127.0.0.1:{port}", tmp_path / "gunicorn.log")
    yield from running([*command, "--workers", "2"], server, environment)


def survey_environment(folder: Path, **extra: str) -> dict[str, str]:
    """The environment for the survey app under gunicorn: a fresh, migrated SQLite database in
    `folder`, the shipped content and a fixed clock; `extra` settings on top."""
    database = f"sqlite:///{folder / 'survey.sqlite3'}"
    db = Database(database)
    upgrade(db)
    db.dispose()
    return os.environ | {
        "DATABASE_URL": database,
        "SECRET_KEY": "test-secret",
        "YITI_CONTENT_DIR": str(CONTENT),
        "YITI_INSTANCE_DIR": str(folder / "instance"),
        "YITI_NOW": NOW,
        **extra,
    }


def running(command: list[str], server: Server, environment: dict[str, str]) -> Iterator[Server]:
    """Start `command`, wait until `server` answers, stop it with SIGTERM afterwards."""
    with server.log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=output)
    try:
        wait_until_serving(server, process)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=STARTUP_SECONDS)


def wait_until_serving(server: Server, process: subprocess.Popen[bytes]) -> None:
    """Poll until the server answers; fail with its log if it exits or never answers."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, server.log.read_text()
        try:
            requests.get(f"{server.base}/survey/", timeout=5, verify=server.verify)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening, or still loading
            time.sleep(0.1)
    pytest.fail(f"{server.base} did not answer:\n{server.log.read_text()}")


def self_signed(folder: Path) -> Path:
    """A throwaway certificate for 127.0.0.1 and its key, standing in for Let's Encrypt's."""
    key, certificate = folder / "privkey.pem", folder / "fullchain.pem"
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    names = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    files = ["-keyout", str(key), "-out", str(certificate)]
    command = ["openssl", "req", "-x509", *curve, "-days", "1", *names, *files]
    subprocess.run(command, check=True, capture_output=True)
    return certificate


def nginx_main_config(folder: Path, site: Path, user: str = "") -> Path:
    """A minimal nginx.conf that includes `site` the way Debian's sites-enabled does."""
    config = folder / "nginx.conf"
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    config.write_text(
        f"""
{user}
pid {folder / "nginx.pid"};
error_log {folder / "error.log"};
events {{}}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {site};
}}
""",
        encoding="utf-8",
    )
    return config
