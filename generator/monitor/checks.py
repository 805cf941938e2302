"""One raw Arrow batch → every row typed, and which rows pass every check.

The checks run on whole columns (see `fields`); only rows that fail are turned into pandas
rows and spelled out by `validate.rejects_of`. The same function serves the big CSV import
(records go straight to the staging Parquet file as Arrow) and the small pandas callers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from generator.monitor.columns import (
    CATEGORY,
    DISTRICT,
    KIND,
    KINDS,
    READ_PROBLEM,
    RECEIVED_AT,
    RECORD_COLUMNS,
    REQUEST_ID,
    ROW,
    STREET,
    TEXT,
)
from generator.monitor.fields import (
    byte_lengths,
    codes_in,
    found_values,
    parse_time_column,
    text_array,
    trimmed,
)
from generator.monitor.mapping import ALIASES

CODED = (KIND, CATEGORY, DISTRICT, STREET)
# A work-order number as Excel shows a long number (2.02601E+12): a CSV saved from Excel keeps
# only those digits, so the id no longer names one request.
SCIENTIFIC_ID = r"^[0-9](\.[0-9]+)?E\+[0-9]+$"
# Beijing's 12345 hotline opened in 1987: an earlier time is a placeholder (1900-01-01) or a typo.
EARLIEST_RECEIPT = np.datetime64("1987-01-01T00:00:00", "s")
# The first cell of a totals row, as exports and spreadsheets write it (合计：5 条, 小计 …).
TOTAL_MARKS = ("合计", "总计", "小计")


@dataclass(frozen=True)
class Places:
    """The directory's districts and streets, sorted, and which (district, street) exist."""

    districts: list[str]
    streets: list[str]
    known: np.ndarray  # bool [district code + 1, street code + 1]; index 0 is "unknown"

    @classmethod
    def of(cls, streets: pd.DataFrame) -> Places:
        """From a streets frame (places.streets_frame)."""
        districts, names = sorted(set(streets[DISTRICT])), sorted(set(streets[STREET]))
        known = np.zeros((len(districts) + 1, len(names) + 1), dtype=bool)
        rows = pd.Index(districts).get_indexer(streets[DISTRICT]) + 1
        known[rows, pd.Index(names).get_indexer(streets[STREET]) + 1] = True
        return cls(districts, names, known)


@dataclass(frozen=True)
class Checked:
    """Every row of a raw batch typed (missing where it cannot be), and which rows pass."""

    row: np.ndarray  # int64, spreadsheet numbering
    request_id: pa.Array  # trimmed text
    received_at: np.ndarray  # datetime64[s], NaT where unreadable
    codes: dict[str, np.ndarray]  # CODED column → position in `categories`, -1 if unknown
    categories: dict[str, list[str]]
    text: pa.Array  # text, null where empty
    ok: np.ndarray  # bool
    skip: np.ndarray  # bool: no record at all (a blank row, a totals row), neither ok nor rejected
    latest: np.datetime64  # the last receipt time taken (see `latest_receipt`)


def latest_receipt() -> np.datetime64:
    """The last receipt time an import takes: the end of tomorrow, UTC (Beijing is 8 hours
    ahead, so no real request is refused). A later time is a typo in the year (2062 for
    2026), which would stretch every monitoring table and the ranking pages to that year."""
    tomorrow = np.datetime64(dt.datetime.now(dt.UTC).date(), "D") + np.timedelta64(2, "D")
    latest: np.datetime64 = tomorrow.astype("datetime64[s]") - np.timedelta64(1, "s")
    return latest


def check_batch(
    raw: pa.RecordBatch,
    places: Places,
    parse: Callable[[pd.Series], pd.Series],
    latest: np.datetime64 | None = None,
) -> Checked:
    """Type every field of `raw` and mark the rows that pass every check.

    `parse` reads the time spellings other than 'YYYY-MM-DD HH:MM:SS' (validate.parse_times);
    times before EARLIEST_RECEIPT or after `latest` (default: `latest_receipt()`) fail.
    """
    latest = latest_receipt() if latest is None else latest
    categories = {
        KIND: list(KINDS),
        CATEGORY: found_values(raw.column(CATEGORY)),
        DISTRICT: places.districts,
        STREET: places.streets,
    }
    codes = {c: codes_in(raw.column(c), categories[c]) for c in CODED}
    ids = half_width(trimmed(raw.column(REQUEST_ID)))
    when = parse_time_column(trimmed(raw.column(RECEIVED_AT)), parse)
    ok = (
        _no_read_problem(raw)
        & (byte_lengths(ids) > 0)
        & ~scientific(ids)
        & (when >= EARLIEST_RECEIPT)  # NaT compares false
        & (when <= latest)
        & (codes[KIND] >= 0)
        & (codes[CATEGORY] >= 0)
        & places.known[codes[DISTRICT] + 1, codes[STREET] + 1]
    )
    row = np.asarray(raw.column(ROW).to_numpy(zero_copy_only=False), dtype="int64")
    skip = no_record(raw, ~ok & np.isnat(when))
    return Checked(row, ids, when, codes, categories, _text(raw), ok, skip, latest)


