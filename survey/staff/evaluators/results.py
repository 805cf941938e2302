"""The wave table: per topic the headline figures, each with its n and definition.

Service layer between the views and analysis: reads the frame through `store`, computes with
`survey.analysis.rates.summary` and hands finished `Figure`s to the template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

import pandas as pd

from generator.content.models import Topic, Wave
from generator.content.models.site import SatisfactionDefinition
from survey.analysis.aapor import DEFINITIONS, E_TEXT, RR3
from survey.analysis.aapor import LABELS as LABELS_AAPOR
from survey.analysis.columns import (
    AWARENESS,
    AWARENESS_RATE,
    EXCLUDED_COUNT,
    MEAN_SCORE,
    MEASURE,
    SATISFACTION_RATE,
    SOLVED,
    SOLVED_RATE,
    SUSPECT_COUNT,
    TOP_BOX,
    TOPIC,
    N,
)
from survey.analysis.rates import summary
from survey.staff.evaluators import store
from survey.staff.evaluators.fieldwork import rr3_by_topic
from survey.staff.evaluators.present import LABELS, Figure, count, definitions, figure
from survey.storage.db import Database

# The wave table's figure columns, in order (valid n is the 满意率's n, shown in its own column).
COLUMNS: Final = (
    *(SATISFACTION_RATE, TOP_BOX, MEAN_SCORE, SOLVED_RATE, AWARENESS_RATE),
    *(SUSPECT_COUNT, EXCLUDED_COUNT),
)


@dataclass(frozen=True)
class Column:
    """A column of the wave table and the footnote that defines it."""

    measure: str
    label: str
    definition: str


@dataclass(frozen=True)
class TopicRow:
    """One topic of the wave table; `figures` is empty when nobody has answered yet."""

    slug: str
    title: str
    valid_n: str
    figures: tuple[Figure, ...]
    rr3: str = ""  # AAPOR RR3 of the topic's telephone fieldwork; empty when it has none


@dataclass(frozen=True)
class WaveTable:
    """Everything the wave page shows."""

    wave: Wave
    columns: tuple[Column, ...]
    rows: tuple[TopicRow, ...]
    rr3: Column | None = None  # the RR3 column, when a topic of the wave has fieldwork


def columns(definition: SatisfactionDefinition) -> tuple[Column, ...]:
    """The figure columns with their definitions (content/site.yml for the satisfaction ones)."""
    texts = definitions(definition)
    return tuple(Column(m, LABELS[m], texts[m]) for m in COLUMNS)


def wave_table(
    db: Database, wave: Wave, topics: Sequence[Topic], definition: SatisfactionDefinition
) -> WaveTable:
    """The headline figures of each topic in `wave` (unweighted; weighting is per topic page)."""
    frame = store.frame(db, [t.slug for t in topics], [wave.id], (SOLVED, AWARENESS))
    figures = summary(frame, definition) if len(frame) else pd.DataFrame(columns=[TOPIC])
    rr3 = rr3_by_topic(db, [t.slug for t in topics], wave.id)
    rows = tuple(
        replace(_row(topic, figures.loc[figures[TOPIC] == topic.slug]), rr3=rr3.get(topic.slug, ""))
        for topic in topics
    )
    column = Column(RR3, LABELS_AAPOR[RR3], f"{DEFINITIONS[RR3]} {E_TEXT}") if rr3 else None
    return WaveTable(wave, columns(definition), rows, column)


def _row(topic: Topic, figures: pd.DataFrame) -> TopicRow:
    by_measure = {f.measure: f for f in (figure(r) for r in figures.to_dict("records"))}
    if not by_measure:
        return TopicRow(topic.slug, topic.title, "0", ())
    shown = tuple(by_measure[m] for m in COLUMNS)
    valid = figures.loc[figures[MEASURE] == SATISFACTION_RATE, N].iloc[0]
    return TopicRow(topic.slug, topic.title, count(float(valid)), shown)
