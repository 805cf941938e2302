"""A wave's dispositions from the database: cases per AAPOR code and group, and the frame's
districts, each in one grouped query (the database counts; Python sees a few dozen rows).

Only the issued sample enters the rates: cases of released replicates (status released, held
or final). A case's disposition is its final code, else its last call's temporary code, else
3.11 (released, never called), as `survey.fieldwork.dispositions.final_group` decides.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select

from survey.analysis.aapor import GroupCounts
from survey.fieldwork.dispositions import CODES, NOT_ATTEMPTED, Group, final_group
from survey.fieldwork.tables import Case, FieldworkWave
from survey.storage.db import Database

ISSUED: Final = ("released", "held", "final")


@dataclass(frozen=True)
class CodeCount:
    """Issued cases whose disposition is `code`."""

    code: str
    label: str
    group: Group
    cases: int


@dataclass(frozen=True)
class Dispositions:
    """One topic's wave: its cases per disposition code, and the AAPOR group counts."""

    topic: str
    wave: str
    # Codes with at least one case, in AAPOR order: the codes are hierarchical decimals, so
    # their text sorts as the Standard Definitions list them (1.1 … 2.33, 3.11 …, 4.10 …).
    codes: tuple[CodeCount, ...]

    def groups(self) -> GroupCounts:
        """Cases per rate group, the input of survey.analysis.aapor.rates."""
        totals: dict[str, int] = {}
        for c in self.codes:
            totals[c.group] = totals.get(c.group, 0) + c.cases
        return GroupCounts(**totals)

    @property
    def issued(self) -> int:
        """Every case of the released replicates."""
        return sum(c.cases for c in self.codes)


def fieldwork_topics(db: Database, topics: Collection[str], wave: str) -> set[str]:
    """The topics among `topics` that have telephone fieldwork set up in `wave`."""
    query = select(FieldworkWave.topic).where(
        FieldworkWave.wave == wave, FieldworkWave.topic.in_(sorted(topics))
    )
    with db.connection() as connection:
        return {str(topic) for topic in connection.scalars(query)}


def dispositions(db: Database, topics: Collection[str], wave: str) -> dict[str, Dispositions]:
    """Per topic with fieldwork in `wave`: its issued cases per disposition (one query)."""
    code = func.coalesce(Case.final_code, Case.last_code).label("code")
    query = (
        select(Case.topic, code, func.count().label("cases"))
        .where(Case.wave == wave, Case.topic.in_(sorted(topics)), Case.status.in_(ISSUED))
        .group_by(Case.topic, code)
    )
    with db.connection() as connection:
        rows = [(str(t), c, int(n)) for t, c, n in connection.execute(query)]
    found = fieldwork_topics(db, topics, wave)
    return {
        topic: Dispositions(topic, wave, _codes((c, n) for t, c, n in rows if t == topic))
        for topic in sorted(found)
    }


def _codes(rows: Iterable[tuple[str | None, int]]) -> tuple[CodeCount, ...]:
    """Grouped rows as CodeCounts, a missing code read as 3.11, merged and in AAPOR order."""
    cases: dict[str, int] = {}
    for code, n in rows:
        key = code or NOT_ATTEMPTED.code
        cases[key] = cases.get(key, 0) + n
    return tuple(CodeCount(c, _label(c), final_group(c, None), cases[c]) for c in sorted(cases))


def _label(code: str) -> str:
    return NOT_ATTEMPTED.label if code == NOT_ATTEMPTED.code else CODES[code].label


def frame_districts(db: Database, topic: str, wave: str) -> dict[str, int]:
    """Contacts of the whole frame per district (what the sample was drawn from)."""
    query = (
        select(Case.district, func.count())
        .where(Case.topic == topic, Case.wave == wave)
        .group_by(Case.district)
    )
    with db.connection() as connection:
        return {str(district): int(n) for district, n in connection.execute(query)}
