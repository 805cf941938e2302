"""Targets on the records' scale: the shipped sample agrees with itself, and a baseline an
order of magnitude off is named with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from generator.content.loader import Content, load_content
from generator.monitor.api import load_records, monitoring_for_site
from generator.monitor.columns import PARTIAL, TOPIC, VOLUME
from generator.monitor.scale import apart, monthly_volume, scale_problems
from tests.conftest import CONTENT
from tests.generator.conftest import edit

EBIKE = Path("topics/2024/ebike-charging.yml")


def problems_of(content: Content, store: Path) -> list[str]:
    """The scale problems of `content` against its sample records, as the CLI prints them."""
    records = load_records(content, store).records
    half_month = monitoring_for_site(content, records).half_month
    return [str(p) for p in scale_problems(content, half_month)]


def test_every_shipped_monitored_target_is_on_the_sample_records_scale(
    content: Content, tmp_path: Path
) -> None:
    assert [t for topic in content.topics for t in topic.plan.targets if t.monitored]
    assert problems_of(content, tmp_path / "store") == []


def test_a_baseline_far_above_the_records_is_named_with_file_line_and_field(
    tmp_path: Path,
) -> None:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    line = edit(root / EBIKE, "      baseline: 5.2\n", "      baseline: 3400\n")
    problems = problems_of(load_content(root), tmp_path / "store")
    assert len(problems) == 1
    where = problems[0].split("content/", 1)[-1]  # the file as the copy's path names it
    assert where.startswith(f"{EBIKE.as_posix()}:{line}: plan.targets[2].baseline: ")
    assert "基线 3400 件/月" in problems[0] and "相差超过 10 倍" in problems[0]


def test_monthly_volume_counts_complete_half_months_only() -> None:
    half_month = pd.DataFrame(
        {
            TOPIC: ["a", "a", "a", "b"],
            VOLUME: [4, 6, 100, 0],
            PARTIAL: [False, False, True, False],
        }
    )
    expected = pd.Series({"a": 10.0, "b": 0.0}, name=VOLUME)
    pd.testing.assert_series_equal(monthly_volume(half_month), expected, check_names=False)


def test_figures_apart_by_more_than_ten_times_and_below_one_a_month_are_not() -> None:
    assert apart(3400, 10.6)
    assert apart(10.6, 3400)
    assert not apart(50, 5.2)  # 9.6 times
    assert not apart(5, 0)  # under one a month counts as one: 5 against 1
    assert apart(11, 0)
