"""Whole Arrow columns of raw text → typed numpy values, without a Python object per row.

At 25 million rows a year, pandas' string paths (a Python object per value, per copy) were
most of the import's time. These functions read Arrow's buffers directly and hand only the
values they do not recognise to the pandas parsers, so the results stay exactly those of
`validate.parse_times` and Python's `str.strip`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

# Byte positions in 'YYYY-MM-DD HH:MM:SS', the spelling exports almost always use.
_WIDTH = 19
_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_SEPARATORS = np.array([4, 7, 10, 13, 16])
_SEPARATOR_BYTES = np.frombuffer(b"-- ::", dtype=np.uint8)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
# Years outside this range go to pandas, whose own bounds then decide.
_FIRST_YEAR, _LAST_YEAR = 1900, 2099
# Days from 1970-01-01 to the first of each month of the fast path's years.
_MONTH_STARTS = (
    np.arange(f"{_FIRST_YEAR}-01", f"{_LAST_YEAR + 1}-01", dtype="datetime64[M]")
    .astype("datetime64[D]")
    .astype("int64")
)
_POWERS = 10 ** np.arange(19, dtype="int64")  # 1, 10, …, 10^18


def text_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One plain string array (not chunked, large or dictionary), missing values as ""."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    return values.fill_null("") if values.null_count else values


def byte_lengths(text: pa.Array) -> np.ndarray:
    """The UTF-8 length in bytes of each value of a plain string array."""
    return np.diff(_offsets(text))


def _offsets(text: pa.Array) -> np.ndarray:
    """The int32 value offsets of a plain string array (len + 1 of them)."""
    raw = np.frombuffer(text.buffers()[1], dtype=np.int32)
    return raw[text.offset : text.offset + len(text) + 1]


def canonical_times(text: pa.Array) -> np.ndarray:
    """datetime64[s] of each value spelled exactly 'YYYY-MM-DD HH:MM:SS' that names a real
    second (no 30 February, no second 60) in 1900–2099; NaT for every other value.

    Arrow's strptime would accept 2023-02-29 as 1 March, so the digits are checked here.
    """
    out = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[s]")
    offsets = _offsets(text)
    rows = np.flatnonzero(np.diff(offsets) == _WIDTH)
    if not len(rows):
        return out
    block = _fixed_width(text, offsets[rows])
    digits = block[:, _DIGITS] - np.uint8(ord("0"))  # bytes below '0' wrap round to > 9
    fits = (digits <= 9).all(axis=1) & (block[:, _SEPARATORS] == _SEPARATOR_BYTES).all(axis=1)
    # Two digits at a time: century, year in century, month, day, hour, minute, second.
    pairs = digits[:, 0::2].astype(np.int32) * 10 + digits[:, 1::2]
    century, month, day, hour, minute, second = (pairs[:, i] for i in (0, 2, 3, 4, 5, 6))
    year = century * 100 + pairs[:, 1]
    fits &= _is_real(year, month, day) & (hour <= 23) & (minute <= 59) & (second <= 59)
    first = _MONTH_STARTS[np.where(fits, (year - _FIRST_YEAR) * 12 + month - 1, 0)]
    seconds = (first + day - 1) * 86_400 + hour * 3600 + minute * 60 + second
    out[rows] = np.where(fits, seconds, np.iinfo(np.int64).min).view("datetime64[s]")
    return out


def _is_real(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether each (year, month, day) is a calendar date in the fast path's years."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    last = _MONTH_DAYS[np.where(month_ok, month, 0)] + (leap & (month == 2))
    in_years = (year >= _FIRST_YEAR) & (year <= _LAST_YEAR)
    real: np.ndarray = month_ok & (day >= 1) & (day <= last) & in_years
    return real


def _fixed_width(text: pa.Array, starts: np.ndarray) -> np.ndarray:
    """The _WIDTH bytes of each value starting at `starts`, as a (rows, _WIDTH) uint8 array:
    a view when the values lie back to back (the usual case), else gathered."""
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)
    if len(starts) and starts[-1] - starts[0] == _WIDTH * (len(starts) - 1):
        return data[starts[0] : starts[0] + _WIDTH * len(starts)].reshape(-1, _WIDTH)
    return data[starts[:, None] + np.arange(_WIDTH)]


def parse_time_column(text: pa.Array, fallback: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """datetime64[s] for every value: the canonical spelling here, the rest (stripped) by
    `fallback` (validate.parse_times), which also knows slashes and Chinese dates."""
    out = canonical_times(text)
    rest = np.isnat(out) & (byte_lengths(text) > 0)
    if rest.any():
        others = text.filter(pa.array(rest)).to_pandas(types_mapper=_as_str).str.strip()
        out[rest] = fallback(others).to_numpy(dtype="datetime64[s]")
    return out


def _as_str(arrow_type: pa.DataType) -> object:
    return pd.StringDtype(na_value=np.nan) if pa.types.is_string(arrow_type) else None


def trimmed(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Text with surrounding whitespace removed, as Python's str.strip does it."""
    return pc.utf8_trim_whitespace(text_array(values))


def codes_in(values: pa.Array | pa.ChunkedArray, categories: list[str]) -> np.ndarray:
    """int64 position of each (trimmed) value in `categories`, -1 where it is not one.

    Only the distinct values are trimmed and looked up: a batch of a million rows has a few
    hundred district, street, category and kind values.
    """
    encoded = _dictionary(values)
    wanted = pd.Index(categories, dtype=object)
    lookup = wanted.get_indexer(pd.Index(_stripped(encoded.dictionary), dtype=object))
    indices = encoded.indices.fill_null(len(lookup)).to_numpy(zero_copy_only=False)
    codes: np.ndarray = np.append(lookup, -1).astype("int64")[indices]
    return codes


def found_values(values: pa.Array | pa.ChunkedArray) -> list[str]:
    """The distinct non-empty trimmed values, sorted (the categories of a free column)."""
    return sorted(set(_stripped(_dictionary(values).dictionary)) - {""})


def _dictionary(values: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if pa.types.is_dictionary(values.type):
        return values
    return pc.dictionary_encode(text_array(values))


def _stripped(dictionary: pa.Array) -> list[str]:
    return [v.strip() if isinstance(v, str) else "" for v in dictionary.to_pylist()]


def numeric_keys(ids: pa.Array) -> np.ndarray | None:
    """int64 of each id when every id is a plain number (1 to 18 digits, no leading zero,
    as hotline work-order numbers are), else None. Hashing integers takes a fraction of the
    memory and time that hashing 25 million strings does."""
    try:
        keys = np.asarray(pc.cast(ids, pa.int64()).to_numpy(zero_copy_only=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if len(keys) == 0 or ids.null_count:
        return keys.astype("int64") if len(keys) == 0 else None
    widths = byte_lengths(ids)
    plain = (keys >= 1) & (keys < _POWERS[18]) & (np.searchsorted(_POWERS, keys, "right") == widths)
    return keys if bool(plain.all()) else None
