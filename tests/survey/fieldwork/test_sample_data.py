"""make run's synthetic telephone frame: fake numbers, flagged sample, drawn and released once."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from generator.content.loader import Content
from survey.cli.main import survey
from survey.fieldwork.crypto import PhoneCipher
from survey.fieldwork.sample_data import sample_wave, store_sample_fieldwork
from survey.fieldwork.tables import Case, FieldworkWave, Quota
from survey.storage.db import Database
from tests.conftest import CONTENT
from tests.survey.fieldwork.conftest import AT, TOPIC, WAVE


def test_the_open_topic_of_the_current_wave_is_chosen(content: Content) -> None:
    assert sample_wave(content, AT) == (TOPIC, WAVE)


def test_the_sample_frame_is_stored_opened_drawn_and_released_once(
    db: Database, cipher: PhoneCipher, content: Content
) -> None:
    said = store_sample_fieldwork(db, cipher, content, AT, "cli:test")
    assert said is not None and "已发放第 1 组 200 个" in said
    with db.transaction() as session:
        cases = list(session.scalars(select(Case)))
        wave = session.get(FieldworkWave, (TOPIC, WAVE))
        assert wave is not None and (wave.calling_from, wave.calling_until) == ("00:00", "24:00")
        assert session.scalar(select(func.sum(Quota.target))) == 200
    assert len(cases) == 2000 and all(c.sample for c in cases)
    phones = {cipher.decrypt(c.phone_token or "") for c in cases}
    assert min(phones) == "+8613800000000" and max(phones) == "+8613800001999"
    statuses = [c.status for c in cases]
    assert (statuses.count("released"), statuses.count("drawn")) == (200, 400)
    assert store_sample_fieldwork(db, cipher, content, AT, "cli:test") is None
    with db.transaction() as session:
        assert session.scalar(select(func.count(Case.id))) == 2000


def test_production_refuses_the_sample_frame(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YITI_ENV", "production")
    result = CliRunner().invoke(
        survey, ["sample-data", "--database", db.url, "--content", str(CONTENT)]
    )
    assert result.exit_code == 1 and "YITI_ENV=production" in result.output
    with db.transaction() as session:
        assert session.scalar(select(func.count(Case.id))) == 0
