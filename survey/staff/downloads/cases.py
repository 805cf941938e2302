"""Reading a wave's issued cases for the dispositions download, in chunks.

Selects named columns of `fieldwork_cases` only: the phone's ciphertext and its lookup hash are
never read, so no code path here can put them in a file. Only the issued sample (cases of
released replicates) is read, the cases the rates count (survey.fieldwork.rates).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Final

import pandas as pd
from sqlalchemy import func, select

from survey.analysis.dispositions import CASE_COLUMNS, disposition_frame
from survey.fieldwork.rates import ISSUED, fieldwork_topics
from survey.fieldwork.tables import Case, FieldworkWave
from survey.storage.db import Database

CHUNK: Final = 10_000  # cases per chunk


def chunks(
    db: Database, wave: str, topics: Collection[str], chunk: int | None = None
) -> Iterator[pd.DataFrame]:
    """The issued cases of these topics in `wave`, by topic and id, as declared frames."""
    query = (
        select(
            Case.topic,
            Case.wave,
            Case.id,
            Case.district,
            Case.street,
            Case.replicate,
            Case.attempts,
            Case.status,
            Case.final_code,
            Case.last_code,
        )
        .where(Case.wave == wave, Case.topic.in_(sorted(topics)), Case.status.in_(ISSUED))
        .order_by(Case.topic, Case.id)
    )
    with db.engine.connect() as connection:
        result = connection.execution_options(yield_per=chunk or CHUNK).execute(query)
        for part in result.partitions():
            cases = pd.DataFrame([tuple(row) for row in part], columns=list(CASE_COLUMNS))
            yield disposition_frame(cases)


def count(db: Database, wave: str, topics: Collection[str]) -> int:
    """How many issued cases the download holds."""
    query = select(func.count(Case.id)).where(
        Case.wave == wave, Case.topic.in_(sorted(topics)), Case.status.in_(ISSUED)
    )
    with db.connection() as connection:
        return int(connection.scalar(query) or 0)


def with_fieldwork(db: Database, wave: str, topics: Collection[str]) -> set[str]:
    """The topics among `topics` with telephone fieldwork in `wave`."""
    return fieldwork_topics(db, topics, wave)


def surveyed(db: Database) -> set[tuple[str, str]]:
    """The (wave, topic) pairs with telephone fieldwork: where the page offers dispositions."""
    query = select(FieldworkWave.wave, FieldworkWave.topic)
    with db.connection() as connection:
        return {(str(wave), str(topic)) for wave, topic in connection.execute(query)}
