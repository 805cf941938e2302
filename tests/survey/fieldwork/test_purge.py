"""`yiti survey purge` blanks the phones of closed fieldwork, keeps the cases, skips open ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from generator.content.loader import Content
from survey.cli.main import survey
from survey.fieldwork.crypto import PhoneCipher
from survey.fieldwork.settings import FieldworkError, close_fieldwork, open_fieldwork
from survey.fieldwork.tables import Case, FieldworkWave
from survey.storage.audit import entries
from survey.storage.db import Database
from tests.conftest import CONTENT
from tests.survey.fieldwork.conftest import AT, ROWS, TOPIC, WAVE, run_import, write_csv

OTHER = "civil-dog-keeping"


def purge(db: Database, *args: str) -> Result:
    command = ["purge", *args, "--database", db.url, "--content", str(CONTENT)]
    return CliRunner().invoke(survey, command)


@pytest.fixture
def frames(db: Database, cipher: PhoneCipher, content: Content, tmp_path: Path) -> Database:
    """Two topics' frames in 2026-end: TOPIC's fieldwork closed, OTHER's still open."""
    run_import(db, cipher, content, write_csv(tmp_path / "f.csv", ROWS))
    with db.transaction() as session:
        for case in session.scalars(select(Case)):
            session.add(Case(**{**_columns(case), "id": None, "topic": OTHER}))
    for topic in (TOPIC, OTHER):
        open_fieldwork(db, topic, WAVE, "09:00-21:00", 6, AT, "cli:test")
    with db.transaction() as session:
        first = session.scalars(select(Case).where(Case.topic == TOPIC)).first()
        assert first is not None
        first.last_code = first.final_code = "2.11"  # a disposition, which must stay
    close_fieldwork(db, TOPIC, WAVE, AT, "cli:test")
    return db


def _columns(case: Case) -> dict[str, object]:
    return {c.key: getattr(case, c.key) for c in Case.__table__.columns}


def phones(db: Database, topic: str) -> list[tuple[str | None, str | None]]:
    with db.transaction() as session:
        rows = session.scalars(select(Case).where(Case.topic == topic).order_by(Case.id))
        return [(c.phone_token, c.phone_key) for c in rows]


def test_dry_run_names_the_phones_due_and_the_open_wave_and_changes_nothing(
    frames: Database,
) -> None:
    result = purge(frames, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"{TOPIC} {WAVE}" in result.output and "号码 3 个" in result.output
    assert f"注意：{OTHER} {WAVE} 的电话调查仍在进行，号码不删除" in result.output
    assert all(token and key for token, key in phones(frames, TOPIC))


def test_purge_blanks_closed_waves_phones_keeps_the_cases_and_is_audited(
    frames: Database,
) -> None:
    result = purge(frames, "--yes")
    assert result.exit_code == 0, result.output
    assert "已删除电话调查号码 3 个" in result.output
    assert phones(frames, TOPIC) == [(None, None)] * 3
    assert all(token and key for token, key in phones(frames, OTHER))  # still open: kept
    with frames.transaction() as session:
        kept = list(session.scalars(select(Case).where(Case.topic == TOPIC).order_by(Case.id)))
        wave = session.get(FieldworkWave, (TOPIC, WAVE))
        assert wave is not None and wave.purged_at is not None
        other = session.get(FieldworkWave, (OTHER, WAVE))
        assert other is not None and other.purged_at is None
    assert [c.contact_id for c in kept] == ["A1", "A2", "A3"]
    assert kept[0].final_code == "2.11" and kept[0].district == "东城区"
    entry = entries(frames, limit=1)[0]
    assert (entry.action, entry.target, entry.detail["phones"]) == (
        "fieldwork.purge",
        f"{TOPIC}/{WAVE}",
        3,
    )
    again = purge(frames, "--yes")
    assert "已删除电话调查号码" not in again.output  # purged once, not again


def test_a_purged_wave_cannot_be_reopened(frames: Database) -> None:
    purge(frames, "--yes")
    with pytest.raises(FieldworkError, match="号码已删除"):
        open_fieldwork(frames, TOPIC, WAVE, "09:00-21:00", 6, AT, "cli:test")
