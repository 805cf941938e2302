"""Stored responses → the analysis frame: the one place that knows how a response is stored.

The repository hands over plain mappings (a `survey.models.Response` row's columns, with its
`answers` dict and `flags` list); analysis and exports read only the columns of `columns`.
Keeping this a pure function over mappings lets it be tested without a database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any, Final

import pandas as pd

from survey.analysis.columns import (
    AWARENESS,
    DISTRICT,
    EXCLUDED,
    SATISFACTION,
    SOLVED,
    STREET,
    SUSPECT,
    TOPIC,
    WAVE,
    WEIGHT,
    WENT_BADLY,
    WENT_WELL,
)

ID: Final = "id"
# Stored as columns of the responses table; these win over keys of the same name in `answers`.
STORED: Final = (
    *(ID, "receipt", TOPIC, WAVE, "version", "submitted_at", "channel"),
    *(DISTRICT, STREET, SATISFACTION),
)
# Answers analysis reads; a topic whose questionnaire lacks one gets an empty column.
ANALYSED: Final = (SOLVED, AWARENESS, WENT_WELL, WENT_BADLY)
FRAME_COLUMNS: Final = [*STORED, *ANALYSED, SUSPECT, EXCLUDED, WEIGHT]


def responses_frame(
    records: Iterable[Mapping[str, Any]], excluded: Collection[int] = ()
) -> pd.DataFrame:
    """One row per response: stored fields, answers as columns, flags and exclusions as booleans.

    A response is suspect when the collector flagged it for any reason; it is excluded when an
    evaluator excluded it (its id is in `excluded`). Weights start at 1.0 (unweighted).
    """
    rows = [_row(record, excluded) for record in records]
    frame = pd.DataFrame(rows)
    extra = [c for c in frame.columns if c not in FRAME_COLUMNS]
    return frame.reindex(columns=[*FRAME_COLUMNS, *sorted(extra)])


def _row(record: Mapping[str, Any], excluded: Collection[int]) -> dict[str, Any]:
    answers = dict(record.get("answers") or {})
    stored = {name: record.get(name) for name in STORED}
    flags = {
        SUSPECT: bool(record.get("flags")),
        EXCLUDED: record.get(ID) in excluded,
        WEIGHT: 1.0,
    }
    return {**{a: None for a in ANALYSED}, **answers, **stored, **flags}
