"""Benchmark complaint monitoring at Beijing scale: one year, 25,000,000 records from `synth`.

Stages, each with wall time and peak RSS (the kernel's high-water mark, reset before each
stage through /proc/self/clear_refs): synth (not counted), import (CSV → validated Parquet
store), load (store → frame), assign (topic rules), half_month (table with 环比/同比),
ranking (343 街乡镇 per month). In the same run DuckDB does the same aggregation over the same
CSV file (load, topic counts per half month with 环比/同比 lags, monthly street ranks) as the
reference, once before and once after our stages (the mean is the reference: the shared
machine's load drifts), and the topic volumes of the two are checked to agree.

    .venv/bin/python bench/monitor.py            # 25,000,000 records of 2024
    .venv/bin/python bench/monitor.py --quick    # 1,000,000 records, same code path

Year 2024 by default: its 3 topics and 2023's 2 tracked ones are all counted, the heaviest
assignment the shipped content allows. The CSV is kept in --work and reused when present.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from generator.content.loader import Content, load_content  # noqa: E402
from generator.monitor.columns import TOPIC  # noqa: E402
from generator.monitor.governance import governance_frame, load_governance  # noqa: E402
from generator.monitor.halfmonth import coverage, half_month_table  # noqa: E402
from generator.monitor.importer import import_file  # noqa: E402
from generator.monitor.places import districts_frame, streets_frame  # noqa: E402
from generator.monitor.ranking import street_ranking  # noqa: E402
from generator.monitor.store import ANALYSIS_COLUMNS, read_records  # noqa: E402
from generator.monitor.synth import build_model, chunks, write_synth  # noqa: E402
from generator.monitor.topics import assign_topics, counted_years, rules_frame  # noqa: E402

FULL, QUICK = 25_000_000, 1_000_000
TARGET_RATIO = 2.0  # our total ≤ 2 × DuckDB's
TARGET_RSS_GB = 6.0
COUNTED = ("import", "load", "assign", "half_month", "ranking")


def reset_peak() -> None:
    """Reset the kernel's peak-RSS mark (VmHWM) to the current RSS."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_gb() -> float:
    """VmHWM of this process, in GB (10^9 bytes)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e9
    raise RuntimeError("no VmHWM in /proc/self/status")


def cpu_seconds() -> float:
    """CPU time of every thread of this process so far (user + system), in seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


Results = dict[str, tuple[float, float, float]]  # stage → (wall s, peak GB, CPU s)


def stage(results: Results, name: str, run: Callable[[], Any]) -> Any:
    """Run one stage; record (seconds, peak GB, CPU seconds) under `name`."""
    gc.collect()
    reset_peak()
    start, cpu = time.perf_counter(), cpu_seconds()
    value = run()
    results[name] = (time.perf_counter() - start, peak_gb(), cpu_seconds() - cpu)
    return value


def synth_file(content: Content, year: int, records: int, work: Path) -> Path:
    """The benchmark's CSV, made once and reused."""
    path = work / f"records-{year}-{records}.csv"
    if not path.is_file():
        rules = rules_frame(content.topics)
        model = build_model(
            year, rules, streets_frame(content.directory), districts_frame(content.directory)
        )
        write_synth(path.with_suffix(".tmp.csv"), chunks(model, records))
        path.with_suffix(".tmp.csv").replace(path)
    return path


def ours(content: Content, path: Path, store: Path, results: Results) -> pd.Series:
    """Our pipeline, stage by stage; returns hits per topic for the cross-check."""
    result = stage(results, "import", lambda: import_file(path, content.directory, store))
    assert result.stored > 0 and result.rejects.empty, result.rejects.head()
    records = stage(results, "load", lambda: read_records(store, ANALYSIS_COLUMNS))
    rules = rules_frame(content.topics)
    hits = stage(results, "assign", lambda: assign_topics(records, rules))
    first, last = coverage(records)
    stage(results, "half_month", lambda: half_month_table(hits, rules, first, last))
    streets = streets_frame(content.directory)
    governance = governance_frame(load_governance(content.root, content.directory))
    stage(results, "ranking", lambda: street_ranking(records, streets, governance))
    volumes: pd.Series = hits.groupby(TOPIC).size()
    return volumes


def duckdb_reference(
    content: Content, path: Path, year: int
) -> tuple[pd.Series, tuple[float, float, float]]:
    """The same aggregation in DuckDB over the same CSV: (hits per topic, (seconds, peak GB,
    CPU seconds))."""
    gc.collect()
    reset_peak()
    start, cpu = time.perf_counter(), cpu_seconds()
    con = duckdb.connect()
    con.execute(
        "CREATE TEMP TABLE r AS SELECT * FROM read_csv(?, header = true, columns = {"
        "'工单编号': 'VARCHAR', '受理时间': 'TIMESTAMP', '诉求性质': 'VARCHAR', "
        "'问题分类': 'VARCHAR', '区': 'VARCHAR', '街乡镇': 'VARCHAR', '诉求内容': 'VARCHAR'})",
        [str(path)],
    )
    topics = con.execute(_half_month_sql(content, year)).df()
    con.execute(_RANKING_SQL).df()
    con.close()
    seconds, used = time.perf_counter() - start, cpu_seconds() - cpu
    volumes = topics.groupby("topic")["n"].sum()
    return volumes, (seconds, peak_gb(), used)


