"""The build cache: work whose inputs did not change is reused, not done again.

Each entry is a file named by a hash of its inputs and of the code version (the generator's own
source, templates and theme, and the versions of the libraries and tools that draw and build),
so a change to either is a miss, never a stale hit. The cache lives outside site/ (`yiti build
--cache`, default `.yiti-cache/`) and is safe to delete at any time: what is missing is made
again. After a successful build, entries that build did not use are removed, so the folder holds
one build's worth. Only the build's own steps read and write it: it is never served.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess  # nosec B404: runs `dot -V` only, a fixed argument list, no shell
from collections import Counter
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

GENERATOR_DIR = Path(__file__).parents[1]
# Libraries whose output ends up in the site: a new version may change a page or a drawing.
LIBRARIES = (
    "mkdocs",
    "mkdocs-material",
    "pymdown-extensions",
    "markdown",
    "jinja2",
    "jieba",
    "matplotlib",
    "pandas",
    "numpy",
    "nh3",
    "graphviz",
    "pydantic",
    "pyyaml",
)
_active: ContextVar[BuildCache | None] = ContextVar("yiti_build_cache", default=None)


@cache
def code_version() -> str:
    """A hash of everything besides the content that decides what a build writes."""
    digest = hashlib.sha256()
    for path in sorted(GENERATOR_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(GENERATOR_DIR)).encode())
            digest.update(path.read_bytes())
    for name in LIBRARIES:
        digest.update(f"{name}={_version(name)}".encode())
    digest.update(_dot_version().encode())
    return digest.hexdigest()


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


def _dot_version() -> str:
    """`dot -V` (Graphviz draws the flowcharts); empty when dot is missing (drawing then fails)."""
    try:
        done = subprocess.run(["dot", "-V"], capture_output=True, text=True, check=False)  # nosec B603 B607
    except OSError:
        return ""
    return done.stderr.strip()


class BuildCache:
    """Entries by kind ("chart", "flowchart", "csp", "site"), each a file named by its key."""

    def __init__(self, root: Path, version: str | None = None) -> None:
        self.root = root
        self.version = version if version is not None else code_version()
        self.used: set[Path] = set()
        self.hits: Counter[str] = Counter()
        self.misses: Counter[str] = Counter()

    def key(self, kind: str, *parts: str) -> str:
        """The entry name for `parts`, the inputs of one piece of work, under this code version."""
        digest = hashlib.sha256(f"{self.version}\0{kind}".encode())
        for part in parts:
            digest.update(b"\0" + part.encode("utf-8"))
        return digest.hexdigest()

    def get(self, kind: str, key: str) -> str | None:
        """The stored text, or None (counted as a miss) when there is none or it is damaged."""
        path = self._path(kind, key)
        try:
            checksum, _, text = path.read_text(encoding="utf-8").partition("\n")
        except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
            checksum, text = "", ""
        if not checksum or checksum != _checksum(text):
            # Missing, cut short or changed by hand: made again (and overwritten) by this build.
            self.misses[kind] += 1
            return None
        self.used.add(path)
        self.hits[kind] += 1
        return text

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry is stored (not whether it is intact: `get` checks that)."""
        return self._path(kind, key).is_file()

    def put(self, kind: str, key: str, text: str) -> None:
        """Store `text` after its checksum; written aside then renamed, so a reader never sees
        half an entry (and `get` refuses one damaged later)."""
        path = self._path(kind, key)
        _write(path, text)
        self.used.add(path)

    def stage(self, folder: Path, kind: str, key: str, text: str) -> None:
        """Write an entry into `folder` (a staging folder under the cache's root), where no
        build reads it until `commit_staged` moves it into place. Another process may stage
        (generator/site/pageworker.py): nothing is noted in this object."""
        _write(folder / kind / key, text)

    def commit_staged(self, folder: Path) -> None:
        """Move every entry staged in `folder` into place and remove the folder (once the build
        that made them has succeeded; a failed build removes the folder instead)."""
        if not folder.is_dir():
            return
        for kind_folder in folder.iterdir():
            target = self.root / kind_folder.name
            target.mkdir(parents=True, exist_ok=True)
            for entry in kind_folder.iterdir():
                if not entry.name.startswith("."):
                    entry.replace(target / entry.name)
                    self.used.add(target / entry.name)
        shutil.rmtree(folder, ignore_errors=True)

    def made_elsewhere(self, kind: str, key: str) -> None:
        """Note an entry another process made and stored for this build: a miss like any work
        done again, and kept by `prune`."""
        self.misses[kind] += 1
        self.used.add(self._path(kind, key))

    def prune(self, keep: str = "") -> None:
        """Remove the entries this build did not use (after a successful build only), except
        what is in the folder `keep` (the replaced sites generator/site/build.py deletes itself)."""
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if folder.name == keep or not folder.is_dir():
                continue
            for path in folder.rglob("*"):
                if path.is_file() and path not in self.used:
                    path.unlink(missing_ok=True)

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(f"{_checksum(text)}\n{text}", encoding="utf-8")
    partial.replace(path)


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def active() -> BuildCache | None:
    """The cache of the build running now, if it has one."""
    return _active.get()


@contextlib.contextmanager
def using(build_cache: BuildCache | None) -> Iterator[None]:
    """Make `build_cache` the one the render and check steps use, for the `with` block."""
    token = _active.set(build_cache)
    try:
        yield
    finally:
        _active.reset(token)
