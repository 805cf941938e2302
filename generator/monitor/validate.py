"""Raw text rows → typed records, and rejects with their row number and every reason.

Pure functions: frames in, frames out. Checks run on whole Arrow columns (`checks`); reasons are
spelled out only for the (normally few) rejected rows, so a clean 25-million-row year stays fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

from generator.monitor.checks import (
    EARLIEST_RECEIPT,
    SCIENTIFIC_ID,
    Checked,
    Places,
    check_batch,
    records_frame,
)
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
from generator.monitor.fields import numeric_keys, text_array

# Tried after ISO 8601 (which also takes 2025/3/1 8:30 and 2025-3-1), on the text as
# `_western` rewrites it; exports that spell dates in Chinese are rewritten to ISO first.
FALLBACK_TIME_FORMATS = ("%Y%m%d%H%M%S",)
# 2025年3月1日, optionally with 8时30分(5秒) or 8点30分, or 08:30(:05); spaces anywhere.
_CHINESE_DATE = r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*"
_CHINESE_TIME = r"(\d{1,2})\s*[时点]\s*(\d{1,2})\s*分(?:\s*(\d{1,2})\s*秒)?\s*$"
REJECT_COLUMNS = (ROW, REASON, *RECORD_COLUMNS)


def parse_times(text: pd.Series) -> pd.Series:
    """Text → datetime64[s] (Beijing local time); anything unreadable becomes NaT."""
    out = pd.to_datetime(text, format="ISO8601", errors="coerce")
    retry = out.isna() & (text != "")
    if not retry.any():
        return out.astype("datetime64[s]")
    # Only the values ISO 8601 did not take are rewritten: the usual export pays nothing.
    western = _western(text[retry])
    for fmt in ("ISO8601", *FALLBACK_TIME_FORMATS):
        parsed = pd.to_datetime(western, format=fmt, errors="coerce")
        out = out.combine_first(parsed)
        western = western[parsed.isna()]
        if western.empty:
            break
    return out.astype("datetime64[s]")


def _western(text: pd.Series) -> pd.Series:
    """Full-width digits and punctuation as ASCII (NFKC), and Chinese dates and times
    (2025年3月1日 8时30分) in ISO order (2025-3-1 8:30:00)."""
    ascii_text = text.str.normalize("NFKC").str.strip()
    dated = ascii_text.str.replace(_CHINESE_DATE, r"\1-\2-\3 ", regex=True)
    timed = dated.str.replace(_CHINESE_TIME, _clock, regex=True)
    return timed.str.strip()


def _clock(match: re.Match[str]) -> str:
    return f"{match[1]}:{match[2]}:{match[3] or '00'}"


def validate(
    raw: pd.DataFrame | pa.RecordBatch, streets: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split raw rows into typed records (with ROW) and rejects (REJECT_COLUMNS).

    KIND, CATEGORY, DISTRICT and STREET become categoricals: KINDS, the directory's sorted
    districts and streets, and the categories found. The checks run in Arrow (`checks`).
    """
    batch = raw if isinstance(raw, pa.RecordBatch) else raw_batch(raw)
    checked = check_batch(batch, Places.of(streets), parse_times)
    return records_frame(checked), failed_rows(batch, checked, streets)


def raw_batch(raw: pd.DataFrame) -> pa.RecordBatch:
    """A raw pandas frame (ROW, fields as text, READ_PROBLEM) as an Arrow batch."""
    return pa.RecordBatch.from_pandas(raw, preserve_index=False)


def failed_rows(raw: pa.RecordBatch, checked: Checked, streets: pd.DataFrame) -> pd.DataFrame:
    """The rows of `raw` that failed a check, each with every reason (REJECT_COLUMNS)."""
    bad = ~checked.ok & ~checked.skip
    if not bad.any():
        return empty_rejects()
    rows: pd.DataFrame = raw.filter(pa.array(bad)).to_pandas()
    if READ_PROBLEM not in rows:
        rows[READ_PROBLEM] = ""
    return rejects_of(rows, pd.Series(checked.received_at[bad]), streets, checked.latest)


def rejects_of(
    raw: pd.DataFrame, received: pd.Series, streets: pd.DataFrame, latest: np.datetime64
) -> pd.DataFrame:
    """Rejected rows as they were read, each with every reason it failed, joined by '；'."""
    fields = [c for c in RECORD_COLUMNS if c in raw]
    text = raw.astype(dict.fromkeys(fields, "str")).reindex(
        columns=[ROW, *RECORD_COLUMNS, READ_PROBLEM], fill_value=""
    )
    places = _Places(
        set(streets[DISTRICT]),
        set(zip(streets[DISTRICT], streets[STREET], strict=True)),
        pd.Timestamp(latest),
    )
    rows = cast(list[dict[str, str]], text.to_dict("records"))
    reasons = ["；".join(_reasons(row, ts, places)) for row, ts in zip(rows, received, strict=True)]
    out = text.assign(**{REASON: pd.Series(reasons, index=text.index, dtype="str")})
    return out.loc[:, list(REJECT_COLUMNS)].reset_index(drop=True).astype({ROW: "int64"})


@dataclass(frozen=True)
class _Places:
    districts: set[str]
    pairs: set[tuple[str, str]]
    latest: pd.Timestamp  # the last receipt time taken


