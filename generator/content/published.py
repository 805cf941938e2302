"""Published survey results: `content/results/<wave>.yml`, the figures an admin published.

Why files in content/ and not the survey database: the public site is built from reviewed,
versioned files, so a build is reproducible, needs no database connection (the site may be
built on a machine that cannot reach it), and every change to a published figure shows up as a
diff in review. The survey app is where an admin publishes (a `publications` row, audited);
`yiti survey publish-export` writes these files from those rows, and `yiti build` reads them.
Only aggregates are ever in them: counts, rates, intervals and their definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final, Literal

import yaml
from pydantic import Field, ValidationError

from generator.content.loader import Content
from generator.content.models.base import ContentModel, Slug, Text, WaveId
from generator.content.models.site import Wave
from generator.content.yamlsource import Source, read_yaml
from generator.errors import ContentError, Problem

RESULTS_DIR: Final = "results"
FORMAT: Final = 1
# The public measures, in the order a topic page lists them.
MEASURES: Final = ("satisfaction_rate", "top_box", "mean_score", "solved_rate", "awareness_rate")


class PublishedFigure(ContentModel):
    """One figure as published: no value when it rests on too few answers (suppressed)."""

    value: float | None = Field(default=None, ge=0)
    n: int = Field(ge=0)
    ci_low: float | None = Field(default=None, ge=0, le=1)
    ci_high: float | None = Field(default=None, ge=0, le=1)
    suppressed: bool = False
    note: str = ""
    definition: Text


class WeightedFigure(ContentModel):
    """满意率 weighted to district population, with Kish's effective n (waves that weight)."""

    value: float | None = Field(default=None, ge=0, le=1)
    n_effective: float = Field(ge=0)
    ci_low: float | None = Field(default=None, ge=0, le=1)
    ci_high: float | None = Field(default=None, ge=0, le=1)
    suppressed: bool = False
    note: str = ""
    definition: Text


class PublishedFieldwork(ContentModel):
    """Telephone fieldwork of the wave: AAPOR RR3 and how many answers came by web and phone."""

    response_rate: float | None = Field(
        default=None, ge=0, le=1, description="AAPOR RR3; none when it cannot be computed"
    )
    issued: int = Field(ge=0, description="Cases of the released sample (phones dialled or due)")
    completes: int = Field(ge=0, description="Completed telephone interviews (AAPOR 1.1)")
    web: int = Field(ge=0, description="Responses typed by residents")
    phone: int = Field(ge=0, description="Responses entered by interviewers")
    note: str = ""  # why there is no response rate
    definition: Text


class PublishedTopic(ContentModel):
    """One topic's published figures in one wave."""

    responses: int = Field(ge=0, description="Responses received, excluded ones included")
    excluded: int = Field(ge=0, description="Responses evaluators excluded (not in any rate)")
    satisfaction_rate: PublishedFigure
    top_box: PublishedFigure
    mean_score: PublishedFigure
    solved_rate: PublishedFigure
    awareness_rate: PublishedFigure
    weighted: WeightedFigure | None = None
    fieldwork: PublishedFieldwork | None = None  # waves with telephone fieldwork only


class PublishedWave(ContentModel):
    """`content/results/<wave>.yml`, written by `yiti survey publish-export`."""

    format: Literal[1] = FORMAT
    wave: WaveId
    published_at: datetime
    topics: dict[Slug, PublishedTopic] = Field(default_factory=dict)


@dataclass(frozen=True)
class Published:
    """Every published wave, and per topic its results newest wave first."""

    waves: tuple[PublishedWave, ...] = ()
    by_topic: dict[str, list[tuple[Wave, PublishedTopic]]] = field(default_factory=dict)


def results_dir(content_root: Path) -> Path:
    """Where published results live in a content folder."""
    return content_root / RESULTS_DIR


def load_published(content: Content) -> Published:
    """Read and check every results file; ContentError (all problems at once) if any is wrong."""
    problems: list[Problem] = []
    waves: list[PublishedWave] = []
    for path in sorted(results_dir(content.root).glob("*.yml")):
        source, errors = read_yaml(path)
        problems += errors
        if source is None:
            continue
        found = _validate(source, problems)
        if found is not None:
            problems += _check(found, source, path, content)
            waves.append(found)
    if problems:
        raise ContentError(problems)
    return Published(tuple(waves), _by_topic(waves, content))


def _validate(source: Source, problems: list[Problem]) -> PublishedWave | None:
    try:
        return PublishedWave.model_validate(source.data)
    except ValidationError as exc:
        problems += source.problems_from(exc)
        return None


def _check(found: PublishedWave, source: Source, path: Path, content: Content) -> list[Problem]:
    """The file names its wave, the wave is in the calendar, each topic runs that wave."""
    problems = []
    if path.stem != found.wave:
        problems.append(source.problem(("wave",), f"文件名应为 {found.wave}.yml"))
    if found.wave not in {w.id for w in content.site.waves}:
        problems.append(source.problem(("wave",), f"site.yml 中没有调查批次 {found.wave}"))
    runs = {t.slug: set(t.waves) for t in content.topics}
    for slug in found.topics:
        if found.wave not in runs.get(slug, set()):
            message = f"议题 {slug} 不存在或没有参加 {found.wave} 批次调查"
            problems.append(source.problem(("topics", slug), message))
    return problems


def _by_topic(
    waves: list[PublishedWave], content: Content
) -> dict[str, list[tuple[Wave, PublishedTopic]]]:
    calendar = {w.id: w for w in content.site.waves}
    ordered = sorted(waves, key=lambda w: calendar[w.wave].opens, reverse=True)
    by_topic: dict[str, list[tuple[Wave, PublishedTopic]]] = {}
    for published in ordered:
        for slug, results in published.topics.items():
            by_topic.setdefault(slug, []).append((calendar[published.wave], results))
    return by_topic


HEADER: Final = (
    "# 由 `yiti survey publish-export` 根据管理员在调查系统中的发布写入，请勿手工修改。\n"
    "# 只含汇总数字（答卷数、比例、置信区间和口径），不含任何单份答卷。`yiti build` 读取本目录。\n"
)


def dump(published: PublishedWave) -> str:
    """The text of `content/results/<wave>.yml`: stable key order, so reviews see real changes."""
    data = published.model_dump(mode="json")
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
