"""Monitoring pages: each topic's half-month volumes, the city-wide page, a ranking per month.

Figures come from generator.monitor (pure pandas); here they only become finished rows for
templates: formatted numbers, Chinese change phrases, a chart with its text equivalent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from generator.content.loader import Content
from generator.content.models import Topic
from generator.monitor import columns as col
from generator.monitor.api import MonitoringTables, latest_rows, summary_sentence
from generator.monitor.report import RISING_MARK, change_text, latest_rises
from generator.monitor.rising import rule_text
from generator.site.render.cached import volume_chart

RANKING_DIR = "monitoring/ranking"


Row = dict[str, Any]  # one row of a monitoring table, as plain values (`records`)


@dataclass(frozen=True)
class Monitoring:
    """The tables of one build and whether they come from the shipped synthetic sample."""

    tables: MonitoringTables
    sample: bool

    # Each table becomes rows once and is split once: filtering and converting the tables again
    # for each of 100 topics and 60 months was most of the monitoring pages' time.
    @cached_property
    def by_topic(self) -> dict[str, list[Row]]:
        """Each topic's half-month rows, oldest first."""
        table = self.tables.half_month.sort_values([col.TOPIC, col.START], kind="stable")
        return _split(table, col.TOPIC)

    @cached_property
    def ranking_by_month(self) -> dict[str, list[Row]]:
        """Each month's street ranking rows the pages show (the top and the sudden rises), by
        rank: the other streets, 95% of 20,000 rows at 60 months, are on no page."""
        ranking = self.tables.ranking
        return _split(ranking.loc[ranking[col.IN_TOP] | ranking[col.RISING]], col.MONTH)

    @cached_property
    def districts_by_month(self) -> dict[str, list[Row]]:
        """Each month's district rows."""
        return _split(self.tables.districts, col.MONTH)


def _split(table: pd.DataFrame, column: str) -> dict[str, list[Row]]:
    """`table`'s rows grouped by `column`, each group in the table's order."""
    groups: dict[str, list[Row]] = {}
    for row in records(table):
        groups.setdefault(str(row[column]), []).append(row)
    return groups


def topic_monitoring(monitoring: Monitoring, topic: Topic) -> dict[str, Any] | None:
    """Chart, table rows and summary for a topic's monitoring page; None when the records do
    not reach the topic's years. A topic with no matching record has its page: 0 is a figure."""
    rows = monitoring.by_topic.get(topic.slug, [])
    if not rows:
        return None
    complete = [row for row in rows if not row[col.PARTIAL]]
    summary = summary_sentence(complete[-1] if complete else rows[-1])
    volumes = [row[col.VOLUME] for row in rows]
    chart = volume_chart(
        [row[col.LABEL] for row in rows], volumes, f"{topic.title}半月诉求量折线图。{summary}"
    )
    return {
        "chart": chart,
        "summary": summary,
        "rows": _half_rows(rows),
        "none": int(sum(volumes)) == 0,
        "rising": [str(row[col.LABEL]) for row in rows if row[col.RISING]],
        "rule": rule_text("半月"),
        "sample": monitoring.sample,
    }


def _half_rows(rows: list[Row]) -> list[dict[str, str]]:
    return [
        {
            "label": str(r[col.LABEL]) + ("（不完整）" if bool(r[col.PARTIAL]) else ""),
            "volume": f"{int(r[col.VOLUME]):,}",
            "prev": _change(r[col.CHANGE_PREV]),
            "yoy": _change(r[col.CHANGE_YOY]),
            "rising": _rise(r),
        }
        for r in rows
    ]


def records(rows: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """Each row as a dict of plain values, as `rows.to_dict("records")` gives them.

    `iterrows` builds a Series per row, which cost more than the rest of the monitoring pages
    together (about 6,600 rows at 100 topics); `to_dict` costs about 2 ms per call on frames
    this small (284 calls at 100 topics: most of the monitoring pages' time again). A column's
    `tolist` gives the same plain values (Python numbers and bools, Timestamps, NaN) at a
    fraction of that (tests/generator/site/render/test_monitoring.py compares the two).
    """
    names = [str(name) for name in rows.columns]
    columns = [_plain(rows.iloc[:, at]) for at in range(len(names))]
    return (dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True))