def _reasons(raw: dict[str, str], received: pd.Timestamp, places: _Places) -> list[str]:
    row = {k: v.strip() if isinstance(v, str) else v for k, v in raw.items()}
    out = [row[READ_PROBLEM]] if row[READ_PROBLEM] else []
    if not row[REQUEST_ID]:
        out.append("缺少诉求编号")
    elif re.match(SCIENTIFIC_ID, row[REQUEST_ID]):
        out.append(
            f"诉求编号“{row[REQUEST_ID]}”是科学计数法，Excel 保存时已丢掉后面的数字："
            "请从系统重新导出，或在 Excel 中把该列设为文本后再保存"
        )
    if not row[RECEIVED_AT]:
        out.append("缺少受理时间")
    elif pd.isna(received):
        out.append(f"受理时间“{row[RECEIVED_AT]}”无法识别（应如 2025-03-01 08:30:00）")
    elif not pd.Timestamp(EARLIEST_RECEIPT) <= received <= places.latest:
        out.append(
            f"受理时间“{row[RECEIVED_AT]}”不在 {pd.Timestamp(EARLIEST_RECEIPT):%Y-%m-%d} 到 "
            f"{places.latest:%Y-%m-%d} 之间，请检查年份"
        )
    if row[KIND] not in KINDS:
        out.append(f"诉求性质“{row[KIND]}”应为 {'、'.join(KINDS)} 之一")
    if not row[CATEGORY]:
        out.append("缺少问题分类")
    return out + _place_reasons(row[DISTRICT], row[STREET], places)


def _place_reasons(district: str, street: str, places: _Places) -> list[str]:
    if not district:
        return ["缺少区"]
    if district not in places.districts:
        return [f"区“{district}”不在名录中"]
    if not street:
        return ["缺少街乡镇"]
    if (district, street) not in places.pairs:
        return [f"街乡镇“{street}”不在{district}的名录中"]
    return []


def drop_repeats(records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the first row of each request id; later rows become rejects naming the first."""
    repeat = records[REQUEST_ID].duplicated(keep="first")
    if not repeat.any():
        return records, empty_rejects()
    first = records.loc[~repeat].set_index(REQUEST_ID)[ROW]
    later = records.loc[repeat]
    reason = (
        "诉求编号重复：与第 "
        + later[REQUEST_ID].map(first).astype("str")
        + " 行相同，保留第一次出现的那行"
    )
    text = later.astype({c: "str" for c in (KIND, CATEGORY, DISTRICT, STREET)}).assign(
        **{
            RECEIVED_AT: later[RECEIVED_AT].dt.strftime("%Y-%m-%d %H:%M:%S"),
            TEXT: later[TEXT].fillna(""),
            REASON: reason,
        }
    )
    return records.loc[~repeat].reset_index(drop=True), text.loc[
        :, list(REJECT_COLUMNS)
    ].reset_index(drop=True)


def same_as_first(records: pd.DataFrame) -> pd.Series:
    """Whether each typed record repeats, in every field, the first record of its request id
    (a row an export lists twice: the same request, stored once, nothing to reject)."""
    ids = records[REQUEST_ID].astype("str")
    # No text is "" here: groupby's "first" would skip a missing value and take a later one.
    others = records.loc[:, [c for c in RECORD_COLUMNS if c != REQUEST_ID]].astype("str")
    others = others.fillna("")
    first = others.groupby(ids, sort=False).transform("first")
    same: pd.Series = first.eq(others).all(axis=1)
    return same & ids.duplicated()


def with_raw_fields(rejects: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """`rejects` with each field as the file spelled it (from `raw`, by ROW), not as parsed."""
    fields = [c for c in RECORD_COLUMNS if c in raw]
    text = raw.astype(dict.fromkeys(fields, "str")).set_index(ROW)
    spelled = {f: rejects[ROW].map(text[f]).fillna(rejects[f]).astype("str") for f in fields}
    return rejects.assign(**spelled)


def empty_rejects() -> pd.DataFrame:
    """No rejected rows, with the reject columns."""
    return pd.DataFrame({c: pd.Series(dtype=_REJECT_DTYPES[c]) for c in REJECT_COLUMNS})


def rows_to_store(ids: pd.Series, stored_ids: pd.Series) -> tuple[pd.Series, pd.Series, int]:
    """(rows to store, rows whose id occurs more than once in the file, first rows already
    stored). A row is stored when it is the first of its id in the file and not stored yet.
    `ids` may be text or already int64 keys (see `id_keys`); `stored_ids` is text."""
    keys, stored = id_keys(ids), id_keys(stored_ids)
    if keys.dtype != stored.dtype and len(stored):  # ids that are not plain numbers
        keys, stored = ids.astype("str"), stored_ids
    first = _first_of_each(keys)
    involved = keys.duplicated(keep=False) if not first.all() else ~first
    known = keys.isin(stored) if len(stored) else pd.Series(False, index=ids.index)
    return first & ~known, involved, int((first & known).sum())


def _first_of_each(keys: pd.Series) -> pd.Series:
    """Whether each key is the first of its value. Exports usually list work orders in
    ascending order: then no key repeats, and 25 million keys need no hash table."""
    values = keys.to_numpy()
    if keys.dtype == "int64" and bool((values[1:] > values[:-1]).all()):
        return pd.Series(True, index=keys.index)
    return ~keys.duplicated(keep="first")


def id_keys(ids: pd.Series) -> pd.Series:
    """Ids as 64-bit integers when every id is a plain number (as hotline work-order numbers
    are), else the ids themselves; int64 ids are already keys. Hashing integers takes a
    fraction of the memory and time that hashing 25 million strings does."""
    if ids.dtype == "int64":
        return ids
    keys = numeric_keys(text_array(pa.array(ids, pa.string()))) if len(ids) else None
    if keys is not None:
        return pd.Series(keys, index=ids.index)
    return ids if len(ids) else pd.Series([], dtype="int64")


_REJECT_DTYPES = {c: "str" for c in REJECT_COLUMNS} | {ROW: "int64"}
