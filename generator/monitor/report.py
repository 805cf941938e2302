"""Finished text for people: the half-month table and the ranking for a terminal, and the
one-sentence summary a topic page shows ("本期诉求量 1,234 件，环比下降 12.3%")."""

from __future__ import annotations

import pandas as pd

from generator.monitor.columns import (
    CHANGE_PREV,
    CHANGE_YOY,
    DISTRICT,
    IN_TOP,
    LABEL,
    MONTH,
    PARTIAL,
    RANK,
    RETURNED,
    STREET,
    TOPIC,
    TOPIC_YEAR,
    VOLUME,
    WARNING,
    YEAR,
)


def change_text(change: object, name: str) -> str:
    """0.123 → '环比上升 12.3%'; a missing change says why it is missing."""
    if change is None or pd.isna(change):  # type: ignore[call-overload]
        return f"{name}无可比数据"
    value = float(change)  # type: ignore[arg-type]
    if value == 0:
        return f"{name}持平"
    return f"{name}{'上升' if value > 0 else '下降'} {abs(value):.1%}"


def summary_sentence(row: pd.Series) -> str:
    """One half-month row as a sentence: volume, 环比 and 同比."""
    partial = "（数据不完整）" if bool(row[PARTIAL]) else ""
    return (
        f"{row[LABEL]}{partial}诉求量 {int(row[VOLUME]):,} 件，"
        f"{change_text(row[CHANGE_PREV], '环比')}，{change_text(row[CHANGE_YOY], '同比')}"
    )


def latest_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Per topic tracked in the latest year of the table, its latest complete half month."""
    if table.empty:
        return table
    latest_year = int(table[YEAR].max())
    tracked = table.loc[(table[YEAR] == latest_year) & ~table[PARTIAL]]
    return tracked.groupby(TOPIC, sort=False).tail(1).sort_values([TOPIC_YEAR, TOPIC])


def format_half_month(table: pd.DataFrame, titles: dict[str, str]) -> str:
    """A terminal table: topic, half month, volume, 环比, 同比."""
    if table.empty:
        return "没有半月数据（尚未导入诉求记录，或没有议题）"
    view = pd.DataFrame(
        {
            "议题": table[TOPIC].map(lambda s: titles.get(s, s)),
            "年度": table[TOPIC_YEAR],
            "半月": table[LABEL] + table[PARTIAL].map({True: "*", False: ""}),
            "诉求量": table[VOLUME].map("{:,}".format),
            "环比": table[CHANGE_PREV].map(_percent),
            "同比": table[CHANGE_YOY].map(_percent),
        }
    )
    note = "\n* 该半月数据不完整" if table[PARTIAL].any() else ""
    return view.to_string(index=False) + note


def format_ranking(ranking: pd.DataFrame, month: str | None = None) -> str:
    """The top N of one month (default: the latest), with the 预警约谈 flags."""
    if ranking.empty:
        return "没有排名数据（尚未导入诉求记录）"
    month = month or str(ranking[MONTH].max())
    top = ranking.loc[(ranking[MONTH] == month) & ranking[IN_TOP]]
    if top.empty:
        return f"{month} 没有排名数据"
    view = pd.DataFrame(
        {
            "名次": top[RANK],
            "区": top[DISTRICT],
            "街乡镇": top[STREET],
            "诉求量": top[VOLUME].map("{:,}".format),
            "预警约谈": top[WARNING].map({True: "是", False: ""}),
            "曾出列后回升": top[RETURNED].map({True: "是", False: ""}),
        }
    )
    return f"{month} 街乡镇诉求量排名（前 {len(top)} 名）\n" + view.to_string(index=False)


def _percent(value: object) -> str:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return "—"
    return f"{float(value):+.1%}"  # type: ignore[arg-type]