def _plain(column: pd.Series) -> list[Any]:
    """A column's values as `to_dict` gives them: a nullable column's NA as None."""
    values = column.tolist()
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and column.hasnans:
        return [None if value is pd.NA else value for value in values]
    return values


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
    # As for topics, the latest complete month; a month cut by the data's end only if alone.
    complete = [m for m in months if m not in monitoring.tables.cut_months]
    latest_month = (complete or months or [None])[0]
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


def _month(by_month: dict[str, list[Row]], month: str | None) -> list[Row]:
    """One month's rows (none when there is no such month)."""
    return by_month.get(month, []) if month is not None else []


def _rising_streets(month_rows: list[Row]) -> list[dict[str, str]]:
    """The month's streets that rose suddenly, largest first, with their baseline."""
    rows = sorted((r for r in month_rows if r[col.RISING]), key=lambda r: -r[col.VOLUME])
    return [
        {"street": r[col.STREET], "district": r[col.DISTRICT], "volume": f"{int(r[col.VOLUME]):,}",
         "baseline": f"{float(r[col.BASELINE]):,.1f}".removesuffix(".0"),
         "rank": str(int(r[col.RANK]))}
        for r in rows
    ]  # fmt: skip


def _by_year(months: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for month in months:
        grouped.setdefault(month[:4], []).append(month)
    return grouped


def _district_rows(month_rows: list[Row]) -> list[dict[str, str]]:
    """Districts by rate per 10,000 residents, highest first; those without a rate last."""
    rows = sorted(month_rows, key=lambda r: (pd.isna(r[col.PER_10K]), -_rate(r)))
    return [
        {"district": r[col.DISTRICT], "volume": f"{int(r[col.VOLUME]):,}",
         "per_10k": "—" if pd.isna(r[col.PER_10K]) else f"{float(r[col.PER_10K]):.2f}"}
        for r in rows
    ]  # fmt: skip


def _rate(row: Row) -> float:
    return 0.0 if pd.isna(row[col.PER_10K]) else float(row[col.PER_10K])


def ranking_context(monitoring: Monitoring, month: str) -> dict[str, Any]:
    """One month's top streets with their 预警约谈 flags, and the district rates."""
    ranking = _month(monitoring.ranking_by_month, month)
    top = sorted((r for r in ranking if r[col.IN_TOP]), key=lambda r: int(r[col.RANK]))
    rows = [
        {"rank": int(r[col.RANK]), "street": r[col.STREET], "district": r[col.DISTRICT],
         "volume": f"{int(r[col.VOLUME]):,}", "warning": bool(r[col.WARNING]),
         "status": _status(r), "rising": _rise(r)}
        for r in top
    ]  # fmt: skip
    return {
        "month": month,
        "cut": _cut_note(monitoring, month),
        "rows": rows,
        "rising_streets": _rising_streets(ranking),
        "street_rule": rule_text("月"),
        "warnings": sum(r["warning"] for r in rows),
        "districts": _district_rows(_month(monitoring.districts_by_month, month)),
        "sample": monitoring.sample,
    }


def _cut_note(monitoring: Monitoring, month: str) -> str:
    """For a month the data covers only in part, where the records start or end in it."""
    if month not in monitoring.tables.cut_months:
        return ""
    first, last = monitoring.tables.coverage
    if last is not None and f"{last:%Y-%m}" == month:
        return f"记录截至 {last.month}月{last.day}日"
    return f"记录从 {first.month}月{first.day}日开始" if first is not None else ""


def _status(row: Mapping[str, Any]) -> str:
    if bool(row[col.ON_LIST]):
        return "已在治理类街乡镇名单中，不预警"
    if bool(row[col.RETURNED]):
        return "预警约谈：曾退出治理类名单，现再次进入前列"
    return "预警约谈：不在治理类街乡镇名单中"


def ranking_months(monitoring: Monitoring) -> list[str]:
    """Every month that has a ranking page."""
    return sorted(monitoring.tables.ranking[col.MONTH].unique())
