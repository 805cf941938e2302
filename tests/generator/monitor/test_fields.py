"""Arrow columns of raw text → typed numpy values, the same as the pandas parsers give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

from generator.monitor.fields import (
    byte_lengths,
    canonical_times,
    codes_in,
    found_values,
    numeric_keys,
    parse_time_column,
    text_array,
    trimmed,
)
from generator.monitor.validate import parse_times

NAT = np.datetime64("NaT")


def seconds(*values: str) -> np.ndarray:
    return np.array([np.datetime64(v) if v else NAT for v in values], dtype="datetime64[s]")


def test_canonical_times_check_every_digit_and_calendar_day() -> None:
    text = pa.array(
        [
            "2024-02-29 23:59:59",  # leap day
            "2023-02-29 10:00:00",  # no such day
            "2024-04-31 00:00:00",
            "2024-01-01 24:00:00",
            "2024-01-01 23:59:60",  # Arrow's strptime would roll this into the next day
            "2024-13-01 00:00:00",
            "2024-0a-01 00:00:00",
            "2024/01/01 00:00:00",
            "1899-12-31 23:59:59",  # outside 1900–2099: left to pandas
            "2000-02-29 00:00:00",
            "1900-02-29 00:00:00",
            " 2024-01-01 00:00:00",
        ]
    )
    expected = seconds("2024-02-29T23:59:59", *[""] * 8, "2000-02-29T00:00:00", "", "")
    np.testing.assert_array_equal(canonical_times(text), expected)


def test_parse_time_column_matches_parse_times_on_every_spelling() -> None:
    values = [
        "2024-02-29 23:59:59",
        " 2024-03-01 08:00:00 ",
        "2024/3/1 8:30",
        "2024年3月2日 09:00",
        "2023-02-29 10:00:00",
        "1899-12-31 23:59:59",
        "2024-03-16 00:00:00.000000000",
        "",
        "x",
    ]
    expected = parse_times(pd.Series(values, dtype="str").str.strip()).to_numpy()
    for part in (slice(None), slice(2, 6)):  # a slice has a non-zero Arrow offset
        found = parse_time_column(pa.array(values)[part], parse_times)
        np.testing.assert_array_equal(found, expected[part])


def test_codes_are_positions_of_trimmed_values_and_minus_one_for_the_rest() -> None:
    values = pa.array([" 投诉", "吐槽", "咨询", "", None])
    for column in (values, values.dictionary_encode(), pa.chunked_array([values])):
        assert codes_in(column, ["咨询", "投诉"]).tolist() == [1, -1, 0, -1, -1]


def test_found_values_are_the_distinct_trimmed_non_empty_values_sorted() -> None:
    assert found_values(pa.array(["住房 ", "交通", "", "住房"])) == ["交通", "住房"]


def test_trimming_and_lengths_follow_python_strip_and_utf8_bytes() -> None:
    values = ["\u3000A1\t", " ", "北京"]
    assert trimmed(pa.array(values)).to_pylist() == [v.strip() for v in values]
    assert byte_lengths(pa.array(values)[1:]).tolist() == [1, 6]


def test_text_array_flattens_chunks_and_large_text_and_fills_missing() -> None:
    chunked = pa.chunked_array(
        [pa.array(["a"], pa.large_string()), pa.array([None, "b"], pa.large_string())]
    )
    assert text_array(chunked).type == pa.string()
    assert text_array(chunked).to_pylist() == ["a", "", "b"]


def test_numeric_keys_only_when_every_id_is_a_plain_number() -> None:
    keys = numeric_keys(pa.array(["2024000000001", "7"]))
    assert keys is not None and keys.tolist() == [2024000000001, 7]
    for mixed in (["0123", "1"], ["+1"], ["A1"], ["1" * 19], [""], ["-5"]):
        assert numeric_keys(pa.array(mixed)) is None, mixed
    none = numeric_keys(pa.array([], pa.string()))
    assert none is not None and none.tolist() == []
