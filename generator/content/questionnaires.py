"""`content/questionnaires/` → validated questionnaires, and the freeze that pins them.

Layout: `standard.yml` (the instrument every topic asks), `topics/<slug>.yml` (a topic's extra
questions and access mode), `frozen.yml` (fingerprints written by `yiti survey freeze`). A version
is frozen once any of its waves has opened; `yiti check` then refuses any change to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import ValidationError

from generator.content.models.questionnaire import (
    Instrument,
    Questionnaire,
    QuestionnaireVersion,
    TopicQuestions,
)
from generator.content.models.site import Site
from generator.content.questionnaire_checks import (
    check_coverage,
    check_frozen,
    check_retention,
    check_standard,
    check_topic,
)
from generator.content.yamlsource import Source, read_yaml
from generator.errors import ContentError, Problem

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
            phone=self.standard.phone,
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
        problems += check_standard(loaded.standard, sources[STANDARD_KEY], calendar)
        problems += check_retention(loaded.standard, sources[STANDARD_KEY], site)
    for slug, extras in loaded.topics.items():
        problems += check_topic(extras, sources[slug], topic_waves, calendar)
    now = datetime.now(UTC)
    lock = folder / FROZEN_FILE
    problems += check_coverage(loaded, site, topic_waves, folder / STANDARD_FILE, now)
    problems += check_frozen(loaded, site, lock, read_lock(lock), now)
    return loaded


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