_RANKING_SQL = """
SELECT m, 区, 街乡镇, n, rank() OVER (PARTITION BY m ORDER BY n DESC) AS rank
FROM (SELECT year(受理时间) * 12 + month(受理时间) - 1 AS m, 区, 街乡镇, count(*) AS n
      FROM r GROUP BY ALL)
"""


def _half_month_sql(content: Content, year: int) -> str:
    """One SELECT per topic counted in `year`, then 环比 and 同比 lags over the counts."""
    parts = []
    for topic in content.topics:
        first, last = counted_years(topic.year)
        if not first <= year <= last:
            continue
        rule = topic.monitoring
        where = [f"受理时间 >= '{first}-01-01'", f"受理时间 < '{last + 1}-01-01'"]
        if rule.categories:
            where.append("问题分类 IN (" + ", ".join(f"'{c}'" for c in rule.categories) + ")")
        where.append(f"regexp_matches(诉求内容, '{_pattern(rule.keywords)}')")
        if rule.exclude_keywords:
            where.append(f"NOT regexp_matches(诉求内容, '{_pattern(rule.exclude_keywords)}')")
        parts.append(
            f"SELECT '{topic.slug}' AS topic, (year(受理时间) * 12 + month(受理时间) - 1) * 2"
            f" + (day(受理时间) > 15)::INT AS hm, count(*) AS n FROM r WHERE "
            + " AND ".join(where)
            + " GROUP BY ALL"
        )
    counts = " UNION ALL ".join(parts)
    return (
        f"SELECT topic, hm, n, lag(n) OVER w AS prev, lag(n, 24) OVER w AS yoy FROM ({counts})"
        " WINDOW w AS (PARTITION BY topic ORDER BY hm)"
    )


def _pattern(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in words)


def report(results: Results, duck: tuple[float, float, float], n: int) -> list[str]:
    """The table and the RESULT lines. CPU seconds (all threads) are shown because on the
    shared machine wall time moves with other people's work; the target is on wall time."""
    lines = [f"{'stage':<12}{'seconds':>10}{'peak RSS GB':>14}{'CPU s':>10}{'records/s':>14}"]
    rows = {**results, "total": _total(results), "duckdb": duck}
    for name, (seconds, peak, cpu) in rows.items():
        counted = "  (not counted)" if name not in (*COUNTED, "total", "duckdb") else ""
        lines.append(
            f"{name:<12}{seconds:>10.1f}{peak:>14.2f}{cpu:>10.1f}{n / seconds:>14,.0f}{counted}"
        )
    total, peak, cpu = rows["total"]
    lines.append(f"CPU seconds: ours {cpu:.1f}, DuckDB {duck[2]:.1f} ({cpu / duck[2]:.2f}×)")
    ratio = total / duck[0]
    lines.append(
        f"RESULT monitor_total ratio_to_duckdb={ratio:.2f} target={TARGET_RATIO:.1f} "
        + ("PASS" if ratio <= TARGET_RATIO else "FAIL")
    )
    lines.append(
        f"RESULT monitor_peak_rss peak_gb={peak:.2f} target={TARGET_RSS_GB:.1f} "
        + ("PASS" if peak <= TARGET_RSS_GB else "FAIL")
    )
    return lines


def _total(results: Results) -> tuple[float, float, float]:
    """Wall seconds and CPU seconds summed over the counted stages, and their highest peak."""
    counted = [results[s] for s in COUNTED]
    return sum(r[0] for r in counted), max(r[1] for r in counted), sum(r[2] for r in counted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK:,} records instead of {FULL:,}"
    )
    parser.add_argument("--records", type=int, help="records (overrides --quick)")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--work", type=Path, default=Path("/tmp/yiti-bench-monitor"))
    args = parser.parse_args(argv)
    n = args.records or (QUICK if args.quick else FULL)
    content = load_content(ROOT / "content")
    args.work.mkdir(parents=True, exist_ok=True)
    results: Results = {}
    start_load = os.getloadavg()[0]
    path = stage(results, "synth", lambda: synth_file(content, args.year, n, args.work))
    store = args.work / f"store-{time.time_ns()}"
    # DuckDB before and after ours, averaged: the shared machine's load drifts during a run.
    _, before = duckdb_reference(content, path, args.year)
    try:
        ours_volumes = ours(content, path, store, results)
    finally:
        shutil.rmtree(store, ignore_errors=True)
    duck_volumes, after = duckdb_reference(content, path, args.year)
    duck = ((before[0] + after[0]) / 2, max(before[1], after[1]), (before[2] + after[2]) / 2)
    print(f"DuckDB before ours {before[0]:.1f} s, after {after[0]:.1f} s")
    agree = ours_volumes.sort_index().equals(duck_volumes.sort_index().astype(ours_volumes.dtype))
    print(f"{n:,} records of {args.year} from {path} ({path.stat().st_size / 1e9:.2f} GB)")
    print(
        f"load average (1 min) {start_load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )
    print("\n".join(report(results, duck, n)))
    print(f"topic volumes agree with DuckDB: {agree}", file=sys.stderr if not agree else sys.stdout)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
