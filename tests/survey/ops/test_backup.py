"""Backups restore every row on both engines; damaged or missing files are refused untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from survey.ops.backup import BackupError, backup, restore
from survey.storage.db import Database
from survey.storage.migrate import upgrade
from tests.survey.ops.conftest import fill, rows, wipe


def test_a_round_trip_restores_every_row_after_the_tables_are_dropped(
    store: Database, tmp_path: Path
) -> None:
    before = rows(store)
    assert len(before["responses"]) == 3 and len(before["invitations"]) == 4
    assert before["alembic_version"]
    backup(store.url, tmp_path / "survey.backup")
    wipe(store)
    assert rows(store) == {}
    restore(store.url, tmp_path / "survey.backup")
    # Read through the engine that was open all along: no worker is left on a stale copy.
    assert rows(store) == before


def test_a_sqlite_backup_restores_onto_a_new_machine(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old' / 'survey.sqlite3'}")
    upgrade(db)
    fill(db)
    before = rows(db)
    backup(db.url, tmp_path / "survey.backup")
    db.dispose()
    fresh = Database(f"sqlite:///{tmp_path / 'new' / 'instance' / 'survey.sqlite3'}")
    restore(fresh.url, tmp_path / "survey.backup")
    assert rows(fresh) == before
    fresh.dispose()


def test_changes_made_after_the_backup_are_undone(store: Database, tmp_path: Path) -> None:
    before = rows(store)
    backup(store.url, tmp_path / "survey.backup")
    fill(store, first=10, count=2)
    assert rows(store) != before
    restore(store.url, tmp_path / "survey.backup")
    assert rows(store) == before


def test_the_backup_file_is_readable_by_its_owner_only(store: Database, tmp_path: Path) -> None:
    backup(store.url, tmp_path / "survey.backup")
    assert (tmp_path / "survey.backup").stat().st_mode & 0o077 == 0


def test_a_missing_file_is_refused_by_name(store: Database, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match=r"nowhere\.backup 不存在"):
        restore(store.url, tmp_path / "nowhere.backup")


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_file_is_refused_and_the_database_keeps_its_rows(
    store: Database, tmp_path: Path, damage: str
) -> None:
    file = tmp_path / "survey.backup"
    backup(store.url, file)
    whole = file.read_bytes()
    file.write_bytes(b"not a backup" * 100 if damage == "garbage" else whole[:-64])
    fill(store, first=10, count=1)
    before = rows(store)
    with pytest.raises(BackupError, match=r"survey\.backup"):
        restore(store.url, file)
    assert rows(store) == before


def test_a_backup_of_another_database_is_refused(tmp_path: Path) -> None:
    other = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    with other.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    other.dispose()
    target = f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    with pytest.raises(BackupError, match="不是调查数据库的备份"):
        restore(target, tmp_path / "other.sqlite3")


def test_a_failed_backup_leaves_no_file(store: Database, tmp_path: Path) -> None:
    url = make_url(store.url)
    missing = url.set(database=f"{url.database}-missing" if url.database else "missing")
    file = tmp_path / "survey.backup"
    with pytest.raises(BackupError):
        backup(missing.render_as_string(hide_password=False), file)
    assert list(tmp_path.glob("*survey.backup*")) == []


def test_an_in_memory_database_cannot_be_backed_up(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="DATABASE_URL"):
        backup("sqlite://", tmp_path / "survey.backup")
