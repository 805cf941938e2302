"""Reading responses for a download: raw rows in chunks, never the whole result in memory.

The one place downloads touch the database (views call `survey.staff.downloads.service`, which calls
this). Answers and flags are read as JSON text (`CAST … AS TEXT`) so that neither SQLAlchemy's
JSON type nor psycopg decodes them row by row; `survey.staff.downloads.table` parses a whole chunk at
once. Each response carries its exclusion reason (LEFT JOIN), so excluded responses are shown,
marked, rather than silently missing: an evaluator must be able to reproduce every figure.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any, Final

from sqlalchemy import Select, Text, cast, func, select

from survey.storage.db import Database
from survey.storage.models import Exclusion, Response

CHUNK: Final = 10_000  # rows per chunk: about 40 MB of Python objects at most


def raw_query(wave: str, topics: Collection[str]) -> Select[*tuple[Any, ...]]:
    """The rows of one wave and some topics, in id order, columns as `table.RAW` names them."""
    return (
        select(
            Response.id,
            Response.receipt,
            Response.topic,
            Response.wave,
            Response.version,
            Response.submitted_at,
            Response.channel,
            Response.mode,
            Response.interviewer,
            Response.started_at,
            cast(Response.answers, Text),
            cast(Response.flags, Text),
            Exclusion.reason,
        )
        .outerjoin(Exclusion, Exclusion.response_id == Response.id)
        .where(Response.wave == wave, Response.topic.in_(sorted(topics)))
        .order_by(Response.id)
    )


def raw_chunks(
    db: Database, wave: str, topics: Collection[str], chunk: int | None = None
) -> Iterator[Sequence[Sequence[Any]]]:
    """Raw rows `chunk` at a time, streamed from the server (`yield_per`), in one transaction.

    The connection stays open while the caller consumes the chunks; closing the generator (a
    client that hangs up) closes it.
    """
    with db.engine.connect() as connection:
        result = connection.execution_options(yield_per=chunk or CHUNK).execute(
            raw_query(wave, topics)
        )
        yield from result.partitions()


def count(db: Database, wave: str, topics: Collection[str]) -> int:
    """How many responses a download of this wave and these topics holds."""
    query = select(func.count(Response.id)).where(
        Response.wave == wave, Response.topic.in_(sorted(topics))
    )
    with db.transaction() as session:
        return int(session.scalar(query) or 0)


def answered(db: Database) -> set[tuple[str, str]]:
    """The (wave, topic) pairs that have at least one response: what the downloads page lists."""
    query = select(Response.wave, Response.topic).distinct()
    with db.transaction() as session:
        return {(str(wave), str(topic)) for wave, topic in session.execute(query)}
