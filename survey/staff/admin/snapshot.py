"""What publishing a wave makes public: per topic the aggregate figures, never a response.

Pure functions over the analysis frame (survey.analysis.frame): the same `summary` the
evaluators read, so the public figure and the evaluator's figure cannot differ. Excluded
responses are counted (and the count published) but left out of every rate; comments, districts
and single answers never enter the snapshot. Small cells are suppressed by `summary` itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from generator.content.models import Directory, Topic, Wave
from generator.content.models.site import SatisfactionDefinition
from generator.content.published import (
    MEASURES,
    PublishedFieldwork,
    PublishedFigure,
    PublishedTopic,
    WeightedFigure,
)
from survey.analysis import aapor
from survey.analysis.columns import (
    CI_HIGH,
    CI_LOW,
    DEFINITION,
    EXCLUDED_COUNT,
    MEASURE,
    MODE,
    NOTE,
    PHONE,
    RESPONSES,
    SUPPRESSED,
    TOPIC,
    VALUE,
    WEB,
    N,
)
from survey.analysis.rates import summary
from survey.analysis.weighting import N_EFFECTIVE, RATE_WEIGHTED, district_margins, weighted_rates
from survey.fieldwork.rates import Dispositions


def snapshot(
    frame: pd.DataFrame,
    wave: Wave,
    topics: Sequence[Topic],
    definition: SatisfactionDefinition,
    directory: Directory,
    fieldwork: Mapping[str, Dispositions] | None = None,
) -> dict[str, PublishedTopic]:
    """Per topic with at least one response in `wave`: its published figures.

    Waves that weight (`weighting: district_population` in site.yml) also publish the weighted
    满意率 with its effective n, beside the unweighted one. Topics with telephone fieldwork
    (`fieldwork`, counted by survey.fieldwork.rates) also publish RR3 and answers by mode.
    """
    if frame.empty:
        return {}
    figures = summary(frame, definition)
    weighted = _weighted(frame, definition, directory) if wave.weighting != "none" else None
    out = {}
    for topic in topics:
        rows = figures.loc[figures[TOPIC] == topic.slug]
        if rows.empty:
            continue
        extra = None if weighted is None else weighted.get(topic.slug)
        cases = (fieldwork or {}).get(topic.slug)
        calls = None if cases is None else _fieldwork(cases, frame.loc[frame[TOPIC] == topic.slug])
        out[topic.slug] = _topic(rows, extra).model_copy(update={"fieldwork": calls})
    return out


def _fieldwork(cases: Dispositions, responses: pd.DataFrame) -> PublishedFieldwork:
    """RR3 (with why it is missing, if it is) and how many answers came by web and by phone."""
    groups = cases.groups()
    rr3 = next(r for r in aapor.rates(groups) if r.name == aapor.RR3)
    modes = responses[MODE].value_counts()
    return PublishedFieldwork(
        response_rate=rr3.value,
        issued=cases.issued,
        completes=groups.I,
        web=int(modes.get(WEB, 0)),
        phone=int(modes.get(PHONE, 0)),
        note=rr3.note,
        definition=aapor.PUBLIC_TEXT,
    )


def _topic(rows: pd.DataFrame, weighted: WeightedFigure | None) -> PublishedTopic:
    by_measure = {str(r[MEASURE]): r for r in rows.to_dict("records")}
    published = {m: _figure(by_measure[m]) for m in MEASURES}
    return PublishedTopic(
        responses=int(by_measure[RESPONSES][VALUE]),
        excluded=int(by_measure[EXCLUDED_COUNT][VALUE]),
        weighted=weighted,
        **published,
    )


def _figure(row: Mapping[Any, Any]) -> PublishedFigure:
    return PublishedFigure(
        value=_number(row[VALUE]),
        n=int(row[N]),
        ci_low=_number(row[CI_LOW]),
        ci_high=_number(row[CI_HIGH]),
        suppressed=bool(row[SUPPRESSED]),
        note=str(row[NOTE]),
        definition=str(row[DEFINITION]),
    )


def _weighted(
    frame: pd.DataFrame, definition: SatisfactionDefinition, directory: Directory
) -> dict[str, WeightedFigure]:
    """The weighted 满意率 per topic; none for a topic that cannot be weighted (no valid answers)."""
    try:
        table = weighted_rates(frame, definition, district_margins(directory.districts))
    except ValueError:  # a district without population data: publish the unweighted figures
        return {}
    return {
        str(r[TOPIC]): WeightedFigure(
            value=_number(r[RATE_WEIGHTED]),
            n_effective=float(r[N_EFFECTIVE]),
            ci_low=_number(r[CI_LOW]),
            ci_high=_number(r[CI_HIGH]),
            suppressed=bool(r[SUPPRESSED]),
            note=str(r[NOTE]),
            definition=str(r[DEFINITION]),
        )
        for r in table.to_dict("records")
    }


def _number(value: Any) -> float | None:
    """NaN (no figure) → None, so the snapshot is plain JSON."""
    number = float(value)
    return None if math.isnan(number) else number
