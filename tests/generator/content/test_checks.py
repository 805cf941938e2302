"""Cross-file checks: one test per kind, each showing the editor's message and its line."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.generator.conftest import ELEVATORS, edit, messages

E = str(ELEVATORS)


def test_duplicate_slug_is_reported_in_both_files(content_dir: Path) -> None:
    copy = content_dir / "topics/2022/copy.yml"
    shutil.copy(content_dir / ELEVATORS, copy)
    edit(copy, "\nmonth: 3\n", "\nmonth: 4\n")
    found = messages(content_dir)
    clash = "slug: slug “old-building-elevators” 与 {} 重复，每个议题的 slug 必须唯一："
    assert any(m.startswith(f"{E}:4: {clash.format('topics/2022/copy.yml')}") for m in found)
    assert any(m.startswith(f"topics/2022/copy.yml:4: {clash.format(E)}") for m in found)
    assert (
        "topics/2022/copy.yml:4: slug: 文件名应为 old-building-elevators.yml（与 slug 一致）"
        in found
    )


def test_the_same_slug_in_a_later_year_names_both_files_and_the_new_slug(
    content_dir: Path,
) -> None:
    later = content_dir / "topics/2023/old-building-elevators.yml"
    shutil.copy(content_dir / ELEVATORS, later)
    edit(later, "\nyear: 2022\n", "\nyear: 2023\n")
    found = messages(content_dir)
    to_do = (
        "同一问题在另一年再办时，请把 topics/2023/old-building-elevators.yml 的 slug 和文件名改为 "
        "old-building-elevators-2023"
    )
    assert (
        f"{E}:4: slug: slug “old-building-elevators” 与 topics/2023/old-building-elevators.yml "
        f"重复，每个议题的 slug 必须唯一：{to_do}"
    ) in found
    assert (
        f"topics/2023/old-building-elevators.yml:4: slug: slug “old-building-elevators” 与 {E} "
        f"重复，每个议题的 slug 必须唯一：{to_do}"
    ) in found


def test_topic_in_the_wrong_year_folder_is_reported(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "\nyear: 2022\n", "\nyear: 2023\n")
    assert f"{E}:{line}: year: 2023 年的议题应放在 topics/2023/ 下" in messages(content_dir)


def test_unknown_district_is_reported(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "  districts: [东城区,", "  districts: [东城县,")
    assert f"{E}:{line}: governance.districts[0]: “东城县”不在区名录中（如：朝阳区）" in messages(
        content_dir
    )


def test_a_hidden_character_in_a_district_or_street_is_shown_by_its_code(
    content_dir: Path,
) -> None:
    line = edit(content_dir / ELEVATORS, "  districts: [东城区,", "  districts: [东城区\u200b,")
    street = edit(content_dir / ELEVATORS, "[劲松街道,", "[劲松\u3000街道,")
    found = messages(content_dir)
    assert (
        f"{E}:{line}: governance.districts[0]: “东城区⟨U+200B 零宽空格⟩”不在区名录中（如：朝阳区）"
        in found
    )
    said = "朝阳区没有“劲松⟨U+3000 全角空格⟩街道”，请查名录"
    assert f"{E}:{street}: governance.streets.朝阳区[0]: {said}" in found


def test_street_must_exist_in_its_own_district(content_dir: Path) -> None:
    # 学院路街道 is in 海淀区, not 朝阳区: names are checked per district.
    line = edit(content_dir / ELEVATORS, "[劲松街道, 八里庄街道]", "[劲松街道, 学院路街道]")
    assert (
        f"{E}:{line}: governance.streets.朝阳区[1]: 朝阳区没有“学院路街道”，请查名录"
        in messages(content_dir)
    )


def test_branch_to_a_missing_step_is_reported(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "          to: mediation", "          to: mediaton")
    assert (
        f"{E}:{line}: procedure.steps[1].branches[1].to: 没有 id 为 “mediaton” 的步骤"
        in messages(content_dir)
    )


def test_next_to_a_missing_step_is_reported(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "      next: registration", "      next: register")
    assert f"{E}:{line}: procedure.steps[5].next: 没有 id 为 “register” 的步骤" in messages(
        content_dir
    )


def test_second_start_and_unreachable_steps_are_reported(content_dir: Path) -> None:
    # Cutting construction → registration leaves registration with no way in: a second start.
    edit(content_dir / ELEVATORS, "      next: registration", "      next: in-use")
    found = messages(content_dir)
    assert any(
        "procedure.steps: 流程只能有一个起点（第一步）；这些步骤没有任何上一步：registration" in m
        for m in found
    )


def test_step_unreachable_from_the_start_is_reported(content_dir: Path) -> None:
    # A loop that nothing enters: both steps have a way in, neither is reachable.
    path = content_dir / ELEVATORS
    text = path.read_text(encoding="utf-8").replace(
        "    - id: in-use\n",
        "    - id: loop-a\n      name: 甲\n      handler: 某处\n      next: loop-b\n"
        "    - id: loop-b\n      name: 乙\n      handler: 某处\n      next: loop-a\n"
        "    - id: in-use\n",
    )
    path.write_text(text, encoding="utf-8")
    found = messages(content_dir)
    assert any("procedure.steps[7]: 步骤 “loop-a” 从起点走不到" in m for m in found)
    assert any("procedure.steps[8]: 步骤 “loop-b” 从起点走不到" in m for m in found)


def test_loop_with_no_way_to_an_end_is_reported_at_its_first_step(content_dir: Path) -> None:
    # Every step is reachable and an end exists, but mediation ⇄ mediation-again never leaves.
    line = edit(
        content_dir / ELEVATORS,
        "    - id: mediation\n",
        "    - id: mediation-again\n      name: 再次调解\n      handler: 街道办事处\n"
        "      next: mediation\n    - id: mediation\n",
    )
    edit(
        content_dir / ELEVATORS,
        "      channel: 所在街道（乡镇）\n      next: owner-vote\n",
        "      channel: 所在街道（乡镇）\n      next: mediation-again\n",
    )
    loops = [m for m in messages(content_dir) if "循环" in m]
    assert loops == [
        f"{E}:{line}: procedure.steps[2]: 流程在 mediation-again → mediation → mediation-again "
        "之间循环，走不到任何结束步骤（kind: end）：请给其中一步加上通向后续步骤的分支"
    ]


def test_a_loop_with_a_way_out_is_not_reported(content_dir: Path) -> None:
    # The shipped procedure loops (mediation → owner-vote → mediation) and leaves at design.
    edit(content_dir / ELEVATORS, "          to: mediation", "          to: nowhere")
    assert not any("循环" in m for m in messages(content_dir))


def test_procedure_without_an_end_is_reported(content_dir: Path) -> None:
    edit(
        content_dir / ELEVATORS,
        "      name: 电梯投入使用，落实维保\n      kind: end\n",
        "      name: 电梯投入使用，落实维保\n      handler: 业主\n      next: consult\n",
    )
    assert any(
        "procedure.steps: 流程至少要有一个结束步骤（kind: end）" in m for m in messages(content_dir)
    )


def test_duplicate_step_ids_are_reported(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "    - id: design\n", "    - id: mediation\n")
    assert (
        f"{E}:{line}: procedure.steps[3].id: id “mediation” 重复，同一列表中 id 必须唯一"
        in messages(content_dir)
    )


def test_duplicate_target_ids_are_reported(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "    - id: completed\n", "    - id: new-starts\n")
    assert (
        f"{E}:{line}: plan.targets[1].id: id “new-starts” 重复，同一列表中 id 必须唯一"
        in messages(content_dir)
    )


def test_progress_readings_out_of_order_are_reported(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "        - date: 2022-09-30", "        - date: 2022-05-30")
    assert (
        f"{E}:{line}: plan.targets[0].progress[1].date: 应晚于上一项的 2022-06-30，请按日期先后排列"
        in messages(content_dir)
    )


def test_progress_reading_outside_the_topic_years_is_reported(content_dir: Path) -> None:
    line = edit(
        content_dir / ELEVATORS,
        "        - date: 2022-06-30\n          value: 512",
        "        - date: 2020-06-30\n          value: 512",
    )
    assert (
        f"{E}:{line}: plan.targets[0].progress[0].date: 日期应在 2022-01-01 到 2023-12-31 之间"
        in messages(content_dir)
    )


def test_progress_reading_in_the_future_is_reported(content_dir: Path) -> None:
    # A topic of next year: its readings are within its years but have not happened yet.
    nxt = 2099
    for old, new in [
        ("\nyear: 2022\n", f"\nyear: {nxt}\n"),
        ("waves: [2022-mid, 2022-end]", "waves: []"),
    ]:
        edit(content_dir / ELEVATORS, old, new)
    text = (content_dir / ELEVATORS).read_text(encoding="utf-8").replace("2022-", f"{nxt}-")
    (content_dir / ELEVATORS).write_text(text, encoding="utf-8")
    (content_dir / f"topics/{nxt}").mkdir()
    (content_dir / ELEVATORS).rename(content_dir / f"topics/{nxt}/old-building-elevators.yml")
    assert any(
        f"progress[0].date: {nxt}-06-30 还没到：进度读数不能写未来的日期" in m
        for m in messages(content_dir)
    )


def test_milestones_out_of_order_are_reported(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "    - date: 2022-05-31\n", "    - date: 2022-02-28\n")
    assert (
        f"{E}:{line}: plan.schedule[1].date: 应晚于上一项的 2022-03-31，请按日期先后排列"
        in messages(content_dir)
    )


def test_task_deadline_outside_the_topic_years_is_reported(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "      deadline: 2022-04-30", "      deadline: 2025-04-30")
    assert (
        f"{E}:{line}: lists.tasks[0].deadline: 日期应在 2022-01-01 到 2023-12-31 之间"
        in messages(content_dir)
    )


def test_wave_missing_from_the_calendar_is_reported(content_dir: Path) -> None:
    line = edit(
        content_dir / ELEVATORS, "waves: [2022-mid, 2022-end]", "waves: [2022-mid, 2030-end]"
    )
    assert f"{E}:{line}: waves[1]: 调查批次 2030-end 不在 site.yml 的 waves 中" in messages(
        content_dir
    )


def test_wave_before_the_topic_year_is_reported(content_dir: Path) -> None:
    line = edit(
        content_dir / ELEVATORS, "waves: [2022-mid, 2022-end]", "waves: [2021-end, 2022-end]"
    )
    assert f"{E}:{line}: waves[0]: 2021-end 早于议题年度 2022" in messages(content_dir)


def test_a_hidden_character_in_a_monitoring_keyword_is_reported(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "  keywords: [加装电梯,", "  keywords: [加装\u200b电梯,")
    assert messages(content_dir) == [
        f"{E}:{line}: monitoring.keywords[0]: “加装⟨U+200B 零宽空格⟩电梯”里有看不见的字符，"
        "诉求记录里找不到这样的词：请删除它"
    ]
