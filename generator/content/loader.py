"""content/ → validated models. Reads everything, collects every problem, fails once."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.content.checks import check_topics
from generator.content.models import Directory, District, Site, Street, Topic
from generator.content.questionnaires import Questionnaires, load_questionnaires
from generator.content.yamlguard import encoding_problem
from generator.content.yamlsource import Source, label_for, message_for, read_yaml
from generator.errors import ContentError, Problem

M = TypeVar("M", bound=BaseModel)

SITE_FILE = "site.yml"
TOPICS_DIR = "topics"
DIRECTORY_DIR = "directory"


@dataclass(frozen=True)
class Content:
    """All validated content, with each topic's source kept for locating later problems."""

    root: Path
    site: Site
    directory: Directory
    topics: tuple[Topic, ...]
    sources: dict[str, Source] = field(default_factory=dict, compare=False)
    questionnaires: Questionnaires = field(default_factory=Questionnaires, compare=False)

    def topics_of(self, year: int) -> list[Topic]:
        """Topics of one year, in month order."""
        return sorted((t for t in self.topics if t.year == year), key=lambda t: (t.month, t.slug))

    def years(self) -> list[int]:
        """Years that have topics, newest first."""
        return sorted({t.year for t in self.topics}, reverse=True)


def load_content(root: Path) -> Content:
    """Load and validate the whole content folder; raise ContentError listing every problem."""
    problems: list[Problem] = []
    if not root.is_dir():
        raise ContentError([Problem(label_for(root), 0, "", "内容目录不存在，请用 --content 指定")])
    site = _load_model(root / SITE_FILE, Site, problems)
    directory = _load_directory(root / DIRECTORY_DIR, problems)
    loaded = [_load_topic(p, problems) for p in topic_files(root)]
    problems += _unread_topic_files(root)
    topics = [(t, s) for t, s in loaded if t is not None and s is not None]
    if not topics and not problems:
        problems.append(
            Problem(label_for(root / TOPICS_DIR), 0, "", "没有找到任何议题文件（*.yml）")
        )
    if site is not None and directory is not None:
        problems += check_topics(topics, site, directory)
    questionnaires = Questionnaires()
    if site is not None:
        topic_waves = {t.slug: list(t.waves) for t, _ in topics}
        questionnaires = load_questionnaires(root, site, topic_waves, problems)
    if problems or site is None or directory is None:
        raise ContentError(problems)
    return Content(
        root=root,
        site=site,
        directory=directory,
        topics=tuple(sorted((t for t, _ in topics), key=lambda t: (t.year, t.month, t.slug))),
        sources={t.slug: s for t, s in topics},
        questionnaires=questionnaires,
    )


def topic_files(root: Path) -> list[Path]:
    """Every topic file, `topics/<year>/<slug>.yml`, in a stable order."""
    return sorted((root / TOPICS_DIR).glob("*/*.yml"))


def _unread_topic_files(root: Path) -> list[Problem]:
    """YAML files under topics/ that topic_files() passes over (a `.yaml` ending, no year
    folder): without a word, a topic saved so would silently be missing from the site."""
    read = set(topic_files(root))
    return [
        Problem(
            label_for(path),
            0,
            "",
            "这个文件不会被读取：议题文件应为 topics/<年份>/<slug>.yml（以小写 .yml 结尾，"
            "放在年份文件夹里），请改名或移动",
        )
        for path in sorted((root / TOPICS_DIR).rglob("*"))
        if path.suffix.lower() in {".yml", ".yaml"} and path.is_file() and path not in read
    ]


def _load_model(path: Path, model: type[M], problems: list[Problem]) -> M | None:
    if not path.is_file():
        problems.append(Problem(label_for(path), 0, "", "文件不存在"))
        return None
    source, errors = read_yaml(path)
    problems += errors
    return _validate(source, model, problems) if source is not None else None


def _validate(source: Source, model: type[M], problems: list[Problem]) -> M | None:
    try:
        return model.model_validate(_plain(source.data))
    except ValidationError as exc:
        problems += source.problems_from(exc)
        return None


def _load_topic(path: Path, problems: list[Problem]) -> tuple[Topic | None, Source | None]:
    source, errors = read_yaml(path)
    problems += errors
    if source is None:
        return None, None
    return _validate(source, Topic, problems), source


def _plain(data: Any) -> Any:
    """ruamel's commented containers → plain dicts and lists (pydantic needs no comments)."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def _load_directory(folder: Path, problems: list[Problem]) -> Directory | None:
    districts = _read_csv(folder / "districts.csv", District, problems)
    streets = _read_csv(folder / "streets.csv", Street, problems)
    if districts is None or streets is None:
        return None
    names = {d.name for d in districts}
    for line, street in enumerate(streets, start=2):
        if street.district not in names:
            problems.append(
                Problem(
                    label_for(folder / "streets.csv"),
                    line,
                    "district",
                    f"区“{street.district}”不在 districts.csv 中",
                )
            )
    return Directory(districts=tuple(districts), streets=tuple(streets))


def _read_csv(path: Path, model: type[M], problems: list[Problem]) -> list[M] | None:
    label = label_for(path)
    try:
        raw = path.read_bytes()
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    except UnicodeDecodeError as exc:
        problems.append(encoding_problem(label, raw, exc))
        return None
    except (OSError, csv.Error) as exc:
        problems.append(Problem(label, 0, "", f"无法读取 CSV：{exc}"))
        return None
    out: list[M] = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        try:
            out.append(model.model_validate(row))
        except ValidationError as exc:
            problems += [
                Problem(label, line, ".".join(map(str, e["loc"])), message_for(e))
                for e in exc.errors()
            ]
    return out
