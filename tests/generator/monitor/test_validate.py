"""Raw text rows → typed records and rejects."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.testing import assert_frame_equal, assert_series_equal

from generator.monitor.columns import (
    CATEGORY,
    DISTRICT,
    KIND,
    KINDS,
    READ_PROBLEM,
    REASON,
    RECEIVED_AT,
    RECORD_COLUMNS,
    REQUEST_ID,
    ROW,
    STREET,
    TEXT,
)
from generator.monitor.validate import (
    REJECT_COLUMNS,
    drop_repeats,
    id_keys,
    parse_times,
    rows_to_store,
    validate,
)


def raw(rows: list[list[str]], problems: list[str] | None = None) -> pd.DataFrame:
    """A raw frame as the reader yields it, numbered from row 2."""
    frame = pd.DataFrame(rows, columns=list(RECORD_COLUMNS), dtype="str")
    frame.insert(0, ROW, np.arange(2, 2 + len(rows), dtype="int64"))
    frame[READ_PROBLEM] = pd.Series(problems or [""] * len(rows), dtype="str")
    return frame


def test_times_in_iso_slash_and_chinese_forms_parse_and_impossible_dates_do_not() -> None:
    text = pd.Series(
        ["2024-02-29 23:59:59", "2024/3/1 8:30", "2024年3月2日 09:00", "2023-02-29 10:00:00", ""],
        dtype="str",
    )
    expected = pd.Series(
        [
            pd.Timestamp("2024-02-29 23:59:59"),
            pd.Timestamp("2024-03-01 08:30"),
            pd.Timestamp("2024-03-02 09:00"),
            pd.NaT,
            pd.NaT,
        ]
    ).astype("datetime64[s]")
    assert_series_equal(parse_times(text), expected)


def test_good_rows_become_typed_records(streets: pd.DataFrame) -> None:
    records, rejects = validate(
        raw(
            [
                ["A1", " 2024-02-29 23:59:59 ", "投诉", "住房", "东城区", "东华门街道", "加装电梯"],
                ["A2", "2024-03-01 00:00:00", "咨询", "住房", "海淀区", "八里庄街道", ""],
            ]
        ),
        streets,
    )
    districts = sorted(set(streets[DISTRICT]))
    names = sorted(set(streets[STREET]))
    expected = pd.DataFrame(
        {
            ROW: np.array([2, 3], dtype="int64"),
            REQUEST_ID: pd.Series(["A1", "A2"], dtype="str"),
            RECEIVED_AT: pd.Series(
                [pd.Timestamp("2024-02-29 23:59:59"), pd.Timestamp("2024-03-01")]
            ).astype("datetime64[s]"),
            KIND: pd.Categorical(["投诉", "咨询"], categories=list(KINDS)),
            CATEGORY: pd.Categorical(["住房", "住房"]),
            DISTRICT: pd.Categorical(["东城区", "海淀区"], categories=districts),
            STREET: pd.Categorical(["东华门街道", "八里庄街道"], categories=names),
            TEXT: pd.Series(["加装电梯", np.nan], dtype="str"),
        }
    )
    assert_frame_equal(records, expected)
    assert rejects.empty and list(rejects.columns) == list(REJECT_COLUMNS)


def test_every_reason_of_a_bad_row_is_given_with_its_row_number(streets: pd.DataFrame) -> None:
    _, rejects = validate(
        raw(
            [
                ["A1", "2024-02-30 10:00", "吐槽", "", "东城区", "八里庄街道", "x"],
                ["", "", "", "", "", "", ""],
                ["", "", "投诉", "住房", "火星区", "某街道", ""],
                ["A4", "2024-03-01", "投诉", "住房", "东城区", "东华门街道", ""],
            ],
            problems=["", "", "", "列数不对：应为 7 列，实际 8 列"],
        ),
        streets,
    )
    assert_frame_equal(
        rejects[[ROW, REASON]],
        pd.DataFrame(
            {
                ROW: np.array([2, 4, 5], dtype="int64"),
                REASON: pd.Series(
                    [
                        "受理时间“2024-02-30 10:00”无法识别（应如 2025-03-01 08:30:00）；"
                        "诉求性质“吐槽”应为 咨询、求助、投诉、举报、建议 之一；缺少问题分类；"
                        "街乡镇“八里庄街道”不在东城区的名录中",
                        "缺少诉求编号；缺少受理时间；区“火星区”不在名录中",
                        "列数不对：应为 7 列，实际 8 列",
                    ],
                    dtype="str",
                ),
            }
        ),
    )
    assert rejects[REQUEST_ID].tolist() == ["A1", "", "A4"]  # the blank row 3 is no reject


def test_an_empty_batch_gives_empty_records_and_rejects(streets: pd.DataFrame) -> None:
    records, rejects = validate(raw([]), streets)
    assert records.empty and rejects.empty
    assert list(records.columns) == [ROW, *RECORD_COLUMNS]


def test_repeated_request_ids_keep_the_first_row_and_reject_the_rest(
    streets: pd.DataFrame,
) -> None:
    records, _ = validate(
        raw(
            [
                ["A1", "2024-03-01 08:00:00", "投诉", "住房", "东城区", "东华门街道", "第一次"],
                ["A2", "2024-03-01 09:00:00", "投诉", "住房", "东城区", "东华门街道", ""],
                ["A1", "2024-03-02 08:00:00", "咨询", "住房", "东城区", "东华门街道", "又一次"],
            ]
        ),
        streets,
    )
    kept, repeats = drop_repeats(records)
    assert kept[REQUEST_ID].tolist() == ["A1", "A2"]
    expected = pd.DataFrame(
        {
            ROW: np.array([4], dtype="int64"),
            REASON: ["诉求编号重复：与第 2 行相同，保留第一次出现的那行"],
            REQUEST_ID: ["A1"],
            RECEIVED_AT: ["2024-03-02 08:00:00"],
            KIND: ["咨询"],
            CATEGORY: ["住房"],
            DISTRICT: ["东城区"],
            STREET: ["东华门街道"],
            TEXT: ["又一次"],
        }
    ).astype({c: "str" for c in REJECT_COLUMNS if c != ROW})
    assert_frame_equal(repeats, expected)


def test_no_repeats_gives_an_empty_rejects_frame(streets: pd.DataFrame) -> None:
    records, _ = validate(
        raw([["A1", "2024-03-01", "投诉", "住房", "东城区", "东华门街道", ""]]), streets
    )
    kept, repeats = drop_repeats(records)
    assert_frame_equal(kept, records)
    assert repeats.empty and list(repeats.columns) == list(REJECT_COLUMNS)


def test_rows_to_store_are_first_of_their_id_and_not_stored_yet() -> None:
    ids = pd.Series(["A1", "A2", "A1", "A3", "A2"], dtype="str")
    keep, involved, already = rows_to_store(ids, pd.Series(["A2", "Z9"], dtype="str"))
    assert keep.tolist() == [True, False, False, True, False]
    assert involved.tolist() == [True, True, True, False, True]
    assert already == 1
    keep, _, already = rows_to_store(ids, pd.Series([], dtype="str"))
    assert keep.tolist() == [True, True, False, True, False] and already == 0


def test_plain_number_ids_are_compared_as_integers_and_others_as_text() -> None:
    numbers = pd.Series(["2024000000001", "2024000000002"], dtype="str")
    assert id_keys(numbers).tolist() == [2024000000001, 2024000000002]
    for mixed in (["0123", "123"], ["A1", "1"], ["1" * 19]):
        assert id_keys(pd.Series(mixed, dtype="str")).tolist() == mixed
    keep, _, already = rows_to_store(
        pd.Series(["0123", "123", "123"], dtype="str"), pd.Series(["123"], dtype="str")
    )
    assert keep.tolist() == [True, False, False] and already == 1


def test_chinese_dates_with_or_without_a_time_and_full_width_digits_parse() -> None:
    text = pd.Series(
        ["2026年1月5日", "2026年1月17日 11时05分", "2026年1月17日11点05分30秒",
         "２０２６－０１－０５　０８：３０：００", "2026年2月30日", "20260105083000"],
        dtype="str",
    )  # fmt: skip
    expected = pd.Series(
        [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-17 11:05"),
         pd.Timestamp("2026-01-17 11:05:30"), pd.Timestamp("2026-01-05 08:30"), pd.NaT,
         pd.Timestamp("2026-01-05 08:30")]
    ).astype("datetime64[s]")  # fmt: skip
    assert_series_equal(parse_times(text), expected)


def test_ids_excel_turned_into_scientific_notation_are_rejected_saying_what_to_do(
    streets: pd.DataFrame,
) -> None:
    place = ["2024-03-01 08:00:00", "投诉", "住房", "东城区", "东华门街道", ""]
    records, rejects = validate(
        raw([["2.02601E+12", *place], ["2.02601E+12", *place], ["WE+1", *place]]), streets
    )
    assert records[REQUEST_ID].tolist() == ["WE+1"]
    assert rejects[ROW].tolist() == [2, 3]
    assert set(rejects[REASON]) == {
        "诉求编号“2.02601E+12”是科学计数法，Excel 保存时已丢掉后面的数字："
        "请从系统重新导出，或在 Excel 中把该列设为文本后再保存"
    }
