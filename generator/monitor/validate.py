"""Raw text rows → typed records, and rejects with their row number and every reason.

Pure functions: frames in, frames out. Checks run on whole columns; reasons are spelled out only
for the (normally few) rejected rows, so a clean 25-million-row year stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

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

# Tried after ISO 8601 (which also takes 2025/3/1 8:30), for exports that spell dates in Chinese.
FALLBACK_TIME_FORMATS = ("%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y%m%d%H%M%S")
REJECT_COLUMNS = (ROW, REASON, *RECORD_COLUMNS)


def parse_times(text: pd.Series) -> pd.Series:
    """Text → datetime64[s] (Beijing local time); anything unreadable becomes NaT."""
    out = pd.to_datetime(text, format="ISO8601", errors="coerce")
    for fmt in FALLBACK_TIME_FORMATS:
        retry = out.isna() & (text != "")
        if not retry.any():
            break
        out = out.mask(retry, pd.to_datetime(text[retry], format=fmt, errors="coerce"))
    return out.astype("datetime64[s]")


def validate(raw: pd.DataFrame, streets: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split raw rows into typed records (with ROW) and rejects (REJECT_COLUMNS).

    KIND, CATEGORY, DISTRICT and STREET may come as text or as categoricals (the CSV reader
    dictionary-encodes them); either way only their distinct values are trimmed and looked up.
    """
    records = typed(raw, streets)
    ok = (
        (raw[READ_PROBLEM] == "").to_numpy()
        & (records[REQUEST_ID] != "").to_numpy()
        & records[RECEIVED_AT].notna().to_numpy()
        & (records[KIND].cat.codes >= 0).to_numpy()
        & (records[CATEGORY].cat.codes >= 0).to_numpy()
        & _known_places(records[DISTRICT], records[STREET], streets)
    )
    when = records[RECEIVED_AT]
    if ok.all():
        # A fresh empty frame: a zero-row slice of `raw` would keep its whole CSV block alive.
        return records, empty_rejects()
    return records.loc[ok].reset_index(drop=True), rejects_of(raw[~ok], when[~ok], streets)


def typed(raw: pd.DataFrame, streets: pd.DataFrame) -> pd.DataFrame:
    """Every raw row converted; what cannot be converted is missing (NaT, category code -1)."""
    text = raw[TEXT] if TEXT in raw else pd.Series("", index=raw.index, dtype="str")
    return pd.DataFrame(
        {
            ROW: raw[ROW],
            REQUEST_ID: raw[REQUEST_ID].str.strip(),
            RECEIVED_AT: parse_times(raw[RECEIVED_AT].str.strip()),
            KIND: as_categorical(raw[KIND], list(KINDS)),
            CATEGORY: as_categorical(raw[CATEGORY]),
            DISTRICT: as_categorical(raw[DISTRICT], sorted(set(streets[DISTRICT]))),
            STREET: as_categorical(raw[STREET], sorted(set(streets[STREET]))),
            TEXT: text.mask(text == "") if (text == "").any() else text,
        }
    )


def _known_places(district: pd.Series, street: pd.Series, streets: pd.DataFrame) -> np.ndarray:
    """Whether each (district, street) pair is in the directory."""
    known = _pair_ids(
        pd.Categorical(streets[DISTRICT], categories=district.cat.categories),
        pd.Categorical(streets[STREET], categories=street.cat.categories),
    )
    found = _pair_ids(pd.Categorical(district), pd.Categorical(street))
    return np.asarray(found.isin(known).to_numpy() & (found >= 0).to_numpy())


def as_categorical(values: pd.Series, categories: list[str] | None = None) -> pd.Categorical:
    """Text → categorical over `categories` (others: missing); trims only distinct values.

    Factorising finds the few distinct values without a Python object per row, which is
    what building the categorical from 25 million strings would cost. Without `categories`,
    the trimmed non-empty values found become the categories.
    """
    codes, uniques = pd.factorize(values)
    trimmed = pd.Index(np.asarray(uniques, dtype=object)).astype("str").str.strip()
    if categories is None:
        categories = sorted(set(trimmed) - {""})
    lookup = pd.Index(categories).get_indexer(trimmed)
    mapped = np.append(lookup, -1)[codes]  # factorize codes missing values as -1
    dtype: pd.CategoricalDtype = pd.CategoricalDtype(categories)
    return cast(pd.Categorical, pd.Categorical.from_codes(mapped, dtype=dtype))


