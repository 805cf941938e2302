"""Which pages the site has and what each is given: the registry that rendering, validation and
tests all read (STYLE.md: registries as data)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from generator.content.calendar import next_wave, open_wave, wave_label
from generator.content.loader import Content
from generator.content.models import Topic
from generator.content.models.site import Wave
from generator.site.render.flowchart import PHONE_COLUMN, inline_svg, natural_width
from generator.site.render.markup import answer_html, marked_answer
from generator.site.render.views import materials, step_views, target_view

SURVEY_PREFIX = "/survey"


@dataclass(frozen=True)
class Section:
    """One part of a topic's guide: its file, its name in links, its template."""

    key: str
    filename: str
    title: str
    template: str
    # Material's sidebars to leave out: the 一表 needs the whole width for its nine columns.
    hide: tuple[str, ...] = ()
    # In the search index (see the sections that are not).
    searched: bool = True


SECTIONS: tuple[Section, ...] = (
    Section("overview", "index.md", "概况与进展", "topic/overview.md.j2"),
    Section("duties", "duties.md", "一单：职责清单", "topic/duties.md.j2"),
    Section(
        "procedure",
        "procedure.md",
        "一表：办理流程表",
        "topic/procedure.md.j2",
        hide=("navigation", "toc"),
    ),
    # Out of the search index: its text version repeats the 一表's steps, which the 一表 page
    # indexes as a summary (step names and materials); a fifth of the index went here.
    Section(
        "flowchart", "flowchart.md", "一图：办理流程图", "topic/flowchart.md.j2", searched=False
    ),
    Section("qa", "qa.md", "一问答：政策问答", "topic/qa.md.j2"),
    # Only for topics with complaint records, or with published survey results (no empty sections).
    # Out of the search index: half-month counts answer no search, and the topic's overview
    # already carries the latest one in words.
    Section("monitoring", "monitoring.md", "诉求量监测", "topic/monitoring.md.j2", searched=False),
    Section("results", "results.md", "满意度调查结果", "topic/results.md.j2"),
)
OPTIONAL_SECTIONS = frozenset({"monitoring", "results"})


def topic_dir(topic: Topic) -> str:
    """Docs-relative folder of a topic's pages."""
    return f"topics/{topic.year}/{topic.slug}"


def rel(from_page: str, to_page: str) -> str:
    """Relative link between two docs paths, as MkDocs validates and rewrites them."""
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def survey_url(topic: Topic, wave: Wave) -> str:
    """Where the survey app serves this topic's wave (same origin, under /survey)."""
    return f"{SURVEY_PREFIX}/{topic.slug}/{wave.id}/?channel=link"


@dataclass(frozen=True)
class OpenSurvey:
    """A topic's open survey as residents read it: which survey, until when, how to get in."""

    topic: Topic
    name: str  # 2026 年年底调查
    closes: str  # Beijing time, to the minute
    url: str
    invitation: bool  # only residents with a single-use code sent to them can answer


def open_survey(content: Content, topic: Topic, now: datetime) -> OpenSurvey | None:
    """The topic's survey open at `now`, if any."""
    wave = open_wave(content.site, topic, now)
    if wave is None:
        return None
    asked = content.questionnaires.for_wave(topic.slug, wave.id)
    return OpenSurvey(
        topic=topic,
        name=f"{wave_label(wave.id)}调查",
        closes=wave.closes.strftime("%Y-%m-%d %H:%M"),
        url=survey_url(topic, wave),
        invitation=asked is not None and asked.access == "invitation",
    )


def flowchart_title(topic: Topic) -> str:
    """The accessible name of a topic's flowchart."""
    return f"{topic.title}：{topic.procedure.title}流程图"


def topic_context(content: Content, topic: Topic, now: datetime, svg: str) -> dict[str, Any]:
    """Everything every section page of `topic` needs, computed once."""
    base = topic_dir(topic)
    return {
        "topic": topic,
        "base": base,
        "sections": SECTIONS,
        "targets": [target_view(t) for t in topic.plan.targets],
        "steps": step_views(topic.procedure),
        "materials": materials(topic.procedure),
        "svg": svg,
        "svg_inline": inline_svg(svg),
        "svg_scrolls": natural_width(svg) > PHONE_COLUMN,
        "qa": [(q, marked_answer(answer_html(q.answer))) for q in topic.qa],
        "survey": open_survey(content, topic, now),
        "year_page": rel(f"{base}/index.md", f"years/{topic.year}.md"),
    }


def site_context(content: Content, now: datetime) -> dict[str, Any]:
    """What the home, index and about pages need."""
    current = content.topics_of(content.site.current_year)
    open_now = [s for t in content.topics if (s := open_survey(content, t, now)) is not None]
    upcoming = next_wave(content.site, now)
    themes: dict[str, list[Topic]] = {}
    for topic in sorted(content.topics, key=lambda t: (-t.year, t.month, t.slug)):
        themes.setdefault(topic.theme, []).append(topic)
    return {
        "site": content.site,
        "content": content,
        "current_topics": current,
        "open_surveys": open_now,
        "next_wave": upcoming,
        "next_wave_name": f"{wave_label(upcoming.id)}调查" if upcoming else "",
        "themes": themes,
        "directory": content.directory,
        "topic_dir": topic_dir,
    }
