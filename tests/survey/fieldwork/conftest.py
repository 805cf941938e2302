"""Fieldwork fixtures: the shipped content, a cipher, a migrated database, frame files; and a
database with one fieldwork wave whose cases are made directly with the models (as the import
and the draw leave them), with interviewers, for the queue, calls and pages."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from generator.content.loader import Content, load_content
from survey.fieldwork.crypto import ENV, PhoneCipher, new_key
from survey.fieldwork.frame import read_chunks
from survey.fieldwork.importer import Counts, Target, import_frame
from survey.fieldwork.tables import Case, FieldworkWave, Quota
from survey.staff.accounts import add_user
from survey.storage.db import Database
from survey.storage.migrate import upgrade
from survey.storage.repository import create_schema
from tests.conftest import CONTENT
from tests.survey.conftest import CheckingClient, Clock, add_staff, log_in, make_app, state_of

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


# 2026-11-27 10:00 in Beijing: inside the default calling hours (09:00–21:00), in the morning.
MORNING = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
CIPHER_KEY = new_key()
CIPHER = PhoneCipher(CIPHER_KEY)


def phone_of(number: int) -> str:
    """A clearly fake mainland mobile number (the 199 0000 block is never assigned here)."""
    return f"+86199000{number:05d}"


@dataclass
class Field:
    """A database with a fieldwork wave: add cases and interviewers to it."""

    db: Database

    def wave(self, **settings: object) -> FieldworkWave:
        """The topic's fieldwork wave (opened a day before MORNING), with `settings`."""
        values = {"opened_at": MORNING - timedelta(days=1), "max_attempts": 6} | settings
        row = FieldworkWave(topic=TOPIC, wave=WAVE, **values)
        with self.db.transaction() as session:
            session.merge(row)
        return row

    def quota(self, district: str, target: int) -> None:
        """Completes wanted from `district`."""
        with self.db.transaction() as session:
            session.merge(Quota(topic=TOPIC, wave=WAVE, district=district, target=target))

    def cases(self, count: int, district: str = "海淀区", **fields: object) -> list[int]:
        """`count` released cases in `district`; their ids."""
        with self.db.transaction() as session:
            start = session.query(Case).count()
            rows = [
                Case(
                    topic=TOPIC,
                    wave=WAVE,
                    contact_id=f"c{start + n}",
                    phone_token=CIPHER.encrypt(phone_of(start + n)),
                    phone_key=CIPHER.lookup(phone_of(start + n)),
                    district=district,
                    street="万寿路街道",
                    attributes={},
                    batch="test",
                    replicate=1,
                    status="released",
                    attempts=0,
                )
                for n in range(count)
            ]
            for row, values in ((r, fields) for r in rows):
                for name, value in values.items():
                    setattr(row, name, value)
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows]

    def interviewer(self, email: str, role: str = "interviewer") -> int:
        """An interviewer account's id."""
        return add_user(self.db, email, role, PASSWORD, MORNING, "cli:test").id

    def case(self, case_id: int) -> Case:
        """The case as stored now."""
        with self.db.transaction() as session:
            found = session.get(Case, case_id)
            assert found is not None
            return found


@pytest.fixture
def field(database_url: str) -> Iterator[Field]:
    """An empty fieldwork database on each store, with the wave open and no cases."""
    db = Database(database_url)
    create_schema(db)
    made = Field(db)
    made.wave()
    yield made
    db.dispose()


@pytest.fixture
def fw_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on each database, its clock at 10:00 Beijing time, with one fieldwork wave."""
    app = make_app(
        database_url, tmp_path, Clock(MORNING), RATELIMIT_ENABLED=False, **{ENV: CIPHER_KEY}
    )
    Field(state_of(app).db).wave()
    yield app
    state_of(app).db.dispose()


def staff_client(app: Flask, email: str, role: str = "interviewer") -> CheckingClient:
    """A checking client logged in as a new account with `role`."""
    add_staff(app, email, role)
    client = CheckingClient(app.test_client())
    log_in(client, email)
    return client
