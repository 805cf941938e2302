"""What a gunicorn worker loads: the residents' pages without the analysis stack (issue 17)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from survey.lazy import lazy
from tests.conftest import CONTENT

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "numpy", "statsmodels", "scipy", "pyarrow", "pyreadstat", "xlsxwriter")
# What `gunicorn survey.ops.wsgi:app` runs in each worker, then the modules it holds.
WORKER = """
import json, sys
from survey.ops import wsgi
print(json.dumps(sorted(sys.modules)))
"""


def loaded_by_worker(tmp_path: Path) -> set[str]:
    """Every module a fresh Python holds after loading the production app."""
    env = os.environ | {
        "SECRET_KEY": "test-secret",
        "YITI_CONTENT_DIR": str(CONTENT),
        "YITI_INSTANCE_DIR": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'survey.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", WORKER], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_a_worker_loads_the_app_without_the_analysis_stack(tmp_path: Path) -> None:
    modules = loaded_by_worker(tmp_path)
    assert "survey.staff.evaluators.views" in modules  # the staff pages are registered all the same
    assert {m.split(".")[0] for m in modules} & set(HEAVY) == set()


def test_a_lazy_module_hands_out_the_real_modules_attributes() -> None:
    module = lazy("survey.analysis.columns")
    from survey.analysis import columns

    assert module.STREET_NAME is columns.STREET_NAME
    assert "survey.analysis.columns" in repr(module)
