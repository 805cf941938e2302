"""Any record store builds: every monitoring page that is linked exists, 0 being a figure.

A property test renders the site over many generated stores and follows every Markdown link;
six named stores go through a real MkDocs build (strict: a link to a missing page fails it)
and the link walker of tests/generator/site/test_build.py.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content.loader import Content, load_content
from generator.monitor.columns import RECORD_COLUMNS
from generator.monitor.store import write_part
from generator.site.build import build, monitoring_of
from generator.site.render.site import render_site
from tests.conftest import CONTENT
from tests.generator.links import broken_links

NOW = datetime(2024, 12, 20, 4, 0, tzinfo=UTC)
# Three topics (2022, 2023, 2024) keep each build short; the others add nothing here.
KEPT = ("2022/old-building-elevators", "2023/property-fees", "2024/ebike-charging")
# (category, text): one matching each kept topic, and one matching none.
TEXTS = (
    ("住房", "老楼加装电梯进度慢"),
    ("住房", "物业费上涨"),
    ("城乡建设", "楼道飞线充电"),
    ("交通管理", "路口拥堵"),
)
NOTHING = 3  # index of the text that matches no topic
PLACES = (
    ("东城区", "东华门街道"),
    ("东城区", "景山街道"),
    ("朝阳区", "八里庄街道"),
    ("海淀区", "八里庄街道"),
)
Row = tuple[int, int, int]  # (minutes after the start, place, text)
LINK = re.compile(r"\]\(([^)\s]+)\)|href=\"([^\"]+)\"")


@pytest.fixture(scope="module")
def small_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content with only the KEPT topics."""
    root = tmp_path_factory.mktemp("small") / "content"
    shutil.copytree(CONTENT, root)
    for path in (root / "topics").glob("*/*.yml"):
        if f"{path.parent.name}/{path.stem}" not in KEPT:
            path.unlink()
            (root / "questionnaires/topics" / path.name).unlink(missing_ok=True)
    return root


def records(start: datetime, rows: Sequence[Row]) -> pd.DataFrame:
    """Stored records: the i-th row `minutes` after `start`, at a place, with a text."""
    when = [start + timedelta(minutes=m) for m, _, _ in rows]
    frame = pd.DataFrame(
        {
            "request_id": [f"R{i}" for i in range(len(rows))],
            "received_at": when,
            "kind": "投诉",
            "category": [TEXTS[t][0] for _, _, t in rows],
            "district": [PLACES[p][0] for _, p, _ in rows],
            "street": [PLACES[p][1] for _, p, _ in rows],
            "text": [TEXTS[t][1] for _, _, t in rows],
        },
        columns=list(RECORD_COLUMNS),
    )
    return frame.astype({c: "str" for c in RECORD_COLUMNS if c != "received_at"}).astype(
        {"received_at": "datetime64[s]"}
    )


def unlinked(pages: dict[str, str]) -> list[str]:
    """Relative links in the rendered Markdown that name no rendered page or file."""
    missing = []
    for name, text in pages.items():
        if not name.endswith(".md"):
            continue
        for match in LINK.finditer(text):
            ref = urldefrag(match.group(1) or match.group(2))[0]
            if not ref or urlsplit(ref).scheme or ref.startswith("/"):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), ref))
            if target not in pages and f"{target}/index.md" not in pages:
                missing.append(f"{name} → {ref}")
    return missing


MINUTES_A_DAY = 24 * 60
stores = st.tuples(
    st.datetimes(datetime(2021, 1, 1), datetime(2025, 6, 30)),
    st.sampled_from([1, 15, 31, 92, 400, 800]),  # days the records spread over
    st.booleans(),  # all in one district
).flatmap(
    lambda args: st.tuples(
        st.just(args[0]),
        st.lists(
            st.tuples(
                st.integers(0, args[1] * MINUTES_A_DAY - 1),
                st.integers(0, 1 if args[2] else len(PLACES) - 1),
                st.integers(0, len(TEXTS) - 1),
            ),
            min_size=1,
            max_size=40,
        ),
    )
)


@settings(max_examples=15, deadline=None)
@given(store=stores)
def test_every_link_of_the_rendered_site_names_a_page_for_any_store(
    small_content: Path, store: tuple[datetime, list[Row]]
) -> None:
    content = load_content(small_content)
    with tempfile.TemporaryDirectory() as folder:
        write_part(Path(folder), [records(*store)])
        monitoring = monitoring_of(content, Path(folder))
    pages = render_site(content, NOW, monitoring)
    assert not unlinked(pages)
    assert "monitoring/index.md" in pages


NAMED = {
    "every topic empty": (datetime(2024, 1, 3), [(d * MINUTES_A_DAY, 0, NOTHING) for d in range(300)]),
    "one record": (datetime(2024, 5, 6, 9), [(0, 0, 0)]),
    "only last year's records": (datetime(2023, 1, 1), [(d * MINUTES_A_DAY, d % 4, d % 4) for d in range(365)]),
    "one district": (datetime(2024, 1, 1), [(d * MINUTES_A_DAY, d % 2, 2) for d in range(200)]),
    "a month with no records": (datetime(2024, 1, 10), [(0, 0, 2), (60 * MINUTES_A_DAY, 1, 2)]),
    "a single half month": (datetime(2024, 5, 1), [(d * MINUTES_A_DAY, 2, d % 4) for d in range(15)]),
}  # fmt: skip


