"""What `yiti build` imports: each heavy library it does not use costs every build its import
time (openpyxl 0.2 s, Flask and SQLAlchemy more), so the build's modules must not pull them in."""

from __future__ import annotations

import subprocess
import sys

NOT_FOR_BUILDING = ("openpyxl", "flask", "sqlalchemy", "statsmodels", "survey")


def test_the_build_command_does_not_import_libraries_it_does_not_use() -> None:
    probe = (
        "import sys, generator.cli, generator.site.cli, generator.site.build; "
        f"print(' '.join(m for m in {NOT_FOR_BUILDING!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
