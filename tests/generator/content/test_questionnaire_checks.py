"""Questionnaire consistency checks: each problem as `yiti check` reports it, with its place."""

from __future__ import annotations

from pathlib import Path

from generator.content.loader import load_content
from generator.content.questionnaires import FROZEN_FILE
from tests.generator.conftest import edit, messages

STANDARD = Path("questionnaires/standard.yml")
EBIKE = Path("questionnaires/topics/ebike-charging.yml")
LOCK = Path("questionnaires") / FROZEN_FILE


# The awareness question of standard version 1 (version 2 asks the same for the 2024 waves).
V1_AWARENESS = """    waves: [2026-end]
    questions:
      - id: awareness
        kind: single
        label: 您是否知道本议题的治理措施？"""


def test_changing_a_frozen_version_is_refused(content_dir: Path) -> None:
    edit(content_dir / STANDARD, V1_AWARENESS, V1_AWARENESS.replace("您是否知道", "您知道"))
    assert any(  # standard@2 exists, so the next free version is 3
        "standard@1: standard@1 已冻结（调查批次已开始），不能再修改" in m and "standard@3" in m
        for m in messages(content_dir)
    )


def test_comments_and_layout_may_change_in_a_frozen_version(content_dir: Path) -> None:
    text = (content_dir / STANDARD).read_text(encoding="utf-8")
    (content_dir / STANDARD).write_text("# 注释\n" + text, encoding="utf-8")
    load_content(content_dir)


def test_an_opened_version_that_was_never_frozen_is_reported(content_dir: Path) -> None:
    (content_dir / LOCK).unlink()
    assert any("请运行 yiti survey freeze" in m for m in messages(content_dir))


def test_the_standard_instrument_must_ask_satisfaction_on_the_five_level_scale(
    content_dir: Path,
) -> None:
    text = (content_dir / STANDARD).read_text(encoding="utf-8")
    scale = "options: [非常满意, 满意, 基本满意, 不满意, 非常不满意, 说不清]"
    (content_dir / STANDARD).write_text(text.replace(scale, "options: [满意, 不满意]"), "utf-8")
    assert any("satisfaction 的选项必须依次为" in m for m in messages(content_dir))


def test_extras_for_a_wave_the_topic_does_not_run_are_reported(content_dir: Path) -> None:
    edit(content_dir / EBIKE, "waves: [2026-end]", "waves: [2026-end, 2023-end]")
    assert any("waves[1]: 议题的 waves 中没有 2023-end" in m for m in messages(content_dir))


def test_extras_may_not_reuse_a_standard_question_id(content_dir: Path) -> None:
    edit(content_dir / EBIKE, "id: charging_distance", "id: satisfaction")
    assert any("id 不能与标准题相同" in m for m in messages(content_dir))


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
