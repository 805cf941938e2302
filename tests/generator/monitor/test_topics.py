"""Topic assignment by each topic's monitoring rule."""

from __future__ import annotations

import pandas as pd
from pandas.testing import assert_frame_equal

from generator.content.loader import Content
from generator.monitor.columns import (
    CATEGORIES,
    CATEGORY,
    EXCLUDE,
    KEYWORDS,
    RECEIVED_AT,
    REQUEST_ID,
    TEXT,
    TOPIC,
    TOPIC_YEAR,
)
from generator.monitor.topics import (
    HIT_COLUMNS,
    assign_topics,
    contains,
    counted_years,
    rules_frame,
)


def records(rows: list[tuple[str, str, str, str | None]]) -> pd.DataFrame:
    """Records with only the columns assignment reads: id, time, category, text."""
    ids, times, categories, texts = zip(*rows, strict=True) if rows else ([], [], [], [])
    return pd.DataFrame(
        {
            REQUEST_ID: pd.Series(ids, dtype="str"),
            RECEIVED_AT: pd.Series(
                pd.to_datetime(list(times), format="ISO8601"), dtype="datetime64[s]"
            ),
            CATEGORY: pd.Categorical(categories),
            TEXT: pd.Series(texts, dtype="str"),
        }
    )


def hits(rows: list[tuple[str, int, str, str]]) -> pd.DataFrame:
    """Expected hits, in HIT_COLUMNS order."""
    frame = pd.DataFrame(rows, columns=list(HIT_COLUMNS))
    return frame.astype(
        {TOPIC: "str", TOPIC_YEAR: "int64", REQUEST_ID: "str", RECEIVED_AT: "datetime64[s]"}
    )


def test_rules_come_from_each_topics_monitoring_section(content: Content) -> None:
    frame = rules_frame(content.topics)
    ebike = frame.loc[frame[TOPIC] == "ebike-charging"].iloc[0]
    assert ebike[TOPIC_YEAR] == 2024
    assert ebike[CATEGORIES] == ("城乡建设",)
    assert "充电桩" in ebike[KEYWORDS] and "电动汽车" in ebike[EXCLUDE]


def test_category_narrows_keyword_decides_and_exclusions_win(rules: pd.DataFrame) -> None:
    found = assign_topics(
        records(
            [
                ("R1", "2024-05-01 10:00", "住房", "老楼加装电梯进度慢"),
                ("R2", "2024-05-01 11:00", "城乡建设", "加装电梯噪音"),  # wrong category
                ("R3", "2024-05-02 09:00", "城乡建设", "楼下飞线充电危险"),
                ("R4", "2024-05-02 10:00", "城乡建设", "小区电动汽车充电桩不够"),  # excluded
                ("R5", "2024-05-03 10:00", "住房", None),  # no text: no topic
            ]
        ),
        rules,
    )
    expected = hits(
        [("elevators", 2024, "R1", "2024-05-01 10:00"), ("ebike", 2024, "R3", "2024-05-02 09:00")]
    )
    assert_frame_equal(found, expected)


def test_a_record_can_count_toward_two_topics(rules: pd.DataFrame) -> None:
    found = assign_topics(records([("R1", "2024-01-01", "住房", "加装电梯后楼道飞线充电")]), rules)
    assert found[TOPIC].tolist() == ["elevators", "ebike"]


def test_records_count_from_the_year_before_to_the_year_after_the_topic(
    rules: pd.DataFrame,
) -> None:
    assert counted_years(2024) == (2023, 2025)
    found = assign_topics(
        records(
            [
                ("R1", "2022-12-31 23:59:59", "住房", "加装电梯"),
                ("R2", "2023-01-01 00:00:00", "住房", "加装电梯"),
                ("R3", "2025-12-31 23:59:59", "住房", "加装电梯"),
                ("R4", "2026-01-01 00:00:00", "住房", "加装电梯"),
            ]
        ),
        rules.iloc[:1],
    )
    assert found[REQUEST_ID].tolist() == ["R2", "R3"]


def test_no_records_or_no_rules_give_no_hits(rules: pd.DataFrame) -> None:
    empty = hits([])
    assert_frame_equal(assign_topics(records([]), rules), empty)
    one = records([("R1", "2024-01-01", "住房", "加装电梯")])
    assert_frame_equal(assign_topics(one, rules.iloc[:0]), empty)


def test_hits_carry_request_ids_only_when_the_records_have_them(rules: pd.DataFrame) -> None:
    one = records([("R1", "2024-01-01", "住房", "加装电梯")]).drop(columns=REQUEST_ID)
    found = assign_topics(one, rules)
    assert list(found.columns) == [TOPIC, TOPIC_YEAR, RECEIVED_AT]


def test_contains_keeps_row_order_across_slices_and_missing_text_never_matches() -> None:
    text = pd.Series(["加装电梯", None, "电梯加装好了", "物业费", "", "充电桩"] * 3, dtype="str")
    expected = [True, False, True, False, False, False] * 3
    assert contains(text, "加装电梯|电梯加装").tolist() == expected
    assert contains(text.iloc[[2, 0]], "加装").tolist() == [True, True]
    assert contains(pd.Series([], dtype="str"), "x").tolist() == []
