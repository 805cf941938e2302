"""Monitoring pages: each topic's half-month volumes, the city-wide page, a ranking per month.

Figures come from generator.monitor (pure pandas); here they only become finished rows for
templates: formatted numbers, Chinese change phrases, a chart with its text equivalent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

import pandas as pd

from generator.content.loader import Content
from generator.content.models import Topic
from generator.monitor import columns as col
from generator.monitor.api import MonitoringTables, latest_rows, summary_sentence
from generator.monitor.report import RISING_MARK, change_text, latest_rises
from generator.monitor.rising import rule_text
from generator.site.render.cached import volume_chart

RANKING_DIR = "monitoring/ranking"


@dataclass(frozen=True)
class Monitoring:
    """The tables of one build and whether they come from the shipped synthetic sample."""

    tables: MonitoringTables
    sample: bool

    # Split once: filtering the whole table again for each of 100 topics and 60 months was
    # most of the monitoring pages' time.
    @cached_property
    def by_topic(self) -> dict[str, pd.DataFrame]:
        """Each topic's half-month rows, oldest first."""
        table = self.tables.half_month.sort_values([col.TOPIC, col.START], kind="stable")
        return {str(slug): rows for slug, rows in table.groupby(col.TOPIC, sort=False)}

    @cached_property
    def ranking_by_month(self) -> dict[str, pd.DataFrame]:
        """Each month's street ranking rows."""
        return _by_month(self.tables.ranking)

    @cached_property
    def districts_by_month(self) -> dict[str, pd.DataFrame]:
        """Each month's district rows."""
        return _by_month(self.tables.districts)


