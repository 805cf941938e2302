"""Render every page and asset of the site into memory: docs path → text."""

from __future__ import annotations

import html
import json
from datetime import datetime
from typing import Any

from markupsafe import Markup

from generator.content.loader import Content
from generator.content.models import Topic
from generator.content.published import Published
from generator.site.render.cached import render_svgs, settle_charts
from generator.site.render.environment import environment
from generator.site.render.monitoring import (
    RANKING_DIR,
    Monitoring,
    city_context,
    ranking_context,
    ranking_months,
    topic_monitoring,
)
from generator.site.render.pages import (
    OPTIONAL_SECTIONS,
    SECTIONS,
    Section,
    flowchart_title,
    site_context,
    topic_context,
    topic_dir,
)
from generator.site.render.published import topic_results

TASK_STATUS = {
    "not_started": "未开始",
    "in_progress": "进行中",
    "done": "已完成",
    "delayed": "延期",
}
LEVELS = (("city", "市级部门"), ("district", "区级部门"), ("street", "街乡镇"))
# attr_list syntax marking the link to the page being read (a Markup: it must not be escaped).
CURRENT_MARKER = Markup('{ aria-current="page" }')


def render_site(
    content: Content,
    now: datetime,
    monitoring: Monitoring | None = None,
    published: Published | None = None,
) -> dict[str, str]:
    """All pages (Markdown) and assets (SVG) of the site, keyed by docs-relative path."""
    common = site_context(content, now)
    common["site_has_samples"] = any(t.sample for t in content.topics)
    common["street_count"] = sum(s.is_jiexiangzhen for s in content.directory.streets)
    # The year and theme indexes stay out of the search index: they repeat each topic's title
    # and summary, which its overview page is found by.
    pages = {
        "index.md": _render("index.md.j2", common, content.site.title, hide=("navigation",)),
        "themes.md": _render("themes.md.j2", common, "按主题浏览", search_exclude=True),
        "about.md": _render("about.md.j2", common, "关于本站"),
        "years/index.md": _render("years.md.j2", common, "按年度浏览", search_exclude=True),
    }
    for year in content.years():
        context = {**common, "year": year, "topics": content.topics_of(year)}
        title = f"{year} 年议题"
        pages[f"years/{year}.md"] = _render("year.md.j2", context, title, search_exclude=True)
    svgs = render_svgs([(t.procedure, flowchart_title(t)) for t in content.topics])
    for topic, svg in zip(content.topics, svgs, strict=True):
        extra = topic_monitoring(monitoring, topic) if monitoring else None
        results = topic_results(published, topic) if published else None
        pages.update(render_topic(content, topic, now, common, svg, extra, results))
    if monitoring is not None:
        pages.update(render_monitoring(content, monitoring, common))
    return settle_charts(pages)  # the charts a second process drew, if any (render/aside.py)


def render_monitoring(
    content: Content, monitoring: Monitoring, common: dict[str, Any]
) -> dict[str, str]:
    """The city-wide monitoring page and one ranking page per month."""
    pages = {
        "monitoring/index.md": _render(
            "monitoring.md.j2", {**common, **city_context(content, monitoring)}, "诉求监测"
        )
    }
    for month in ranking_months(monitoring):
        context = {**common, **ranking_context(monitoring, month)}
        title = f"{month} 街乡镇诉求量排名"
        # Out of the search index: a month of street names and counts is no answer to a
        # resident's search, and 60 months of them made the index three times its size.
        pages[f"{RANKING_DIR}/{month}.md"] = _render(
            "ranking.md.j2", context, title, search_exclude=True
        )
    return pages


def render_topic(
    content: Content,
    topic: Topic,
    now: datetime,
    common: dict[str, Any],
    svg: str | None = None,
    monitoring: dict[str, Any] | None = None,
    results: list[dict[str, Any]] | None = None,
) -> dict[str, str]:
    """The section pages and the flowchart download of one topic.

    Optional sections (monitoring, published survey results) appear only with their data.
    """
    if svg is None:
        svg = render_svgs([(topic.procedure, flowchart_title(topic))])[0]
    context = {**common, **topic_context(content, topic, now, svg)}
    present = {"monitoring": bool(monitoring), "results": bool(results)}
    sections = [s for s in SECTIONS if s.key not in OPTIONAL_SECTIONS or present[s.key]]
    context.update(
        task_status=TASK_STATUS,
        levels=LEVELS,
        current_marker=CURRENT_MARKER,
        sections=sections,
        monitoring=monitoring,
        results=results,
    )
    base = topic_dir(topic)
    out = {
        f"{base}/{section.filename}": _render(
            section.template,
            {**context, "section": section},
            page_title(topic.title, section),
            hide=section.hide,
            search_exclude=not section.searched,
        )
        for section in sections
    }
    out[f"{base}/flowchart.svg"] = context["svg"]
    return out


def page_title(topic_title: str, section: Section) -> str:
    """'老楼加装电梯' for the overview, '老楼加装电梯：办理流程表' for the parts (as the page's H1)."""
    if section.key == "overview":
        return topic_title
    return f"{topic_title}：{section.title.split('：')[-1]}"


def _render(
    template: str,
    context: dict[str, Any],
    title: str,
    hide: tuple[str, ...] = (),
    search_exclude: bool = False,
) -> str:
    """A page: front matter, then the template's Markdown.

    The title is set in front matter, HTML-escaped, because MkDocs would otherwise take it from
    the rendered H1 *unescaped* and put it into <title> and the navigation.
    """
    meta: dict[str, Any] = {"title": html.escape(title)}
    if hide:
        meta["hide"] = list(hide)
    if search_exclude:
        meta["search"] = {"exclude": True}
    front = json.dumps(meta, ensure_ascii=False)  # JSON is YAML: no quoting surprises
    body = environment().get_template(template).render(**context)
    return f"---\n{front}\n---\n\n{body}"
