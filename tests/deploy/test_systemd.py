"""The systemd units verify cleanly and the service keeps its hardening."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, require
from tests.deploy.conftest import DEPLOY, SERVER_ROOT, localised

UNITS = [
    "yiti-survey.service",
    "yiti-worker.service",
    "yiti-backup.service",
    "yiti-backup.timer",
]


def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    require(shutil.which("systemd-analyze") is not None, "systemd-analyze (Debian package systemd)")
    for name in UNITS:  # together, so the timer finds its service
        text = localised(
            DEPLOY / name, {SERVER_ROOT: str(ROOT)} if name.endswith("service") else {}
        )
        (tmp_path / name).write_text(text, encoding="utf-8")
    run = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    # Unknown keys are only warnings ("Unknown key …, ignoring"): any output is a defect.
    assert run.stderr.strip() == "", run.stderr


@pytest.mark.parametrize(
    "setting",
    [
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "CapabilityBoundingSet=",
        f"ReadWritePaths={SERVER_ROOT}/instance",
        "SystemCallFilter=@system-service",
        "User=yiti",
    ],
)
@pytest.mark.parametrize("unit", ["yiti-survey.service", "yiti-worker.service"])
def test_the_unit_is_hardened(setting: str, unit: str) -> None:
    assert setting in (DEPLOY / unit).read_text(encoding="utf-8").splitlines()
