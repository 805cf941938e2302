"""Questionnaires as content: composition, checks, and the freeze that pins a version."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from generator.loader import load_content
from generator.models.site import SATISFACTION_SCALE
from generator.questionnaires import FROZEN_FILE, freeze, read_lock
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
    assert load_content(CONTENT).questionnaires.for_wave("ebike-charging", "2024-end") is None


def test_changing_a_frozen_version_is_refused(content_dir: Path) -> None:
    edit(content_dir / STANDARD, "label: 您是否知道本议题的治理措施？", "label: 您知道吗？")
    assert any(
        "standard@1: standard@1 已冻结（调查批次已开始），不能再修改" in m and "standard@2" in m
        for m in messages(content_dir)
    )


def test_comments_and_layout_may_change_in_a_frozen_version(content_dir: Path) -> None:
    text = (content_dir / STANDARD).read_text(encoding="utf-8")
    (content_dir / STANDARD).write_text("# 注释\n" + text, encoding="utf-8")
    load_content(content_dir)


def test_an_opened_version_that_was_never_frozen_is_reported(content_dir: Path) -> None:
    (content_dir / LOCK).unlink()
    assert any("请运行 yiti survey freeze" in m for m in messages(content_dir))


def test_freeze_records_opened_versions_and_never_overwrites(content_dir: Path) -> None:
    before = read_lock(content_dir / LOCK)
    (content_dir / LOCK).unlink()
    assert freeze(content_dir, datetime(2026, 11, 27, tzinfo=UTC)) == [
        "civil-dog-keeping@1",
        "ebike-charging@1",
        "standard@1",
    ]
    assert read_lock(content_dir / LOCK) == before
    edit(content_dir / STANDARD, "label: 您是否知道本议题的治理措施？", "label: 您知道吗？")
    assert freeze(content_dir, datetime(2026, 11, 27, tzinfo=UTC)) == []
    assert read_lock(content_dir / LOCK) == before


def test_nothing_is_frozen_before_its_wave_opens(content_dir: Path) -> None:
    (content_dir / LOCK).unlink()
    assert freeze(content_dir, datetime(2026, 11, 1, tzinfo=UTC)) == []


def test_the_standard_instrument_must_ask_satisfaction_on_the_five_level_scale(
    content_dir: Path,
) -> None:
    edit(
        content_dir / STANDARD,
        "options: [非常满意, 满意, 基本满意, 不满意, 非常不满意, 说不清]",
        "options: [满意, 不满意]",
    )
    assert any("satisfaction 的选项必须依次为" in m for m in messages(content_dir))


def test_extras_for_a_wave_the_topic_does_not_run_are_reported(content_dir: Path) -> None:
    edit(content_dir / EBIKE, "waves: [2026-end]", "waves: [2026-end, 2023-end]")
    assert any("waves[1]: 议题的 waves 中没有 2023-end" in m for m in messages(content_dir))


def test_extras_may_not_reuse_a_standard_question_id(content_dir: Path) -> None:
    edit(content_dir / EBIKE, "id: charging_distance", "id: satisfaction")
    assert any("id 不能与标准题相同" in m for m in messages(content_dir))


def test_a_choice_question_needs_options_and_unknown_keys_are_errors(content_dir: Path) -> None:
    edit(
        content_dir / EBIKE,
        "options: [小区内, 步行 5 分钟以内, 步行 5 分钟以上, 不知道]",
        "option: [a]",
    )
    found = messages(content_dir)
    assert any("questions[0].option: 不认识的字段" in m for m in found)


def test_an_open_wave_without_any_questionnaire_is_reported(content_dir: Path) -> None:
    edit(content_dir / STANDARD, "    waves: [2026-end]\n", "    waves: []\n")
    assert any(
        "调查批次 2026-end 还没结束，但标准问卷没有哪个版本覆盖它" in m
        for m in messages(content_dir)
    )


def test_a_privacy_notice_promising_another_period_than_retention_years_is_reported(
    content_dir: Path,
) -> None:
    edit(content_dir / "site.yml", "retention_years: 3", "retention_years: 5")
    assert any(
        "privacy: 隐私说明承诺保存 3 年，而 site.yml 的 retention_years 是 5" in m
        for m in messages(content_dir)
    )


def test_a_privacy_notice_that_states_no_period_is_reported(content_dir: Path) -> None:
    edit(content_dir / STANDARD, "保存 3 年", "保存一段时间")
    assert any("privacy: 隐私说明必须写明答卷保存多久" in m for m in messages(content_dir))
