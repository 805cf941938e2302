"""Single-file validation: each kind of model error, located and said for an editor."""

from __future__ import annotations

from pathlib import Path

from tests.generator.conftest import ELEVATORS, edit, messages


def test_missing_answer_is_reported_with_file_line_and_field(content_dir: Path) -> None:
    line = edit(
        content_dir / ELEVATORS,
        "    answer: >-\n      费用由业主",
        "    answr: >-\n      费用由业主",
    )
    found = messages(content_dir)
    assert f"{ELEVATORS}:{line - 1}: qa[2].answer: 必填项缺失 (required)，请补上这一项" in found
    assert (
        f"{ELEVATORS}:{line}: qa[2].answr: 不认识的字段 (unknown field)，请检查拼写或删除" in found
    )


def test_blank_text_counts_as_missing(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "\ntitle: 老楼加装电梯", "\ntitle: '   '")
    assert f"{ELEVATORS}:{line}: title: 不能为空 (must not be empty)" in messages(content_dir)


def test_bad_slug_says_which_characters_are_allowed(content_dir: Path) -> None:
    edit(content_dir / ELEVATORS, "    - id: consult\n", "    - id: Consult_Step\n")
    assert any(
        "procedure.steps[0].id: 格式不对 (bad format)：只用小写英文字母、数字和连字符" in m
        for m in messages(content_dir)
    )


def test_unknown_status_lists_the_allowed_values(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "status: tracking", "status: ongoing")
    found = [m for m in messages(content_dir) if f":{line}: status:" in m]
    assert found and "'planned'" in found[0] and "'tracking'" in found[0]


def test_decision_without_branches_is_refused(content_dir: Path) -> None:
    text = (content_dir / ELEVATORS).read_text(encoding="utf-8")
    start = text.index("      branches:\n        - label: 达到同意比例")
    end = text.index("    - id: mediation")
    (content_dir / ELEVATORS).write_text(text[:start] + text[end:], encoding="utf-8")
    assert any(
        "procedure.steps[1]: 判断步骤（kind: decision）需要 question 和至少两个 branches" in m
        for m in messages(content_dir)
    )


def test_ordinary_step_needs_a_next_step(content_dir: Path) -> None:
    edit(content_dir / ELEVATORS, "      next: joint-review\n", "")
    assert any("procedure.steps[3]: 普通步骤需要 handler" in m for m in messages(content_dir))


def test_increase_target_below_baseline_is_refused(content_dir: Path) -> None:
    edit(content_dir / ELEVATORS, "      target: 600\n", "      target: 0\n")
    assert any(
        "plan.targets[1]: direction 为 increase 时，target 必须大于 baseline" in m
        for m in messages(content_dir)
    )


def test_wrong_date_format_is_reported(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "        - date: 2022-09-30", "        - date: 30/09/2022")
    assert (
        f"{ELEVATORS}:{line}: plan.targets[0].progress[1].date: 应为日期 YYYY-MM-DD (date expected)"
        in messages(content_dir)
    )


def test_wave_closing_before_it_opens_is_refused(content_dir: Path) -> None:
    edit(
        content_dir / "site.yml",
        "closes: 2021-07-15T18:00:00+08:00",
        "closes: 2021-06-01T18:00:00+08:00",
    )
    assert any(
        "site.yml:" in m and "waves[0]: closes 必须晚于 opens" in m for m in messages(content_dir)
    )


def test_satisfaction_definition_cannot_count_an_excluded_answer(content_dir: Path) -> None:
    edit(
        content_dir / "site.yml",
        "satisfied: [非常满意, 满意, 基本满意]",
        "satisfied: [非常满意, 说不清]",
    )
    assert any("satisfaction: 答案不能既算满意又被排除：说不清" in m for m in messages(content_dir))
