"""`content/questionnaires/` → validated questionnaires, and the freeze that pins them.

Layout: `standard.yml` (the instrument every topic asks), `topics/<slug>.yml` (a topic's extra
questions and access mode), `frozen.yml` (fingerprints written by `yiti survey freeze`). A version
is frozen once any of its waves has opened; `yiti check` then refuses any change to it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import ValidationError

from generator.errors import ContentError, Problem
from generator.models.questionnaire import (
    REQUIRED_IDS,
    Instrument,
    Questionnaire,
    QuestionnaireVersion,
    TopicQuestions,
)
from generator.models.site import SATISFACTION_SCALE, Site, promised_retention_years
from generator.yamlsource import Loc, Source, label_for, read_yaml

QUESTIONNAIRES_DIR = "questionnaires"
STANDARD_FILE = "standard.yml"
TOPICS_DIR = "topics"
FROZEN_FILE = "frozen.yml"
STANDARD_KEY = "standard"

V = TypeVar("V", bound=QuestionnaireVersion)
M = TypeVar("M", Instrument, TopicQuestions)


@dataclass(frozen=True)
class Questionnaires:
    """The standard instrument and every topic's extras, validated."""

    standard: Instrument | None = None
    topics: dict[str, TopicQuestions] = field(default_factory=dict)

    def for_wave(self, topic: str, wave: str) -> Questionnaire | None:
        """What `topic` asks in `wave`: standard questions, the topic's extras before the comment."""
        std = _version_for(self.standard.versions if self.standard else [], wave)
        if self.standard is None or std is None:
            return None
        extras = self.topics.get(topic)
        extra = _version_for(extras.versions if extras else [], wave)
        version = f"{STANDARD_KEY}@{std.version}"
        if extra is not None:
            version += f"+{topic}@{extra.version}"
        plain = [q for q in std.questions if q.kind != "comment"]
        comments = [q for q in std.questions if q.kind == "comment"]
        return Questionnaire(
            topic=topic,
            wave=wave,
            version=version,
            access=getattr(extra, "access", "open"),
            title=self.standard.title,
            intro=self.standard.intro,
            privacy=self.standard.privacy,
            questions=[*plain, *(extra.questions if extra else []), *comments],
        )

    def fingerprints(self) -> dict[str, str]:
        """`standard@1` / `<slug>@1` → fingerprint, for every version."""
        out = {f"{STANDARD_KEY}@{v.version}": v.fingerprint() for v in self.standard_versions()}
        for slug, extras in self.topics.items():
            out |= {f"{slug}@{v.version}": v.fingerprint() for v in extras.versions}
        return out

    def opened(self, site: Site, now: datetime) -> set[str]:
        """Keys of versions frozen at `now`: one of their waves has opened."""
        opened = {w.id for w in site.waves if w.opens <= now}
        keys = {
            f"{STANDARD_KEY}@{v.version}" for v in self.standard_versions() if opened & set(v.waves)
        }
        for slug, extras in self.topics.items():
            keys |= {f"{slug}@{v.version}" for v in extras.versions if opened & set(v.waves)}
        return keys

    def standard_versions(self) -> list[QuestionnaireVersion]:
        """Versions of the standard instrument (none without a standard.yml)."""
        return list(self.standard.versions) if self.standard else []


def _version_for(versions: Iterable[V], wave: str) -> V | None:
    return next((v for v in versions if wave in v.waves), None)


def load_questionnaires(
    root: Path, site: Site, topic_waves: dict[str, list[str]], problems: list[Problem]
) -> Questionnaires:
    """Read and check `root/questionnaires/`; append every problem. No folder: no surveys."""
    folder = root / QUESTIONNAIRES_DIR
    if not folder.is_dir():
        return Questionnaires()
    loaded, sources = read_questionnaires(folder, problems)
    calendar = {w.id for w in site.waves}
    if loaded.standard is not None:
        problems += _check_standard(loaded.standard, sources[STANDARD_KEY], calendar)
        problems += _check_retention(loaded.standard, sources[STANDARD_KEY], site)
    for slug, extras in loaded.topics.items():
        problems += _check_topic(extras, sources[slug], topic_waves, calendar)
    now = datetime.now(UTC)
    problems += _check_coverage(loaded, site, topic_waves, folder / STANDARD_FILE, now)
    problems += _check_frozen(loaded, site, folder / FROZEN_FILE, now)
    return loaded


