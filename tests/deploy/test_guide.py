"""The guide's own commands, run as a first-time operator would: the venv, the settings, step 4.

Stage 1 builds the venv as root and runs it as the `yiti` user, here `nobody`. A venv links to
the interpreter that made it, so one made from a Python under /root (pyenv) fails for any other
user with `.venv/bin/yiti: Permission denied`.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import subprocess
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, require
from tests.deploy.conftest import DEPLOY, SERVER_ROOT

GUIDE = DEPLOY / "README.md"
SERVICE_USER = "nobody"  # stands in for the `yiti` user the guide creates
SETTINGS = "/etc/yiti/survey.env"


def guide_text() -> str:
    """The deployment guide."""
    return GUIDE.read_text(encoding="utf-8")


def venv_command() -> list[str]:
    """Stage 1's command that makes the venv, as the operator types it."""
    found = re.findall(r"^ *(\S*python3 -m venv \.venv)\b", guide_text(), re.M)
    assert len(found) == 1, f"one venv command expected in {GUIDE.name}: {found}"
    return shlex.split(found[0])


def settings_script(folder: Path) -> str:
    """Stage 1's shell lines that write the settings file, aimed at `folder`."""
    found = re.search(rf"(cat > {SETTINGS} <<EOF\n.*?\n *EOF)\n", guide_text(), re.S)
    assert found is not None, f"no `cat > {SETTINGS} <<EOF` block in {GUIDE.name}"
    lines = [line.strip() for line in found.group(1).splitlines()]
    script = "\n".join(lines).replace(SETTINGS, str(folder / "survey.env"))
    return script.replace(SERVER_ROOT, str(folder))


@pytest.fixture
def server_root() -> Iterator[Path]:
    """A stand-in for /srv/yiti that the service user may enter (pytest's tmp_path is 0700)."""
    require(os.geteuid() == 0, "root, to run the guide's commands as another user")
    require(shutil.which("runuser") is not None, "runuser (Debian package util-linux)")
    folder = Path(tempfile.mkdtemp(prefix="yiti-guide-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def as_service_user(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`command` through sh as the service user, as the guide's `runuser -u yiti` lines do."""
    return subprocess.run(
        ["runuser", "-u", SERVICE_USER, "--", "sh", "-c", command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def install_yiti(venv: Path, folder: Path) -> None:
    """`pip install .` into `venv`, with the dependencies borrowed from this test run's venv.

    The project itself is built and installed as the guide does; its ~1 GB of dependencies
    (minutes to install) come through a .pth file from the packages this test already runs on.
    """
    source = folder / "source"
    ignore = shutil.ignore_patterns("__pycache__")
    for part in ("generator", "survey"):
        shutil.copytree(ROOT / part, source / part, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [str(venv / "bin" / "pip"), "install", "--quiet", "--no-deps", str(source)]
    subprocess.run(pip, check=True, capture_output=True)
    borrowed = sysconfig.get_paths()["purelib"]
    readable = as_service_user(f"test -r {shlex.quote(borrowed)}/click/__init__.py", folder)
    require(readable.returncode == 0, f"{borrowed} readable by {SERVICE_USER}")
    [site] = (venv / "lib").glob("python3*/site-packages")
    assert site.parent.name == f"python{sysconfig.get_python_version()}", "other Python version"
    (site / "borrowed-dependencies.pth").write_text(f"{borrowed}\n", encoding="utf-8")


def test_the_service_user_runs_yiti_from_the_venv_the_guide_builds(server_root: Path) -> None:
    subprocess.run(venv_command(), cwd=server_root, check=True, capture_output=True)
    venv = server_root / ".venv"
    install_yiti(venv, server_root)
    subprocess.run(["sh", "-c", settings_script(server_root)], check=True)
    settings = (server_root / "survey.env").read_text(encoding="utf-8")
    assert "YITI_ENV=production\n" in settings, "the settings must start production mode"
    instance = server_root / "instance"  # install -d -o yiti -g yiti -m 0700, as step 2
    instance.mkdir(mode=0o700)
    os.chown(instance, pwd.getpwnam(SERVICE_USER).pw_uid, pwd.getpwnam(SERVICE_USER).pw_gid)
    step_4 = "set -a; . ./survey.env; exec .venv/bin/yiti survey upgrade"
    run = as_service_user(step_4, server_root)
    assert run.returncode == 0, f"{run.stderr} (interpreter: {(venv / 'bin/python').resolve()})"
    assert "已创建调查数据库的全部表" in run.stdout
    assert (instance / "survey.sqlite3").stat().st_uid == pwd.getpwnam(SERVICE_USER).pw_uid