@pytest.mark.parametrize("name", list(NAMED))
def test_each_named_store_builds_and_every_link_resolves(
    small_content: Path, tmp_path: Path, name: str
) -> None:
    write_part(tmp_path / "store", [records(*NAMED[name])])
    site = tmp_path / "site"
    build(small_content, site, now=NOW, store=tmp_path / "store")
    assert not broken_links(site)
    assert (site / "monitoring/index.html").is_file()


def test_a_topic_without_any_matching_record_has_its_page_row_and_line(
    small_content: Path, tmp_path: Path
) -> None:
    content: Content = load_content(small_content)
    write_part(tmp_path, [records(*NAMED["every topic empty"])])
    pages = render_site(content, NOW, monitoring_of(content, tmp_path))
    page = pages["topics/2024/ebike-charging/monitoring.md"]
    assert "本期无相关诉求" in page and "<svg" in page
    assert '<td data-label="诉求量（件）">0</td>' in page
    assert "电动自行车充电设置建设（2024 年）" in pages["monitoring/index.md"]
    assert "monitoring.md" in pages["topics/2024/ebike-charging/index.md"]


def test_rises_are_flagged_on_the_topic_city_and_ranking_pages_with_the_rule_in_words(
    small_content: Path, tmp_path: Path
) -> None:
    # 楼道飞线充电 (ebike-charging) at 东华门街道: 10 per half month from 2024-01-01 for six
    # half months (Jan–Mar), then 40 in 2024-04 上半月. By month: 20, 20, 20, then 40.
    rows = [(h * 15 * MINUTES_A_DAY + i * 60, 0, 2) for h in range(6) for i in range(10)]
    rows += [(91 * MINUTES_A_DAY + i * 60, 0, 2) for i in range(40)]
    content = load_content(small_content)
    write_part(tmp_path / "a", [records(datetime(2024, 1, 1), rows)])
    pages = render_site(content, NOW, monitoring_of(content, tmp_path / "a"))
    # Computed text is plain text: entity-escaped in the Markdown, read here as the page shows it.
    topic = unescape(pages["topics/2024/ebike-charging/monitoring.md"])
    assert "本议题标为突增的半月：**2024年4月上半月**" in topic
    assert "达到此前连续 6 个完整半月诉求量中位数的 1.5 倍及以上，且比中位数多 20 件及以上" in topic
    city = unescape(pages["monitoring/index.md"])
    # The data end on 2 April: the half month under way already counts 40, a rise.
    rise = "最近一期标为突增的议题：**电动自行车充电设置建设**（2024年4月上半月（不完整），40 件）"
    assert rise in city and "街乡镇按月用同一规则" in city
    # Once the half month is over (a record on the 16th), it is the latest complete one.
    write_part(
        tmp_path / "b", [records(datetime(2024, 1, 1), [*rows, (106 * MINUTES_A_DAY, 1, 3)])]
    )
    city = unescape(
        render_site(content, NOW, monitoring_of(content, tmp_path / "b"))["monitoring/index.md"]
    )
    assert "**电动自行车充电设置建设**（2024年4月上半月，40 件）" in city
    ranking = unescape(pages["monitoring/ranking/2024-04.md"])
    assert "此前连续 6 个完整月" in ranking and "2024-04 没有标为突增的街乡镇" in ranking


def test_records_outside_every_tracked_year_say_so_instead_of_an_empty_table(
    small_content: Path, tmp_path: Path
) -> None:
    content: Content = load_content(small_content)
    write_part(tmp_path, [records(datetime(2026, 1, 5), [(d * 60, d % 4, 2) for d in range(5)])])
    page = render_site(content, NOW, monitoring_of(content, tmp_path))["monitoring/index.md"]
    assert "yiti-latest" not in page
    assert "已导入记录的时段内没有可显示的议题" in page


def test_a_month_cut_by_the_end_of_the_data_is_labelled_and_not_the_city_pages_month(
    small_content: Path, tmp_path: Path
) -> None:
    content: Content = load_content(small_content)
    rows = [(d * MINUTES_A_DAY, d % 4, d % 4) for d in range(31 + 29 + 20)]  # to 20 March
    write_part(tmp_path, [records(datetime(2024, 1, 1), rows)])
    pages = render_site(content, NOW, monitoring_of(content, tmp_path))
    assert "本月数据不完整" in pages["monitoring/ranking/2024-03.md"]
    assert "记录截至 3月20日" in pages["monitoring/ranking/2024-03.md"]
    assert "本月数据不完整" not in pages["monitoring/ranking/2024-02.md"]
    assert "街乡镇排名](ranking/2024-02.md)。" in pages["monitoring/index.md"]  # its districts
