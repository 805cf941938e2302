"""What the site build calls: records from the store (or the shipped sample) → tables.

loaded = load_records(content)                  # store if it has records, else the sample
tables = monitoring_for_site(content, loaded.records)
tables.half_month   # per topic and half month: volume, 环比, 同比 (see halfmonth.TABLE_COLUMNS)
tables.ranking      # per month, all 343 街乡镇 ranked, with 预警约谈 flags (ranking.RANKING_COLUMNS)
tables.districts    # per month and district: volume and per 10,000 residents
summary_sentence(row)  # "2025年3月上半月诉求量 1,234 件，环比下降 12.3%，同比…"
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd

from generator.content.loader import Content
from generator.errors import YitiError
from generator.monitor.governance import governance_frame, load_governance
from generator.monitor.halfmonth import coverage, half_month_table
from generator.monitor.importer import read_valid
from generator.monitor.places import districts_frame, streets_frame
from generator.monitor.ranking import DEFAULT_TOP_N, cut_months, district_rates, street_ranking
from generator.monitor.report import latest_rows, summary_sentence
from generator.monitor.store import ANALYSIS_COLUMNS, DEFAULT_STORE, part_files, read_records
from generator.monitor.topics import assign_topics, rules_frame

SAMPLE_RECORDS = Path("monitoring/sample-records.csv")  # inside the content folder

__all__ = [
    "LoadedRecords",
    "MonitoringTables",
    "latest_rows",
    "load_records",
    "monitoring_for_site",
    "summary_sentence",
]


class LoadedRecords(NamedTuple):
    """Records and whether they are the shipped sample (pages must then say so)."""

    records: pd.DataFrame
    sample: bool


class MonitoringTables(NamedTuple):
    """Everything the monitoring pages show, computed once per build."""

    half_month: pd.DataFrame
    ranking: pd.DataFrame
    districts: pd.DataFrame
    cut_months: frozenset[str] = frozenset()  # 'YYYY-MM' months the data covers only in part
    coverage: tuple[pd.Timestamp | None, pd.Timestamp | None] = (None, None)  # first, last


def load_records(
    content: Content, store: Path = DEFAULT_STORE, columns: tuple[str, ...] = ANALYSIS_COLUMNS
) -> LoadedRecords:
    """The store's records if any were imported, else the sample in the content folder.

    Only `columns` are loaded: by default what the tables need, not ids or kinds.
    """
    if part_files(store):
        return LoadedRecords(read_records(store, columns), sample=False)
    path = content.root / SAMPLE_RECORDS
    if not path.is_file():
        return LoadedRecords(read_records(store, columns), sample=True)
    records, rejects, _ = read_valid(path, content.directory)
    if len(rejects):
        raise YitiError(
            f"{path}：示例数据有 {len(rejects)} 行不合格，第一行：{rejects.iloc[0].to_dict()}"
        )
    return LoadedRecords(records.loc[:, list(columns)], sample=True)


def monitoring_for_site(
    content: Content, records: pd.DataFrame, top_n: int = DEFAULT_TOP_N
) -> MonitoringTables:
    """Half-month table for every topic, monthly street ranking, district rates."""
    rules = rules_frame(content.topics)
    first, last = coverage(records)
    governance = governance_frame(load_governance(content.root, content.directory))
    return MonitoringTables(
        half_month=half_month_table(assign_topics(records, rules), rules, first, last),
        ranking=street_ranking(records, streets_frame(content.directory), governance, top_n),
        districts=district_rates(records, districts_frame(content.directory)),
        cut_months=cut_months(first, last),
        coverage=(first, last),
    )
