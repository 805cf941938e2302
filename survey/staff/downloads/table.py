"""Stored rows → the declared download columns, one chunk at a time, vectorised with pyarrow.

The generic path (`responses_frame` then `variables.prepare`) decodes each response's answers
with `json.loads` and ticks multiple-choice options through pandas; on 1,000,000 responses that
made the CSV download 2.5× slower than writing the stored rows as they are (BENCHMARKS.md).
Here a chunk's answers arrive as JSON text and are parsed in one call by Arrow's JSON reader
against a schema built from the variable table, list columns are ticked with Arrow kernels, and
the result is an Arrow table in the declared column order. Answers that do not fit the schema
(a stored type the questionnaire does not declare) fall back to the generic path for that chunk,
so the declared table is the same either way.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.json as pj  # type: ignore[import-untyped]

from survey.analysis.frame import responses_frame
from survey.analysis.variables import Variable, iso_utc, prepare

# The columns the repository reads, in order (survey.staff.downloads.rows.raw_query).
RAW: Final = (
    "id",
    "receipt",
    "topic",
    "wave",
    "version",
    "submitted_at",
    "channel",
    "mode",  # web | phone
    "interviewer",  # phone interviews: the interviewer's pseudonym
    "started_at",  # phone interviews: when the interview began (UTC)
    "answers",  # JSON text
    "flags",  # JSON text: a list of reasons, "[]" when none
    "exclusion_reason",  # NULL unless an evaluator excluded the response
)
STORED: Final = frozenset({"receipt", "topic", "wave", "version", "channel", "mode", "interviewer"})
TIMES: Final = frozenset({"submitted_at", "started_at"})
FLAG_SEPARATOR: Final = "；"
NO_FLAGS: Final = ("[]", "null", "")


def declared(rows: Sequence[Sequence[Any]], variables: Sequence[Variable]) -> pa.Table:
    """One chunk of raw rows as an Arrow table of the declared columns, in order."""
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [()] * len(RAW)
    raw = dict(zip(RAW, columns, strict=True))
    try:
        answers = _answers(raw["answers"], variables)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return _generic(rows, variables)
    columns = [_column(v, raw, answers) for v in variables]
    return pa.table(columns, names=[v.name for v in variables])


def _answers(texts: Sequence[str | None], variables: Sequence[Variable]) -> pa.Table:
    """Every chunk's answers parsed at once, typed by the variable table; others ignored."""
    fields = {}
    for v in variables:
        if v.ticks is not None:
            fields[v.ticks[0]] = pa.list_(pa.string())
        elif v.name not in STORED and v.kind in ("text", "category"):
            fields[v.name] = pa.string()
        elif v.kind == "number":
            fields[v.name] = pa.float64()
    options = pj.ParseOptions(
        explicit_schema=pa.schema(fields.items()), unexpected_field_behavior="ignore"
    )
    body = "\n".join(text or "{}" for text in texts).encode("utf-8")
    if not body:
        return pa.table({name: pa.array([], type=kind) for name, kind in fields.items()})
    table = pj.read_json(io.BytesIO(body), parse_options=options)
    if table.num_rows != len(texts):  # a response whose answers are not one JSON object
        raise pa.ArrowInvalid("answers do not parse one object per response")
    return table


def _column(v: Variable, raw: dict[str, Sequence[Any]], answers: pa.Table) -> pa.Array:
    """One declared column of the chunk."""
    n = len(raw["id"])
    if v.name in STORED:
        return pa.array(raw[v.name], type=pa.string())
    if v.name in TIMES:
        return _iso_utc(raw[v.name])
    if v.name == "suspect":
        return pa.array([0 if f in NO_FLAGS or f is None else 1 for f in raw["flags"]], pa.int64())
    if v.name == "flags":
        return pa.array([_reasons(f) for f in raw["flags"]], type=pa.string())
    if v.name == "excluded":
        return pa.array([0 if r is None else 1 for r in raw["exclusion_reason"]], pa.int64())
    if v.name == "exclusion_reason":
        return pa.array(raw["exclusion_reason"], type=pa.string())
    if v.ticks is not None:
        return _ticks(answers.column(v.ticks[0]).combine_chunks(), v.ticks[1], n)
    if v.name in answers.column_names:
        return answers.column(v.name).combine_chunks()
    return pa.nulls(n, pa.int64() if v.kind == "flag" else pa.string())


def _iso_utc(stamps: Sequence[Any]) -> pa.Array:
    """ISO 8601 in UTC to the second, as `variables.iso_utc` writes it; naive times are UTC."""
    values = pa.array(stamps)
    if not pa.types.is_timestamp(values.type):  # e.g. all missing, or stored as text
        return pa.array(iso_utc(pd.Series(stamps, dtype=object)), type=pa.string())
    seconds = pc.cast(pc.cast(values, pa.timestamp("us")), pa.timestamp("s"), safe=False)
    text = pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%S")
    return pc.binary_join_element_wise(text, pa.scalar("+00:00"), "")


def _ticks(lists: pa.Array, option: str, n: int) -> pa.Array:
    """1 where the respondent ticked `option` in this list column, else 0."""
    flat = pc.list_flatten(lists)
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    hits = pc.fill_null(pc.equal(flat, option), False).to_numpy(zero_copy_only=False)
    counts = np.bincount(parents[hits], minlength=n)
    return pa.array((counts > 0).astype(np.int64))


def _reasons(flags: str | None) -> str | None:
    """The collector's reasons, joined; None when the response was not flagged."""
    if flags is None or flags in NO_FLAGS:
        return None
    return FLAG_SEPARATOR.join(str(reason) for reason in json.loads(flags))


def _generic(rows: Sequence[Sequence[Any]], variables: Sequence[Variable]) -> pa.Table:
    """The slow, general path: decode each row and prepare the analysis frame."""
    raws = [dict(zip(RAW, row, strict=True)) for row in rows]
    records = []
    for raw in raws:
        answers = json.loads(raw["answers"] or "{}")
        flags = json.loads(raw["flags"] or "[]")
        record = {k: raw[k] for k in RAW if k not in ("answers", "flags", "exclusion_reason")}
        record |= {"answers": answers, "flags": flags}
        record |= {k: answers.get(k) for k in ("district", "street", "satisfaction")}
        records.append(record)
    excluded = [raw["id"] for raw in raws if raw["exclusion_reason"] is not None]
    frame = responses_frame(records, excluded)
    # Times to UTC first: a column mixing zones (or naive, meaning UTC) is not a datetime column.
    for name in TIMES:
        frame[name] = pd.to_datetime(frame[name], utc=True)
    frame["flags"] = [_reasons(raw["flags"]) for raw in raws]
    frame["exclusion_reason"] = [raw["exclusion_reason"] for raw in raws]
    table = prepare(frame, variables)
    return pa.Table.from_pandas(
        table.astype(object).where(table.notna(), None), preserve_index=False
    )