def _check_coverage(
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


def read_questionnaires(
    folder: Path, problems: list[Problem]
) -> tuple[Questionnaires, dict[str, Source]]:
    """Parse and validate each file on its own (no cross-file checks)."""
    sources: dict[str, Source] = {}
    standard = _read(folder / STANDARD_FILE, Instrument, problems, sources, STANDARD_KEY)
    topics: dict[str, TopicQuestions] = {}
    for path in sorted((folder / TOPICS_DIR).glob("*.yml")):
        extras = _read(path, TopicQuestions, problems, sources, path.stem)
        if extras is not None:
            topics[path.stem] = extras
    return Questionnaires(standard, topics), sources


def _read(
    path: Path, model: type[M], problems: list[Problem], sources: dict[str, Source], key: str
) -> M | None:
    source, errors = read_yaml(path)
    problems += errors
    if source is None:
        return None
    try:
        parsed = model.model_validate(source.data)
    except ValidationError as exc:
        problems += source.problems_from(exc)
        return None
    sources[key] = source
    return parsed


def _check_retention(std: Instrument, source: Source, site: Site) -> list[Problem]:
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


def _check_standard(std: Instrument, source: Source, calendar: set[str]) -> list[Problem]:
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


def _check_topic(
    extras: TopicQuestions, source: Source, topic_waves: dict[str, list[str]], calendar: set[str]
) -> list[Problem]:
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


def _check_frozen(
    loaded: Questionnaires, site: Site, lock_path: Path, now: datetime
) -> list[Problem]:
    """A version whose wave has opened must match the fingerprint recorded when it was frozen."""
    frozen = read_lock(lock_path)
    current = loaded.fingerprints()
    label = label_for(lock_path)
    out = []
    for key in sorted(loaded.opened(site, now)):
        if key not in frozen:
            msg = f"{key} 的调查批次已开始，但尚未冻结；请运行 yiti survey freeze 登记"
            out.append(Problem(label, 0, key, msg))
        elif frozen[key] != current[key]:
            name, number = key.split("@")
            msg = (
                f"{key} 已冻结（调查批次已开始），不能再修改；请恢复原样，"
                f"改动请写成新版本 {name}@{int(number) + 1}"
            )
            out.append(Problem(label, 0, key, msg))
    return out


def read_lock(path: Path) -> dict[str, str]:
    """`frozen.yml` as key → fingerprint (missing file: nothing frozen yet)."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in dict(data).items()}


def freeze(root: Path, now: datetime) -> list[str]:
    """Record fingerprints of opened versions not yet recorded; never overwrite one. Returns keys."""
    problems: list[Problem] = []
    site = _read_site(root / "site.yml", problems)
    folder = root / QUESTIONNAIRES_DIR
    loaded, _ = read_questionnaires(folder, problems)
    if problems or site is None:
        raise ContentError(problems)
    lock_path = folder / FROZEN_FILE
    frozen = read_lock(lock_path)
    current = loaded.fingerprints()
    added = sorted(k for k in loaded.opened(site, now) if k not in frozen)
    frozen |= {k: current[k] for k in added}
    header = "# Written by `yiti survey freeze`. Never edit: a frozen version must not change.\n"
    body = yaml.safe_dump(dict(sorted(frozen.items())), allow_unicode=True, sort_keys=True)
    lock_path.write_text(header + body, encoding="utf-8")
    return added


def _read_site(path: Path, problems: list[Problem]) -> Site | None:
    source, errors = read_yaml(path)
    problems += errors
    if source is None:
        return None
    try:
        return Site.model_validate(source.data)
    except ValidationError as exc:
        problems += source.problems_from(exc)
        return None
