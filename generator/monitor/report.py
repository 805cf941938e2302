"""Finished text for people: the half-month table and the ranking for a terminal, and the
one-sentence summary a topic page shows ("本期诉求量 1,234 件，环比下降 12.3%")."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd
from wcwidth import ljust, rjust, width

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
    RISING,
    STREET,
    TOPIC,
    TOPIC_YEAR,
    VOLUME,
    WARNING,
    YEAR,
)
from generator.monitor.rising import rule_text

RISING_MARK = "突增"


def change_text(change: object, name: str) -> str:
    """0.123 → '环比上升 12.3%'; a missing change says why it is missing."""
    if change is None or pd.isna(change):  # type: ignore[call-overload]
        return f"{name}无可比数据"
    value = float(change)  # type: ignore[arg-type]
    if value == 0:
        return f"{name}持平"
    return f"{name}{'上升' if value > 0 else '下降'} {abs(value):.1%}"


def summary_sentence(row: pd.Series | Mapping[str, Any]) -> str:
    """One half-month row as a sentence: volume (0 is a figure too), 环比, 同比, 突增."""
    partial = "（数据不完整）" if bool(row[PARTIAL]) else ""
    volume = int(row[VOLUME])
    counted = f"诉求量 {volume:,} 件" if volume else "无相关诉求（0 件）"
    rise = "，突增" if bool(row[RISING]) else ""
    return (
        f"{row[LABEL]}{partial}{counted}，"
        f"{change_text(row[CHANGE_PREV], '环比')}，{change_text(row[CHANGE_YOY], '同比')}{rise}"
    )


def latest_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Per topic tracked in the latest year of the table, its latest complete half month."""
    if table.empty:
        return table
    latest_year = int(table[YEAR].max())
    tracked = table.loc[(table[YEAR] == latest_year) & ~table[PARTIAL]]
    return tracked.groupby(TOPIC, sort=False).tail(1).sort_values([TOPIC_YEAR, TOPIC])


def latest_rises(table: pd.DataFrame) -> pd.DataFrame:
    """Per tracked topic, the latest half month flagged 突增: the one under way (a partial
    count already over the line is a rise) or else the latest complete one."""
    if table.empty:
        return table
    tracked = table.loc[table[YEAR] == int(table[YEAR].max())]
    last = tracked.groupby(TOPIC, sort=False).tail(1)
    both = pd.concat([last, latest_rows(table)])
    both = both.loc[both[RISING].astype(bool)]
    return both.groupby(TOPIC, sort=False).head(1).sort_values([TOPIC_YEAR, TOPIC])


def format_half_month(table: pd.DataFrame, titles: dict[str, str]) -> str:
    """A terminal table: topic, half month, volume, 环比, 同比, and the 突增 flag."""
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
            RISING_MARK: table[RISING].map({True: RISING_MARK, False: ""}),
        }
    )
    notes = ["* 该半月数据不完整"] if table[PARTIAL].any() else []
    notes.append(f"突增：{rule_text('半月')}")
    return "\n".join([aligned(view, right=("年度", "诉求量", "环比", "同比")), *notes])


def format_ranking(
    ranking: pd.DataFrame, month: str | None = None, cut: frozenset[str] = frozenset()
) -> str:
    """The top N of one month (default: the latest), with the 预警约谈 and 突增 flags, then
    the streets outside the top N that rose suddenly. A month in `cut` (covered by the data
    only in part: ranking.cut_months) is marked incomplete."""
    if ranking.empty:
        return "没有排名数据（尚未导入诉求记录）"
    month = month or str(ranking[MONTH].max())
    of_month = ranking.loc[ranking[MONTH] == month]
    top = of_month.loc[of_month[IN_TOP]]
    if top.empty:
        return f"{month} 没有排名数据"
    partial = "，本月数据不完整" if month in cut else ""
    title = f"{month} 街乡镇诉求量排名（前 {len(top)} 名{partial}）"
    lines = [title, aligned(_street_view(top), _RIGHT)]
    others = of_month.loc[of_month[RISING] & ~of_month[IN_TOP]]
    if len(others):
        lines += ["", f"{month} 前列以外突增的街乡镇", aligned(_street_view(others), _RIGHT)]
    return "\n".join([*lines, f"突增：{rule_text('月')}"])


_RIGHT = ("名次", "诉求量")


def _street_view(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "名次": rows[RANK],
            "区": rows[DISTRICT],
            "街乡镇": rows[STREET],
            "诉求量": rows[VOLUME].map("{:,}".format),
            "预警约谈": rows[WARNING].map({True: "是", False: ""}),
            "曾出列后回升": rows[RETURNED].map({True: "是", False: ""}),
            RISING_MARK: rows[RISING].map({True: RISING_MARK, False: ""}),
        }
    )


def aligned(view: pd.DataFrame, right: Collection[str] = ()) -> str:
    """A table for a terminal, padded by display width: a Chinese character takes two columns,
    so counting characters (as `DataFrame.to_string` does) leaves the columns crooked."""
    names = [str(c) for c in view.columns]
    cells = [names, *([str(v) for v in row] for row in view.itertuples(index=False))]
    widths = [max(width(row[i]) for row in cells) for i in range(len(names))]
    pads = [rjust if name in right else ljust for name in names]
    return "\n".join(
        "  ".join(pad(text, w) for pad, text, w in zip(pads, row, widths, strict=True)).rstrip()
        for row in cells
    )


def _percent(value: object) -> str:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return "—"
    return f"{float(value):+.1%}"  # type: ignore[arg-type]
