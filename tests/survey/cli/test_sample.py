"""Sample responses for demos: valid answers to the real questionnaire, marked, never in production."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from generator.content.loader import load_content
from survey.cli.main import survey
from survey.cli.sample import CHANNEL, sample_responses, sample_targets, store_sample
from survey.storage.db import Database
from survey.storage.repository import count_responses, responses
from survey.waves import as_utc
from tests.conftest import CONTENT
from tests.survey.conftest import NOW, TOPIC, WAVE


@pytest.fixture
def db(migrated_db: Database) -> Database:
    """A migrated, empty survey database on each store."""
    return migrated_db


def test_every_sample_answer_is_one_the_questionnaire_offers() -> None:
    content = load_content(CONTENT)
    questionnaire = content.questionnaires.for_wave(TOPIC, WAVE)
    assert questionnaire is not None
    streets = {s.code: s.district for s in content.directory.streets}
    made = list(sample_responses(content, questionnaire, 300, NOW))
    assert len(made) == 300
    for response in made:
        assert response.channel == CHANNEL and response.flags == []
        assert questionnaire.wave.split("-")[0] == str(response.submitted_at.year)
        assert response.submitted_at <= NOW
        assert streets[response.street or ""] == response.district
        for question in questionnaire.questions:
            answer = response.answers[question.id]
            if question.kind == "single":
                assert answer in question.options
            if question.kind == "multiple":
                assert set(answer) <= set(question.options)
    satisfied = sum(r.satisfaction in ("非常满意", "满意", "基本满意") for r in made) / len(made)
    assert 0.75 < satisfied < 0.98  # like published waves, not uniform noise


def test_stored_sample_answers_fall_inside_their_wave_and_before_now(db: Database) -> None:
    content = load_content(CONTENT)
    questionnaire = content.questionnaires.for_wave(TOPIC, WAVE)
    assert questionnaire is not None
    wave = next(w for w in content.site.waves if w.id == WAVE)
    store_sample(db, sample_responses(content, questionnaire, 200, NOW))
    times = [as_utc(r.submitted_at) for r in responses(db, TOPIC, WAVE)]
    assert len(times) == 200 and all(wave.opens <= t <= NOW for t in times)


def test_only_waves_that_have_opened_get_samples() -> None:
    content = load_content(CONTENT)
    opens = {wave.id: wave.opens for wave in content.site.waves}
    assert sample_targets(content, opens["2024-mid"] - timedelta(seconds=1)) == []
    between = {q.wave for q in sample_targets(content, opens[WAVE].replace(year=2025))}
    assert between == {"2024-mid", "2024-end"}
    assert {(q.topic, q.wave) for q in sample_targets(content, NOW)} >= {(TOPIC, WAVE)}


def test_a_2024_topic_gets_mid_year_and_year_end_samples_from_one_questionnaire() -> None:
    found = {
        q.wave: q.version for q in sample_targets(load_content(CONTENT), NOW) if q.topic == TOPIC
    }
    assert found["2024-mid"] == found["2024-end"]  # same questions, so the two waves compare
    assert {"2024-mid", "2024-end", WAVE} <= found.keys()


def test_the_command_fills_an_empty_database_once(db: Database) -> None:
    args = [
        "sample-data",
        "--count",
        "40",
        "--if-empty",
        "--database",
        db.url,
        "--content",
        str(CONTENT),
    ]
    first = CliRunner().invoke(survey, args)
    assert first.exit_code == 0, first.output
    stored = count_responses(db)
    assert stored == 40 * first.output.count("已写入示例答卷")
    assert {r.channel for r in responses(db, TOPIC, WAVE)} == {CHANNEL}
    again = CliRunner().invoke(survey, args)
    assert "已有答卷" in again.output and count_responses(db) == stored


def test_production_refuses_sample_data(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YITI_ENV", "production")
    result = CliRunner().invoke(
        survey, ["sample-data", "--database", db.url, "--content", str(CONTENT)]
    )
    assert result.exit_code == 1 and "YITI_ENV=production" in result.output
    assert count_responses(db) == 0
