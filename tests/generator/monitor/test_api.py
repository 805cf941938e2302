"""What the site calls, and the sentences and terminal tables people read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from generator.content.loader import Content
from generator.monitor.api import SAMPLE_RECORDS, load_records, monitoring_for_site
from generator.monitor.columns import (
    CHANGE_PREV,
    CHANGE_YOY,
    IN_TOP,
    LABEL,
    MONTH,
    PARTIAL,
    RECORD_COLUMNS,
    RISING,
    TOPIC,
    TOPIC_YEAR,
    VOLUME,
    WARNING,
    YEAR,
)
from generator.monitor.halfmonth import TABLE_COLUMNS
from generator.monitor.ranking import DISTRICT_COLUMNS, RANKING_COLUMNS
from generator.monitor.report import (
    change_text,
    format_half_month,
    format_ranking,
    latest_rows,
    summary_sentence,
)
from generator.monitor.store import ANALYSIS_COLUMNS, write_part
from tests.conftest import CONTENT


def test_the_shipped_sample_is_small_valid_and_covers_the_topic_years(content: Content) -> None:
    assert (CONTENT / SAMPLE_RECORDS).stat().st_size < 1_000_000
    loaded = load_records(content, Path("/nonexistent-store"))
    assert loaded.sample
    years = set(loaded.records["received_at"].dt.year)
    assert {t.year for t in content.topics} | {min(t.year for t in content.topics) - 1} <= years


def test_the_site_gets_every_topic_each_month_ranked_and_district_rates(content: Content) -> None:
    records = load_records(content, Path("/nonexistent-store")).records
    tables = monitoring_for_site(content, records)
    assert list(tables.half_month.columns) == list(TABLE_COLUMNS)
    assert list(tables.ranking.columns) == list(RANKING_COLUMNS)
    assert list(tables.districts.columns) == list(DISTRICT_COLUMNS)
    assert set(tables.half_month[TOPIC]) == {t.slug for t in content.topics}
    per_month = tables.ranking.groupby(MONTH).size()
    assert per_month.eq(343).all() and len(per_month) == 60
    assert tables.ranking[WARNING].any() and tables.ranking[IN_TOP].any()
    assert tables.half_month[CHANGE_YOY].notna().any()


def test_stored_records_win_over_the_sample(tmp_path: Path, content: Content) -> None:
    records = (
        pd.DataFrame(
            {
                "request_id": ["S1"],
                "received_at": pd.Series([pd.Timestamp("2024-05-01")], dtype="datetime64[s]"),
                "kind": ["投诉"],
                "category": ["住房"],
                "district": ["东城区"],
                "street": ["东华门街道"],
                "text": ["物业费"],
            }
        )
        .astype("str")
        .astype({"received_at": "datetime64[s]"})
    )
    write_part(tmp_path, [records])
    loaded = load_records(content, tmp_path)
    assert not loaded.sample and loaded.records["text"].tolist() == ["物业费"]
    assert list(loaded.records.columns) == list(ANALYSIS_COLUMNS)
    every = load_records(content, tmp_path, RECORD_COLUMNS).records
    assert every["request_id"].tolist() == ["S1"]


def test_no_records_at_all_give_empty_tables(tmp_path: Path, content: Content) -> None:
    (tmp_path / "content").symlink_to(CONTENT)
    empty = load_records(content, tmp_path).records.iloc[:0]
    tables = monitoring_for_site(content, empty)
    assert tables.half_month.empty and tables.ranking.empty and tables.districts.empty


def row(
    volume: int, prev: object, yoy: object, partial: bool = False, rise: bool = False
) -> pd.Series:
    return pd.Series(
        {
            LABEL: "2025年3月上半月",
            VOLUME: volume,
            CHANGE_PREV: prev,
            CHANGE_YOY: yoy,
            PARTIAL: partial,
            RISING: rise,
        }
    )


def test_summary_sentence_says_volume_and_both_changes() -> None:
    assert summary_sentence(row(1234, -0.1234, 0.05)) == (
        "2025年3月上半月诉求量 1,234 件，环比下降 12.3%，同比上升 5.0%"
    )
    assert summary_sentence(row(0, 0.0, pd.NA, partial=True)) == (
        "2025年3月上半月（数据不完整）无相关诉求（0 件），环比持平，同比无可比数据"
    )
    assert summary_sentence(row(45, 2.0, pd.NA, rise=True)) == (
        "2025年3月上半月诉求量 45 件，环比上升 200.0%，同比无可比数据，突增"
    )
    assert change_text(None, "环比") == "环比无可比数据"


def test_latest_rows_pick_each_tracked_topics_last_complete_half_month() -> None:
    table = pd.DataFrame(
        {
            TOPIC: ["a", "a", "a", "b", "old"],
            TOPIC_YEAR: [2024, 2024, 2024, 2023, 2022],
            YEAR: [2024, 2024, 2024, 2024, 2023],
            LABEL: ["1上", "1下", "2上", "1下", "12下"],
            PARTIAL: [False, False, True, False, False],
        }
    )
    assert latest_rows(table)[LABEL].tolist() == ["1下", "1下"]


def test_terminal_tables_show_titles_marks_and_flags(content: Content) -> None:
    tables = monitoring_for_site(content, load_records(content, Path("/none")).records)
    text = format_half_month(latest_rows(tables.half_month), {"ebike-charging": "电动自行车充电"})
    assert "电动自行车充电" in text and "环比" in text
    ranking = format_ranking(tables.ranking, "2024-12")
    assert ranking.startswith("2024-12 街乡镇诉求量排名") and "预警约谈" in ranking
    assert format_ranking(tables.ranking.iloc[:0]) == "没有排名数据（尚未导入诉求记录）"
    assert format_ranking(tables.ranking, "1999-01") == "1999-01 没有排名数据"
