"""Consistency checks of loaded questionnaires against the calendar, the topics and the freeze.

Pure functions: each gets what `generator.content.questionnaires` has read and validated, file by file,
and returns the problems that no single file can show (a wave missing from `site.yml`, an extra
question reusing a standard id, a frozen version edited). Nothing here reads a file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from generator.content.models.questionnaire import (
    REQUIRED_IDS,
    Instrument,
    QuestionnaireVersion,
    TopicQuestions,
)
from generator.content.models.site import SATISFACTION_SCALE, Site, promised_retention_years
from generator.content.yamlsource import Loc, Source, label_for
from generator.errors import Problem

if TYPE_CHECKING:  # generator.content.questionnaires imports this module to run the checks
    from generator.content.questionnaires import Questionnaires


def check_retention(std: Instrument, source: Source, site: Site) -> list[Problem]:
    """The privacy notice promises the period `yiti survey purge` keeps answers for."""
    promised = promised_retention_years(std.privacy)
    if promised is None:
        message = f"隐私说明必须写明答卷保存多久，例如“保存 {site.retention_years} 年”"
        return [source.problem(("privacy",), message)]
    if promised == site.retention_years:
        return []
    message = (
        f"隐私说明承诺保存 {promised} 年，而 site.yml 的 retention_years 是 "
        f"{site.retention_years}；请改成一致（yiti survey purge 按 retention_years 删除答卷）"
    )
    return [source.problem(("privacy",), message)]


def check_standard(std: Instrument, source: Source, calendar: set[str]) -> list[Problem]:
    """The standard instrument asks the required questions, satisfaction on the fixed scale."""
    out = _check_versions(std.versions, source, calendar)
    for i, version in enumerate(std.versions):
        by_id = {q.id: q for q in version.questions}
        loc: Loc = ("versions", i, "questions")
        for qid, kind in REQUIRED_IDS.items():
            if qid not in by_id or by_id[qid].kind != kind:
                out.append(source.problem(loc, f"标准问卷必须有 id 为 {qid}、类型为 {kind} 的题"))
        satisfaction = by_id.get("satisfaction")
        if satisfaction is not None and tuple(satisfaction.options) != SATISFACTION_SCALE:
            scale = "、".join(SATISFACTION_SCALE)
            out.append(source.problem(loc, f"satisfaction 的选项必须依次为：{scale}"))
        if sum(q.kind == "comment" for q in version.questions) > 1:
            out.append(source.problem(loc, "最多只能有一道 comment 题"))
    return out


def check_topic(
    extras: TopicQuestions, source: Source, topic_waves: dict[str, list[str]], calendar: set[str]
) -> list[Problem]:
    """A topic's extras name an existing topic, run in its waves, and ask only choice questions."""
    if source.path.stem != extras.topic:
        return [source.problem(("topic",), f"文件名应为 {extras.topic}.yml（与 topic 一致）")]
    if extras.topic not in topic_waves:
        return [source.problem(("topic",), f"没有 slug 为 “{extras.topic}” 的议题")]
    out = _check_versions(extras.versions, source, calendar)
    for i, version in enumerate(extras.versions):
        for j, wave in enumerate(version.waves):
            if wave in calendar and wave not in topic_waves[extras.topic]:
                msg = f"议题的 waves 中没有 {wave}，请先在议题文件中加上"
                out.append(source.problem(("versions", i, "waves", j), msg))
        for j, question in enumerate(version.questions):
            if question.id in REQUIRED_IDS or question.kind in ("district", "street", "comment"):
                msg = "议题附加题只能是 single 或 multiple，且 id 不能与标准题相同"
                out.append(source.problem(("versions", i, "questions", j), msg))
    return out


def _check_versions(
    versions: Sequence[QuestionnaireVersion], source: Source, calendar: set[str]
) -> list[Problem]:
    out: list[Problem] = []
    numbers = Counter(v.version for v in versions)
    waves = Counter(w for v in versions for w in v.waves)
    for i, version in enumerate(versions):
        if numbers[version.version] > 1:
            out.append(source.problem(("versions", i, "version"), "版本号重复"))
        for j, wave in enumerate(version.waves):
            where = ("versions", i, "waves", j)
            if wave not in calendar:
                out.append(source.problem(where, f"调查批次 {wave} 不在 site.yml 的 waves 中"))
            elif waves[wave] > 1:
                out.append(source.problem(where, f"{wave} 只能属于一个版本"))
        ids = Counter(q.id for q in version.questions)
        out += [
            source.problem(("versions", i, "questions", j, "id"), f"题目 id “{q.id}” 重复")
            for j, q in enumerate(version.questions)
            if ids[q.id] > 1
        ]
    return out


def check_coverage(
    loaded: Questionnaires,
    site: Site,
    topic_waves: dict[str, list[str]],
    standard_path: Path,
    now: datetime,
) -> list[Problem]:
    """Every wave a topic runs that has not closed has a questionnaire, so its link works."""
    covered = {w for v in loaded.standard_versions() for w in v.waves}
    pending = {w.id for w in site.waves if w.closes > now} - covered
    label = label_for(standard_path)
    return [
        Problem(
            label,
            0,
            "versions",
            f"议题 {slug} 的调查批次 {wave} 还没结束，但标准问卷没有哪个版本覆盖它",
        )
        for slug, waves in sorted(topic_waves.items())
        for wave in waves
        if wave in pending
    ]


def check_frozen(
    loaded: Questionnaires, site: Site, lock_path: Path, frozen: dict[str, str], now: datetime
) -> list[Problem]:
    """A version whose wave has opened must match the fingerprint `frozen` in `lock_path`."""
    current = loaded.fingerprints()
    label = label_for(lock_path)
    out = []
    for key in sorted(loaded.opened(site, now)):
        if key not in frozen:
            msg = f"{key} 的调查批次已开始，但尚未冻结；请运行 yiti survey freeze 登记"
            out.append(Problem(label, 0, key, msg))
        elif frozen[key] != current[key]:
            name = key.split("@")[0]
            latest = max(int(k.split("@")[1]) for k in current if k.split("@")[0] == name)
            msg = (
                f"{key} 已冻结（调查批次已开始），不能再修改；请恢复原样，"
                f"改动请写成新版本 {name}@{latest + 1}"
            )
            out.append(Problem(label, 0, key, msg))
    return out
