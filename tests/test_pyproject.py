"""pyproject.toml: what a non-editable install (the deployment guide's `pip install .`) carries.

Setuptools copies only Python modules and the files `package-data` names; a template or data file
it misses works in the checkout and is absent from the server.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS_FOR_DEVELOPERS = {"README.md"}  # read in the checkout, never at run time


def test_every_data_file_of_a_package_is_in_its_package_data() -> None:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data: dict[str, list[str]] = settings["tool"]["setuptools"]["package-data"]
    missing = []
    for package in ("generator", "survey"):
        folder = ROOT / package
        covered = {path for pattern in package_data[package] for path in folder.glob(pattern)}
        missing += [
            str(path.relative_to(ROOT))
            for path in sorted(folder.rglob("*"))
            if path.is_file()
            and path.suffix not in {".py", ".pyc"}
            and "__pycache__" not in path.parts
            and path.name not in DOCS_FOR_DEVELOPERS
            and path not in covered
        ]
    assert not missing, f"add these to [tool.setuptools.package-data] in pyproject.toml: {missing}"
