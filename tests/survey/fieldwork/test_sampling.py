"""Allocation by largest remainders, quotas files, and a reproducible stratified draw."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from survey.fieldwork.sampling import (
    CASE_ID,
    CONTACT_ID,
    DISTRICT,
    REPLICATE,
    draw,
    fixed_sizes,
    proportional,
)
from survey.fieldwork.settings import FieldworkError

DISTRICTS = ("东城区", "西城区", "朝阳区")
FRAME = pd.Series([500, 300, 200], index=DISTRICTS)


def test_proportional_sizes_add_up_by_largest_remainders() -> None:
    assert proportional(FRAME, 10).tolist() == [5, 3, 2]
    # 7 × (0.5, 0.3, 0.2) = 3.5, 2.1, 1.4: floors 3, 2, 1 and the one left goes to 0.5
    assert proportional(FRAME, 7).tolist() == [4, 2, 1]
    # equal remainders: the larger district first, then directory order
    assert proportional(pd.Series([1, 1, 1], index=DISTRICTS), 2).tolist() == [1, 1, 0]
    with pytest.raises(FieldworkError, match="超过名单中可抽的联系人数 1000"):
        proportional(FRAME, 1001)


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "quotas.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_a_quotas_file_gives_fixed_sizes_and_completes(tmp_path: Path) -> None:
    path = write(tmp_path, "district,size,completes\n东城区,50,20\n朝阳区,10,\n", "gb18030")
    sizes = fixed_sizes(path, FRAME, DISTRICTS)
    assert sizes["size"].tolist() == [50, 0, 10]
    assert sizes["completes"].tolist()[0] == 20 and pd.isna(sizes["completes"].iloc[2])


def test_every_problem_of_a_quotas_file_is_named_with_its_row(tmp_path: Path) -> None:
    text = "district,size\n东城区,600\n浦东新区,5\n西城区,ten\n东城区,1\n"
    with pytest.raises(FieldworkError) as caught:
        fixed_sizes(write(tmp_path, text), FRAME, DISTRICTS)
    said = str(caught.value)
    assert "quotas.csv 第 2 行：东城区 要抽 600 个，名单中只有 500 个可抽" in said
    assert "第 3 行：“浦东新区”不是北京市的区" in said
    assert "第 4 行：size 应为不小于 0 的整数，实际为“ten”" in said
    assert "第 5 行：东城区 重复出现" in said
    with pytest.raises(FieldworkError) as caught:  # blank rows, as Excel saves them, skipped
        fixed_sizes(write(tmp_path, "district,size\n,\n\n西城区,ten\n"), FRAME, DISTRICTS)
    assert str(caught.value).endswith("quotas.csv 第 4 行：size 应为不小于 0 的整数，实际为“ten”")
    with pytest.raises(FieldworkError, match="表头应为 district,size"):
        fixed_sizes(write(tmp_path, "区,数量\n东城区,5\n"), FRAME, DISTRICTS)


def frame_cases() -> pd.DataFrame:
    rows = [(i, f"c{i:04d}", DISTRICTS[i % 3]) for i in range(1, 301)]
    return pd.DataFrame(rows, columns=[CASE_ID, CONTACT_ID, DISTRICT])


def test_a_draw_takes_each_districts_size_and_deals_even_replicates() -> None:
    sizes = pd.Series([30, 20, 10], index=DISTRICTS)
    drawn = draw(frame_cases(), sizes, replicates=3, seed=7)
    by_district = frame_cases().set_index(CASE_ID).loc[drawn[CASE_ID], DISTRICT]
    assert by_district.value_counts().reindex(DISTRICTS).tolist() == [30, 20, 10]
    assert drawn[CASE_ID].is_unique
    assert drawn[REPLICATE].value_counts().sort_index().tolist() == [20, 20, 20]
    first = drawn.loc[drawn[REPLICATE] == 1, CASE_ID]
    assert frame_cases().set_index(CASE_ID).loc[first, DISTRICT].value_counts().min() > 0


def test_the_same_seed_gives_the_same_sample_whatever_the_frames_order() -> None:
    sizes = pd.Series([5, 5, 5], index=DISTRICTS)
    one = draw(frame_cases(), sizes, 1, seed=2026)
    shuffled = frame_cases().sample(frac=1, random_state=1)
    assert draw(shuffled, sizes, 1, seed=2026).equals(one)
    assert not draw(frame_cases(), sizes, 1, seed=2027).equals(one)
