"""Fieldwork fixtures: the shipped content, a cipher, a migrated database, frame files."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from generator.loader import Content, load_content
from survey.db import Database
from survey.fieldwork.crypto import PhoneCipher, new_key
from survey.fieldwork.frame import read_chunks
from survey.fieldwork.importer import Counts, Target, import_frame
from survey.migrate import upgrade
from tests.conftest import CONTENT

TOPIC, WAVE = "ebike-charging", "2026-end"
AT = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
HEADER = ["编号", "联系电话", "区", "街道", "来电日期"]
ROWS = [
    ["A1", "13800138000", "东城区", "景山街道", "2026-10-01"],
    ["A2", "+86 138-0013-8001", "海淀区", "110108001", "2026-10-02"],  # street by its code
    ["A3", "010-6512 3456", "朝阳区", "", "2026-10-03"],
]


@pytest.fixture(scope="session")
def content() -> Content:
    """The shipped content (its directory, topics and waves)."""
    return load_content(CONTENT)


@pytest.fixture
def cipher() -> PhoneCipher:
    """A cipher with a fresh key."""
    return PhoneCipher(new_key())


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database on SQLite and on PostgreSQL."""
    database = Database(database_url)
    upgrade(database)
    yield database
    database.dispose()


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    """A frame CSV with HEADER and `rows`."""
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def run_import(
    db: Database,
    cipher: PhoneCipher,
    content: Content,
    path: Path,
    rows: int = 2,
    **options: Any,
) -> Counts:
    """Import `path` in chunks of `rows` rows, rejects beside it."""
    target = Target(TOPIC, WAVE, options.pop("batch", "frame-test"), options.pop("sample", False))
    chunks = read_chunks(path, options.pop("mapping", None), rows=rows)
    rejects = path.with_name(f"{path.stem}-rejects.csv")
    return import_frame(db, cipher, content, target, chunks, rejects, (AT, "cli:test", {}))
