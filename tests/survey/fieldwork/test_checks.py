"""Checking a chunk: blank rows skipped, all reasons of a row named, repeats found across chunks."""

from __future__ import annotations

import pandas as pd

from generator.content.loader import Content
from survey.fieldwork.checks import Places, Seen, check_chunk


def chunk(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=["contact_id", "phone", "district", "street"])
    table.insert(0, "row", range(2, 2 + len(rows)))
    return table


def test_a_row_with_several_problems_names_them_all(content: Content) -> None:
    checked = check_chunk(
        chunk(("", "abc", "", ""), (" ", "", "", ""), ("x" * 65, "13800138000", "海淀区", "")),
        Places.of(content.directory),
    )
    assert checked.blank == 1 and checked.good.empty
    assert checked.rejects["reason"].tolist() == [
        "缺少编号；电话号码含有数字以外的字符；缺少区",
        "编号超过 64 个字符",
    ]
    assert checked.rejects["row"].tolist() == [2, 4]


def test_good_rows_are_trimmed_and_get_e164_and_the_official_street(content: Content) -> None:
    checked = check_chunk(
        chunk((" A1 ", "138 0013 8000", " 海淀区", "110108001")), Places.of(content.directory)
    )
    assert checked.good[["contact_id", "phone", "district", "street"]].values.tolist() == [
        ["A1", "+8613800138000", "海淀区", "万寿路街道"]
    ]


def test_seen_finds_repeats_of_ids_or_keys_across_calls() -> None:
    seen = Seen(ids={"old": 0})
    first = seen.first_rows(pd.Series([2, 3]), pd.Series(["a", "old"]), ["k1", "k2"])
    assert first.tolist() == [-1, 0]
    again = seen.first_rows(pd.Series([4, 5, 6]), pd.Series(["b", "a", "c"]), ["k1", "k9", "k3"])
    assert again.tolist() == [2, 2, -1]