def half_width(ids: pa.Array) -> pa.Array:
    """Ids with full-width digits and letters as ASCII (NFKC): ２０２６０１０５００００２ is
    work order 2026010500002 and must not be stored as a second request. All-ASCII ids (the
    usual export) are returned as they are."""
    if pc.all(pc.string_is_ascii(ids)).as_py() is not False:
        return ids
    return pc.utf8_normalize(ids, form="NFKC")


def scientific(ids: pa.Array) -> np.ndarray:
    """Which ids are numbers in scientific notation (SCIENTIFIC_ID); only ids holding 'E+'
    go through the regular expression, so plain work-order numbers cost one substring scan."""
    marked = np.asarray(pc.match_substring(ids, "E+").to_numpy(zero_copy_only=False), dtype=bool)
    if marked.any():
        rows = np.flatnonzero(marked)
        found = pc.match_substring_regex(ids.take(pa.array(rows)), SCIENTIFIC_ID)
        marked[rows] = np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    return marked


def no_record(raw: pa.RecordBatch, candidates: np.ndarray) -> np.ndarray:
    """Which of the `candidates` rows hold no record: every cell blank, a totals row (a cell
    starting 合计, 总计 or 小计, no time, and no request id other than such a mark: a record
    whose text starts 合计… is still a record), or the header again. Exports and spreadsheets
    add such rows; they are skipped and counted, never rejected. Only failed rows are looked at."""
    out = np.zeros(raw.num_rows, dtype=bool)
    if not candidates.any():
        return out
    rows = raw.filter(pa.array(candidates))
    cells = [trimmed(rows.column(c)) for c in RECORD_COLUMNS if c in rows.schema.names]
    blank = np.logical_and.reduce([byte_lengths(c) == 0 for c in cells]) & _no_read_problem(rows)
    ids = trimmed(rows.column(REQUEST_ID))
    no_id = (byte_lengths(ids) == 0) | np.logical_or.reduce([_starts(ids, m) for m in TOTAL_MARKS])
    marked = (
        np.logical_or.reduce([_starts(c, mark) for c in cells for mark in TOTAL_MARKS])
        & (byte_lengths(trimmed(rows.column(RECEIVED_AT))) == 0)
        & no_id
    )
    out[np.flatnonzero(candidates)] = blank | marked | _header_again(rows)
    return out


def _header_again(rows: pa.RecordBatch) -> np.ndarray:
    """Rows that repeat the header (two exports joined end to end, the second's header kept):
    the id and time cells hold recognised header names, after any byte-order mark."""
    found = [
        pc.is_in(pc.utf8_ltrim(trimmed(rows.column(f)), "\ufeff"), pa.array(ALIASES[f]))
        for f in (REQUEST_ID, RECEIVED_AT)
    ]
    both = pc.and_(*found).to_numpy(zero_copy_only=False)
    return np.asarray(both, dtype=bool)


def _starts(text: pa.Array, prefix: str) -> np.ndarray:
    return np.asarray(pc.starts_with(text, prefix).to_numpy(zero_copy_only=False), dtype=bool)


def _no_read_problem(raw: pa.RecordBatch) -> np.ndarray:
    if READ_PROBLEM not in raw.schema.names:
        return np.ones(raw.num_rows, dtype=bool)
    problems = text_array(raw.column(READ_PROBLEM))
    return np.asarray(pc.equal(problems, "").to_numpy(zero_copy_only=False), dtype=bool)


def _text(raw: pa.RecordBatch) -> pa.Array:
    """The free text, unchanged, with "" as missing (a stored record has text or none)."""
    if TEXT not in raw.schema.names:
        return pa.nulls(raw.num_rows, pa.string())
    text = text_array(raw.column(TEXT))
    empty = pc.equal(text, "")
    return pc.if_else(empty, pa.scalar(None, pa.string()), text) if pc.any(empty).as_py() else text


def records_table(checked: Checked) -> pa.Table:
    """The rows that pass: RECORD_COLUMNS and ROW, in that order (the store's staged schema)."""
    ok = checked.ok
    keep = None if ok.all() else pa.array(ok)
    columns = {
        REQUEST_ID: checked.request_id if keep is None else checked.request_id.filter(keep),
        RECEIVED_AT: pa.array(checked.received_at[ok]),
        **{
            c: pc.take(pa.array(checked.categories[c], pa.string()), checked.codes[c][ok])
            for c in CODED
        },
        TEXT: checked.text if keep is None else checked.text.filter(keep),
        ROW: pa.array(checked.row[ok]),
    }
    return pa.table(columns)


def records_frame(checked: Checked) -> pd.DataFrame:
    """The rows that pass as a pandas frame: categoricals, datetime64[s], text with NaN."""
    ok = checked.ok
    coded = {
        c: pd.Categorical.from_codes(
            checked.codes[c][ok], dtype=pd.CategoricalDtype(checked.categories[c])
        )
        for c in CODED
    }
    return pd.DataFrame(
        {
            ROW: checked.row[ok],
            REQUEST_ID: _str_series(checked.request_id.filter(pa.array(ok))),
            RECEIVED_AT: checked.received_at[ok],
            **coded,
            TEXT: _str_series(checked.text.filter(pa.array(ok))),
        }
    )


def _str_series(values: pa.Array) -> pd.Series:
    return pd.Series(values.to_pandas(), dtype="str").reset_index(drop=True)
