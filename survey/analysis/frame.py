"""Stored responses → the analysis frame: the one place that knows how a response is stored.

The repository hands over plain mappings (a `survey.storage.models.Response` row's columns, with its
`answers` dict and `flags` list); analysis and exports read only the columns of `columns`.
Keeping this a pure function over mappings lets it be tested without a database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import pandas as pd

from survey.analysis.columns import (
    AWARENESS,
    DISTRICT,
    EXCLUDED,
    INTERVIEWER,
    MODE,
    SATISFACTION,
    SOLVED,
    STARTED_AT,
    STREET,
    SUSPECT,
    TOPIC,
    WAVE,
    WEB,
    WEIGHT,
    WENT_BADLY,
    WENT_WELL,
)

ID: Final = "id"
ANSWERS: Final = "answers"  # dict: question id → answer (a list for multiple choice)
FLAGS: Final = "flags"  # list of reasons the collector flagged the response
# Stored as columns of the responses table; these win over keys of the same name in `answers`.
STORED: Final = (
    *(ID, "receipt", TOPIC, WAVE, "version", "submitted_at", "channel"),
    *(DISTRICT, STREET, SATISFACTION, MODE, INTERVIEWER, STARTED_AT),
)
# Answers analysis reads; a topic whose questionnaire lacks one gets an empty column.
ANALYSED: Final = (SOLVED, AWARENESS, WENT_WELL, WENT_BADLY)
FRAME_COLUMNS: Final = [*STORED, *ANALYSED, SUSPECT, EXCLUDED, WEIGHT]


def responses_frame(
    records: Iterable[Mapping[Any, Any]], excluded: Collection[int] = ()
) -> pd.DataFrame:
    """One row per response: stored fields, answers as columns, flags and exclusions as booleans.

    A response is suspect when the collector flagged it for any reason; it is excluded when an
    evaluator excluded it (its id is in `excluded`). Weights start at 1.0 (unweighted). A
    record without a mode is a web response (the column's stored default, migration 0005).
    """
    import pandas as pd  # pandas only when a staff page asks (issue 17: workers stay light)

    rows = [dict(record) for record in records]
    stored = pd.DataFrame.from_records(rows, columns=[*STORED, ANSWERS, FLAGS])
    # Column-wise from the list of answer dicts: no Python loop per row and field.
    answers = pd.DataFrame.from_records(
        [a or {} for a in stored[ANSWERS]], index=stored.index
    ).drop(columns=list(STORED), errors="ignore")
    extra = sorted(c for c in answers.columns if c not in ANALYSED)
    flags: dict[str, Any] = {
        SUSPECT: stored[FLAGS].map(bool, na_action="ignore").fillna(False).astype(bool),
        EXCLUDED: stored[ID].isin(list(excluded)),
        WEIGHT: 1.0,
        MODE: stored[MODE].astype(object).fillna(WEB),
    }
    frame = stored.drop(columns=[ANSWERS, FLAGS]).join(answers).assign(**flags)
    return frame.reindex(columns=[*FRAME_COLUMNS, *extra])
