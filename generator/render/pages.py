"""Which pages the site has and what each is given: the registry that rendering, validation and
tests all read (STYLE.md: registries as data)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from generator.calendar import next_wave, open_wave
from generator.loader import Content
from generator.models import Topic
from generator.models.site import Wave
from generator.render.flowchart import inline_svg
from generator.render.markup import answer_html, first_sentence
from generator.render.views import step_views, target_view

SURVEY_PREFIX = "/survey"


@dataclass(frozen=True)
class Section:
    """One part of a topic's guide: its file, its name in links, its template."""

    key: str
    filename: str
    title: str
    template: str


SECTIONS: tuple[Section, ...] = (
    Section("overview", "index.md", "概况与进展", "topic/overview.md.j2"),
    Section("duties", "duties.md", "一单：职责清单", "topic/duties.md.j2"),
    Section("procedure", "procedure.md", "一表：办理流程表", "topic/procedure.md.j2"),
    Section("flowchart", "flowchart.md", "一图：办理流程图", "topic/flowchart.md.j2"),
    Section("qa", "qa.md", "一问答：政策问答", "topic/qa.md.j2"),
    # Only for topics with complaint records, or with published survey results (no empty sections).
    Section("monitoring", "monitoring.md", "诉求量监测", "topic/monitoring.md.j2"),
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


def flowchart_title(topic: Topic) -> str:
    """The accessible name of a topic's flowchart."""
    return f"{topic.title}：{topic.procedure.title}流程图"


def topic_context(content: Content, topic: Topic, now: datetime, svg: str) -> dict[str, Any]:
    """Everything every section page of `topic` needs, computed once."""
    base = topic_dir(topic)
    wave = open_wave(content.site, topic, now)
    return {
        "topic": topic,
        "base": base,
        "sections": SECTIONS,
        "targets": [target_view(t) for t in topic.plan.targets],
        "steps": step_views(topic.procedure),
        "svg": svg,
        "svg_inline": inline_svg(svg),
        "qa": [(q, first_sentence(q.answer), answer_html(q.answer)) for q in topic.qa],
        "survey": (wave, survey_url(topic, wave)) if wave else None,
        "year_page": rel(f"{base}/index.md", f"years/{topic.year}.md"),
    }


def site_context(content: Content, now: datetime) -> dict[str, Any]:
    """What the home, index and about pages need."""
    current = content.topics_of(content.site.current_year)
    open_now = [
        (t, w, survey_url(t, w))
        for t in content.topics
        if (w := open_wave(content.site, t, now)) is not None
    ]
    themes: dict[str, list[Topic]] = {}
    for topic in sorted(content.topics, key=lambda t: (-t.year, t.month, t.slug)):
        themes.setdefault(topic.theme, []).append(topic)
    return {
        "site": content.site,
        "content": content,
        "current_topics": current,
        "open_surveys": open_now,
        "next_wave": next_wave(content.site, now),
        "themes": themes,
        "directory": content.directory,
        "topic_dir": topic_dir,
    }
