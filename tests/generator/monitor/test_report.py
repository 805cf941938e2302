"""`yiti monitor report`'s terminal tables: columns line up by display width, flags shown."""

from __future__ import annotations

import pandas as pd
from wcwidth import width

from generator.monitor.columns import (
    BASELINE,
    DISTRICT,
    IN_TOP,
    MONTH,
    RANK,
    RETURNED,
    RISING,
    STREET,
    VOLUME,
    WARNING,
)
from generator.monitor.report import aligned, format_ranking


def starts(line: str, cell: str) -> int:
    """The display column at which `cell` starts in `line`."""
    return width(line[: line.index(cell)])


def test_columns_line_up_by_display_width_with_chinese_and_latin_text() -> None:
    view = pd.DataFrame(
        {"议题": ["老楼加装电梯", "ab", "电动自行车充电设置建设"], "诉求量": ["1,234", "5", "67"]}
    )
    lines = aligned(view, right=("诉求量",)).splitlines()
    # Right-aligned numbers (and their header) end in the same display column.
    assert len({width(line) for line in lines}) == 1, lines
    assert starts(lines[1], "1,234") == starts(lines[3], "67") - 3


def test_left_aligned_text_columns_start_in_the_same_display_column() -> None:
    view = pd.DataFrame(
        {"区": ["东城区", "x"], "街乡镇": ["东华门街道", "y"], "诉求量": ["1", "2"]}
    )
    lines = aligned(view).splitlines()
    assert starts(lines[1], "东华门街道") == starts(lines[2], "y") == starts(lines[0], "街乡镇")


def ranking(*rows: tuple[int, str, int, bool, bool, bool]) -> pd.DataFrame:
    """rank, street, volume, in top, warning, rising; all in 东城区 in 2024-07."""
    return pd.DataFrame(
        [
            {MONTH: "2024-07", RANK: r, DISTRICT: "东城区", STREET: s, VOLUME: v, IN_TOP: t,
             WARNING: w, RETURNED: False, RISING: up, BASELINE: 10.0}
            for r, s, v, t, w, up in rows
        ]
    )  # fmt: skip


def test_the_ranking_flags_rises_in_the_top_and_lists_those_outside_it() -> None:
    text = format_ranking(
        ranking(
            (1, "东华门街道", 90, True, True, True),
            (2, "景山街道", 80, True, True, False),
            (3, "交道口街道", 35, False, False, True),
        )
    )
    top, others = text.split("前列以外突增的街乡镇")
    assert "东华门街道" in top and "突增" in top.splitlines()[2]
    assert "景山街道" in top and "突增" not in top.splitlines()[3]
    assert "交道口街道" in others and "交道口街道" not in top
    assert "此前连续 6 个完整月诉求量中位数的 1.5 倍及以上" in others


def test_a_month_the_data_covers_only_in_part_is_marked_in_the_ranking_title() -> None:
    table = ranking((1, "东华门街道", 90, True, True, False))
    assert format_ranking(table, cut=frozenset({"2024-07"})).splitlines()[0] == (
        "2024-07 街乡镇诉求量排名（前 1 名，本月数据不完整）"
    )
    assert format_ranking(table).splitlines()[0] == "2024-07 街乡镇诉求量排名（前 1 名）"