def _pair_ids(district: pd.Categorical, street: pd.Categorical) -> pd.Series:
    # A street name is unique only within its district: key the pair as one integer.
    ids = district.codes.astype("int64") * (len(street.categories) + 1) + street.codes
    return pd.Series(np.where((district.codes < 0) | (street.codes < 0), -1, ids))


def rejects_of(raw: pd.DataFrame, received: pd.Series, streets: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows as they were read, each with every reason it failed, joined by '；'."""
    fields = [c for c in RECORD_COLUMNS if c in raw]
    text = raw.astype(dict.fromkeys(fields, "str")).reindex(
        columns=[ROW, *RECORD_COLUMNS, READ_PROBLEM], fill_value=""
    )
    places = _Places(
        set(streets[DISTRICT]), set(zip(streets[DISTRICT], streets[STREET], strict=True))
    )
    rows = cast(list[dict[str, str]], text.to_dict("records"))
    reasons = ["；".join(_reasons(row, ts, places)) for row, ts in zip(rows, received, strict=True)]
    out = text.assign(**{REASON: pd.Series(reasons, index=text.index, dtype="str")})
    return out.loc[:, list(REJECT_COLUMNS)].reset_index(drop=True).astype({ROW: "int64"})


@dataclass(frozen=True)
class _Places:
    districts: set[str]
    pairs: set[tuple[str, str]]


def _reasons(raw: dict[str, str], received: pd.Timestamp, places: _Places) -> list[str]:
    row = {k: v.strip() if isinstance(v, str) else v for k, v in raw.items()}
    if all(row[c] == "" for c in RECORD_COLUMNS) and not row[READ_PROBLEM]:
        return ["空行"]
    out = [row[READ_PROBLEM]] if row[READ_PROBLEM] else []
    if not row[REQUEST_ID]:
        out.append("缺少诉求编号")
    if not row[RECEIVED_AT]:
        out.append("缺少受理时间")
    elif pd.isna(received):
        out.append(f"受理时间“{row[RECEIVED_AT]}”无法识别（应如 2025-03-01 08:30:00）")
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


def empty_rejects() -> pd.DataFrame:
    """No rejected rows, with the reject columns."""
    return pd.DataFrame({c: pd.Series(dtype=_REJECT_DTYPES[c]) for c in REJECT_COLUMNS})


def rows_to_store(ids: pd.Series, stored_ids: pd.Series) -> tuple[pd.Series, pd.Series, int]:
    """(rows to store, rows whose id occurs more than once in the file, first rows already
    stored). A row is stored when it is the first of its id in the file and not stored yet."""
    keys, stored = id_keys(ids), id_keys(stored_ids)
    if keys.dtype != stored.dtype:  # one side has ids that are not plain numbers
        keys, stored = ids, stored_ids
    first = ~keys.duplicated(keep="first")
    involved = keys.duplicated(keep=False) if not first.all() else ~first
    known = keys.isin(stored) if len(stored) else pd.Series(False, index=ids.index)
    return first & ~known, involved, int((first & known).sum())


def id_keys(ids: pd.Series) -> pd.Series:
    """Ids as 64-bit integers when every id is a plain number (as hotline work-order numbers
    are), else the ids themselves. Hashing integers takes a fraction of the memory and time
    that hashing 25 million strings does."""
    numeric = ids.str.fullmatch(r"[1-9][0-9]{0,17}")
    if len(ids) and bool(numeric.all()):
        return ids.astype("int64")
    return ids if len(ids) else pd.Series([], dtype="int64")


_REJECT_DTYPES = {c: "str" for c in REJECT_COLUMNS} | {ROW: "int64"}