def _by_month(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {str(month): rows for month, rows in table.groupby(col.MONTH, sort=False)}


def topic_rows(monitoring: Monitoring, topic: Topic) -> pd.DataFrame:
    """The topic's half-month rows, oldest first."""
    empty = monitoring.tables.half_month.iloc[0:0]
    return monitoring.by_topic.get(topic.slug, empty)


def topic_monitoring(monitoring: Monitoring, topic: Topic) -> dict[str, Any] | None:
    """Chart, table rows and summary for a topic's monitoring page; None when the records do
    not reach the topic's years. A topic with no matching record has its page: 0 is a figure."""
    rows = topic_rows(monitoring, topic)
    if rows.empty:
        return None
    complete = rows.loc[~rows[col.PARTIAL]]
    latest = complete.iloc[-1] if not complete.empty else rows.iloc[-1]
    summary = summary_sentence(latest)
    chart = volume_chart(
        rows[col.LABEL].tolist(),
        rows[col.VOLUME].tolist(),
        f"{topic.title}半月诉求量折线图。{summary}",
    )
    return {
        "chart": chart,
        "summary": summary,
        "rows": _half_rows(rows),
        "none": int(rows[col.VOLUME].sum()) == 0,
        "rising": [str(label) for label in rows.loc[rows[col.RISING], col.LABEL]],
        "rule": rule_text("半月"),
        "sample": monitoring.sample,
    }


def _half_rows(rows: pd.DataFrame) -> list[dict[str, str]]:
    return [
        {
            "label": str(r[col.LABEL]) + ("（不完整）" if bool(r[col.PARTIAL]) else ""),
            "volume": f"{int(r[col.VOLUME]):,}",
            "prev": _change(r[col.CHANGE_PREV]),
            "yoy": _change(r[col.CHANGE_YOY]),
            "rising": _rise(r),
        }
        for r in records(rows)
    ]


def records(rows: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """Each row as a dict of plain values: `iterrows` builds a Series per row, which cost more
    than the rest of the monitoring pages together (about 6,600 rows at 100 topics)."""
    return iter(cast(list[dict[str, Any]], rows.to_dict("records")))


def _rise(row: Mapping[str, Any]) -> str:
    """The 突增 cell: said either way, so a phone's card never shows an empty field."""
    return RISING_MARK if bool(row[col.RISING]) else "否"


def _change(value: object) -> str:
    """-0.123 → '下降 12.3%'; no comparison → '—'."""
    text = change_text(value, "")
    return "—" if text == "无可比数据" else text


def city_context(content: Content, monitoring: Monitoring) -> dict[str, Any]:
    """The city-wide page: latest half month of every tracked topic, districts, ranking months."""
    titles = {t.slug: t for t in content.topics}
    topics = _topic_rows(latest_rows(monitoring.tables.half_month), titles)
    # The half month under way counts too: a partial count already over the line is a rise.
    rising = _topic_rows(latest_rises(monitoring.tables.half_month), titles)
    months = sorted(monitoring.tables.ranking[col.MONTH].unique(), reverse=True)
    latest_month = months[0] if months else None
    return {
        "latest_topics": topics,
        "rising_topics": rising,
        "rising_streets": _rising_streets(_month(monitoring.ranking_by_month, latest_month)),
        "topic_rule": rule_text("半月"),
        "street_rule": rule_text("月"),
        "districts": _district_rows(_month(monitoring.districts_by_month, latest_month)),
        "latest_month": latest_month,
        "months_by_year": _by_year(months),
        "sample": monitoring.sample,
    }


def _topic_rows(rows: pd.DataFrame, titles: dict[str, Topic]) -> list[dict[str, Any]]:
    return [
        {"topic": titles[r[col.TOPIC]], "summary": summary_sentence(r),
         "label": str(r[col.LABEL]) + ("（不完整）" if bool(r[col.PARTIAL]) else ""),
         "volume": f"{int(r[col.VOLUME]):,}", "prev": _change(r[col.CHANGE_PREV]),
         "yoy": _change(r[col.CHANGE_YOY]),
         "rising": _rise(r)}
        for r in records(rows)
        if r[col.TOPIC] in titles
    ]  # fmt: skip


def _month(by_month: dict[str, pd.DataFrame], month: str | None) -> pd.DataFrame | None:
    """One month's rows (None when there is no such month: no rows)."""
    return by_month.get(month) if month is not None else None


def _rising_streets(month_rows: pd.DataFrame | None) -> list[dict[str, str]]:
    """The month's streets that rose suddenly, largest first, with their baseline."""
    if month_rows is None:
        return []
    rows = month_rows.loc[month_rows[col.RISING]]
    return [
        {"street": r[col.STREET], "district": r[col.DISTRICT], "volume": f"{int(r[col.VOLUME]):,}",
         "baseline": f"{float(r[col.BASELINE]):,.1f}".removesuffix(".0"),
         "rank": str(int(r[col.RANK]))}
        for r in records(rows.sort_values(col.VOLUME, ascending=False, kind="stable"))
    ]  # fmt: skip


def _by_year(months: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for month in months:
        grouped.setdefault(month[:4], []).append(month)
    return grouped


def _district_rows(month_rows: pd.DataFrame | None) -> list[dict[str, str]]:
    if month_rows is None:
        return []
    rows = month_rows.sort_values(col.PER_10K, ascending=False)
    return [
        {"district": r[col.DISTRICT], "volume": f"{int(r[col.VOLUME]):,}",
         "per_10k": "—" if pd.isna(r[col.PER_10K]) else f"{float(r[col.PER_10K]):.2f}"}
        for r in records(rows)
    ]  # fmt: skip


def ranking_context(monitoring: Monitoring, month: str) -> dict[str, Any]:
    """One month's top streets with their 预警约谈 flags, and the district rates."""
    ranking = _month(monitoring.ranking_by_month, month)
    top = pd.DataFrame() if ranking is None else ranking.loc[ranking[col.IN_TOP]]
    rows = [
        {"rank": int(r[col.RANK]), "street": r[col.STREET], "district": r[col.DISTRICT],
         "volume": f"{int(r[col.VOLUME]):,}", "warning": bool(r[col.WARNING]),
         "status": _status(r), "rising": _rise(r)}
        for r in records(top.sort_values(col.RANK) if not top.empty else top)
    ]  # fmt: skip
    return {
        "month": month,
        "rows": rows,
        "rising_streets": _rising_streets(ranking),
        "street_rule": rule_text("月"),
        "warnings": sum(r["warning"] for r in rows),
        "districts": _district_rows(_month(monitoring.districts_by_month, month)),
        "sample": monitoring.sample,
    }


def _status(row: Mapping[str, Any]) -> str:
    if bool(row[col.ON_LIST]):
        return "已在治理类街乡镇名单中，不预警"
    if bool(row[col.RETURNED]):
        return "预警约谈：曾退出治理类名单，现再次进入前列"
    return "预警约谈：不在治理类街乡镇名单中"


def ranking_months(monitoring: Monitoring) -> list[str]:
    """Every month that has a ranking page."""
    return sorted(monitoring.tables.ranking[col.MONTH].unique())
