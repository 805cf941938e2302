"""Questionnaires as content: composition, and the freeze that pins a version."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from generator.content.loader import load_content
from generator.content.models.site import SATISFACTION_SCALE
from generator.content.questionnaires import FROZEN_FILE, freeze, read_lock
from tests.conftest import CONTENT
from tests.generator.conftest import edit, messages

STANDARD = Path("questionnaires/standard.yml")
EBIKE = Path("questionnaires/topics/ebike-charging.yml")
LOCK = Path("questionnaires") / FROZEN_FILE


def test_a_topic_wave_gets_standard_questions_with_its_extras_before_the_comment() -> None:
    questionnaire = load_content(CONTENT).questionnaires.for_wave("ebike-charging", "2026-end")
    assert questionnaire is not None
    ids = [q.id for q in questionnaire.questions]
    assert ids[-2:] == ["charging_distance", "comment"]
    assert {"awareness", "change", "solved", "satisfaction", "went_well", "went_badly"} <= set(ids)
    assert {"district", "street", "hotline"} <= set(ids)
    assert questionnaire.version == "standard@1+ebike-charging@1"
    assert questionnaire.access == "open"
    satisfaction = questionnaire.question("satisfaction")
    assert satisfaction is not None and tuple(satisfaction.options) == SATISFACTION_SCALE


def test_a_topic_without_extras_gets_the_standard_questionnaire_alone(content_dir: Path) -> None:
    (content_dir / EBIKE).unlink()
    lock = (content_dir / LOCK).read_text(encoding="utf-8")
    (content_dir / LOCK).write_text(
        "\n".join(line for line in lock.splitlines() if "ebike" not in line), encoding="utf-8"
    )
    questionnaire = load_content(content_dir).questionnaires.for_wave("ebike-charging", "2026-end")
    assert questionnaire is not None and questionnaire.version == "standard@1"


def test_a_wave_without_questionnaire_has_none() -> None:
    assert load_content(CONTENT).questionnaires.for_wave("ebike-charging", "2023-end") is None


def test_freeze_records_opened_versions_and_never_overwrites(content_dir: Path) -> None:
    before = read_lock(content_dir / LOCK)
    (content_dir / LOCK).unlink()
    assert freeze(content_dir, datetime(2026, 11, 27, tzinfo=UTC)) == [
        "civil-dog-keeping@1",
        "ebike-charging@1",
        "standard@1",
        "standard@2",
    ]
    assert read_lock(content_dir / LOCK) == before
    edit(
        content_dir / STANDARD,
        "waves: [2026-end]\n    questions:\n      - id: awareness",
        "waves: [2026-end]\n    questions:\n      - id: aware",
    )
    assert freeze(content_dir, datetime(2026, 11, 27, tzinfo=UTC)) == []
    assert read_lock(content_dir / LOCK) == before


def test_nothing_is_frozen_before_its_wave_opens(content_dir: Path) -> None:
    (content_dir / LOCK).unlink()
    assert freeze(content_dir, datetime(2024, 6, 1, tzinfo=UTC)) == []


def test_a_choice_question_needs_options_and_unknown_keys_are_errors(content_dir: Path) -> None:
    edit(
        content_dir / EBIKE,
        "options: [小区内, 步行 5 分钟以内, 步行 5 分钟以上, 不知道]",
        "option: [a]",
    )
    found = messages(content_dir)
    assert any("questions[0].option: 不认识的字段" in m for m in found)


def test_the_phone_script_and_consent_reach_every_topics_questionnaire() -> None:
    content = load_content(CONTENT)
    questionnaire = content.questionnaires.for_wave("ebike-charging", "2026-end")
    assert questionnaire is not None and questionnaire.phone is not None
    assert "{topic}" in questionnaire.phone.script
    assert questionnaire.phone.consent.endswith("？")


def test_a_phone_section_without_its_consent_question_is_named(content_dir: Path) -> None:
    edit(
        content_dir / "questionnaires" / "standard.yml",
        "  consent: 请问您现在方便接受访问吗？\n",
        "",
    )
    assert any("standard.yml" in m and "phone.consent" in m for m in messages(content_dir))
