"""The admin's view of the survey calendar: each wave's state, responses, publication, codes.

Service layer between the admin views and storage: views get finished text and a `problem`
(in Chinese) when an act is refused. Waves' dates are content (content/site.yml), not data an
admin edits here; what an admin decides is whether a closed wave's results are published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from generator.content.models import Topic, Wave
from generator.content.published import PublishedTopic
from generator.site.render.published import wave_view
from survey.fieldwork.rates import dispositions
from survey.staff.admin import store
from survey.staff.evaluators.store import frame
from survey.state import AppState
from survey.storage.repository import invitation_counts
from survey.waves import is_open, local_time, wave_name


@dataclass(frozen=True)
class Codes:
    """Invitation codes of one invitation-only topic in one wave."""

    slug: str
    title: str
    issued: str
    used: str


@dataclass(frozen=True)
class WaveRow:
    """One wave as the admin page lists it; every field is finished text or a flag."""

    id: str
    name: str
    opens: str
    closes: str
    status: str  # 未开始 | 进行中 | 已结束
    closed: bool
    publishable: bool  # closed, with responses, not yet published
    topics: int
    responses: str
    published: str  # "由 … 于 … 发布", or empty
    codes: tuple[Codes, ...]


@dataclass(frozen=True)
class Review:
    """What publishing a wave would make public, or why it cannot be published now."""

    wave: Wave
    name: str
    topics: tuple[tuple[Topic, dict[str, Any]], ...]
    unanswered: tuple[Topic, ...]  # topics of the wave without responses: nothing to publish
    problem: str


def wave_topics(state: AppState, wave: Wave) -> list[Topic]:
    """The topics that run in `wave`, in content order."""
    return [t for t in state.content.topics if wave.id in t.waves]


def invitation_topics(state: AppState, wave: Wave) -> list[Topic]:
    """The topics of `wave` whose questionnaire admits invited respondents only."""
    return [
        t
        for t in wave_topics(state, wave)
        if (q := state.questionnaire(t.slug, wave.id)) is not None and q.access == "invitation"
    ]


def rows(state: AppState) -> list[WaveRow]:
    """Every wave of the calendar, newest first."""
    now = state.clock()
    counts = store.responses_by_wave(state.db)
    published = store.publications(state.db)
    waves = sorted(state.content.site.waves, key=lambda w: w.opens, reverse=True)
    return [_row(state, w, now, counts.get(w.id, 0), published.get(w.id)) for w in waves]


def _row(state: AppState, wave: Wave, now: datetime, count: int, pub: Any) -> WaveRow:
    codes = tuple(
        Codes(t.slug, t.title, f"{c['issued']:,}", f"{c['used']:,}")
        for t in invitation_topics(state, wave)
        for c in [invitation_counts(state.db, t.slug, wave.id)]
    )
    shown = f"由 {pub.published_by} 于 {_local(pub.published_at)} 发布" if pub else ""
    return WaveRow(
        id=wave.id,
        name=wave_name(wave.id),
        opens=local_time(wave.opens),
        closes=local_time(wave.closes),
        status=status(wave, now),
        closed=now >= wave.closes,
        publishable=now >= wave.closes and count > 0 and pub is None,
        topics=len(wave_topics(state, wave)),
        responses=f"{count:,}",
        published=shown,
        codes=codes,
    )


def status(wave: Wave, now: datetime) -> str:
    """未开始, 进行中 or 已结束 at `now`."""
    if is_open(wave, now):
        return "进行中"
    return "未开始" if now < wave.opens else "已结束"


def refusal(state: AppState, wave: Wave) -> str:
    """Why `wave` cannot be published now, or empty if it can."""
    if state.clock() < wave.closes:
        return (
            f"{wave_name(wave.id)}批次还在进行或尚未开始（{local_time(wave.closes)} 结束），"
            "结束后才能发布结果：发布进行中的批次会让公开数字随新答卷变化。"
        )
    if store.publication(state.db, wave.id) is not None:
        return f"{wave_name(wave.id)}的结果已经发布。要更新，请先撤回再重新发布。"
    return ""


def results(state: AppState, wave: Wave) -> dict[str, PublishedTopic]:
    """The figures publishing `wave` would make public, per topic that has responses."""
    from survey.staff.admin.snapshot import snapshot  # the analysis stack, on first use (issue 17)

    topics = wave_topics(state, wave)
    slugs = [t.slug for t in topics]
    found = frame(state.db, slugs, [wave.id])
    calls = dispositions(state.db, slugs, wave.id)
    content = state.content
    return snapshot(found, wave, topics, content.site.satisfaction, content.directory, calls)


def review(state: AppState, wave: Wave) -> Review:
    """The preview an admin confirms before publishing."""
    problem = refusal(state, wave)
    figures = results(state, wave) if not problem else {}
    topics = wave_topics(state, wave)
    shown = tuple((t, wave_view(wave, figures[t.slug])) for t in topics if t.slug in figures)
    unanswered = tuple(t for t in topics if t.slug not in figures)
    if not problem and not shown:
        problem = f"{wave_name(wave.id)}没有任何答卷，没有可发布的结果。"
    return Review(wave, wave_name(wave.id), shown, unanswered, problem)


def publish(state: AppState, actor: store.Actor, wave: Wave) -> str:
    """Publish `wave` (computed afresh, not from the preview); the refusal, or empty on success."""
    problem = refusal(state, wave)
    figures = results(state, wave) if not problem else {}
    if not problem and not figures:
        problem = f"{wave_name(wave.id)}没有任何答卷，没有可发布的结果。"
    if not problem and not store.publish(state.db, actor, wave.id, figures):
        problem = f"{wave_name(wave.id)}的结果已经发布。"  # another admin was quicker
    return problem


def _local(moment: datetime) -> str:
    """A stored UTC time in Beijing time; SQLite hands times back without a zone."""
    return local_time(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC))
