"""Per topic and wave: the headline rates, each a row with its n, interval and definition.

Input is the responses frame of `columns` (one row per response); output is long: one row per
figure, so a page or a download can never show a rate without the n it rests on.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from generator.content.models.site import SATISFACTION_SCALE, SatisfactionDefinition
from survey.analysis import definitions as text
from survey.analysis.columns import (
    ANSWER,
    AWARENESS,
    AWARENESS_RATE,
    AWARENESS_YES,
    CI_HIGH,
    CI_LOW,
    CONFIDENCE,
    COUNT,
    DEFINITION,
    EXCLUDED,
    EXCLUDED_COUNT,
    MEAN_SCORE,
    MEASURE,
    MIN_CELL,
    NOTE,
    RESPONSES,
    SATISFACTION,
    SATISFACTION_RATE,
    SCORES,
    SHARE,
    SOLVED,
    SOLVED_NOT_APPLICABLE,
    SOLVED_RATE,
    SOLVED_YES,
    SUPPRESSED,
    SUSPECT,
    SUSPECT_COUNT,
    TOP_BOX,
    TOPIC,
    VALUE,
    WAVE,
    N,
)

SUMMARY_COLUMNS = [TOPIC, WAVE, MEASURE, VALUE, N, CI_LOW, CI_HIGH, SUPPRESSED, NOTE, DEFINITION]
SHARE_VALID = "share_valid"
N_VALID = "n_valid"
DISTRIBUTION_COLUMNS = [TOPIC, WAVE, ANSWER, COUNT, N, SHARE, N_VALID, SHARE_VALID, DEFINITION]
NAN = math.nan


def wilson(count: float, n: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval: unlike the normal one it stays inside [0, 1] near 100%."""
    if n <= 0:
        return NAN, NAN
    low, high = proportion_confint(count, n, alpha=1 - confidence, method="wilson")
    return float(low), float(high)


def counted(frame: pd.DataFrame) -> pd.DataFrame:
    """Responses that count: excluded ones are kept in the database but left out of every figure."""
    return frame.loc[~frame[EXCLUDED].astype(bool)]


def valid_satisfaction(frame: pd.DataFrame, definition: SatisfactionDefinition) -> pd.DataFrame:
    """Counted responses whose satisfaction answer is valid under the configured definition."""
    rows = counted(frame)
    answer = rows[SATISFACTION]
    return rows.loc[answer.notna() & ~answer.isin(definition.excluded)]


def rate_row(
    measure: str, count: float, n: float, definition: str, min_cell: int = MIN_CELL
) -> dict[str, Any]:
    """One proportion with its Wilson interval, suppressed (NaN and a note) below `min_cell`."""
    hidden = _suppressed(measure, n, definition, min_cell)
    if hidden is not None:
        return hidden
    return _row(measure, count / n, n, wilson(count, n), False, "", definition)


def _suppressed(measure: str, n: float, definition: str, min_cell: int) -> dict[str, Any] | None:
    """The row that stands in for a figure resting on too few answers, saying why."""
    if n >= min_cell and n > 0:
        return None
    note = text.SUPPRESSED_TEXT if n > 0 else "没有有效回答。"
    return _row(measure, NAN, n, (NAN, NAN), True, note, definition)


def _row(
    measure: str,
    value: float,
    n: float,
    interval: tuple[float, float],
    suppressed: bool,
    note: str,
    definition: str,
) -> dict[str, Any]:
    low, high = interval
    return {
        MEASURE: measure,
        VALUE: value,
        N: n,
        CI_LOW: low,
        CI_HIGH: high,
        SUPPRESSED: suppressed,
        NOTE: note,
        DEFINITION: definition,
    }


def summary(
    frame: pd.DataFrame, definition: SatisfactionDefinition, min_cell: int = MIN_CELL
) -> pd.DataFrame:
    """Counts and rates per topic and wave, one row per figure (see SUMMARY_COLUMNS)."""
    rows = [
        {TOPIC: topic, WAVE: wave, **row}
        for (topic, wave), group in frame.groupby([TOPIC, WAVE], sort=True)
        for row in _measures(group, definition, min_cell)
    ]
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS).astype({N: "float64", VALUE: "float64"})


def _measures(
    group: pd.DataFrame, definition: SatisfactionDefinition, min_cell: int
) -> list[dict[str, Any]]:
    total = len(group)
    valid = valid_satisfaction(group, definition)[SATISFACTION]
    rows = counted(group)
    solved = rows[SOLVED].dropna()
    solved = solved.loc[~solved.isin(SOLVED_NOT_APPLICABLE)]
    aware = rows[AWARENESS].dropna()
    return [
        _row(RESPONSES, total, total, (NAN, NAN), False, "", text.RESPONSES_TEXT),
        _count(EXCLUDED_COUNT, group[EXCLUDED], text.EXCLUDED_TEXT),
        _count(SUSPECT_COUNT, group[SUSPECT], text.SUSPECT_TEXT),
        rate_row(
            SATISFACTION_RATE,
            valid.isin(definition.satisfied).sum(),
            len(valid),
            text.satisfaction_text(definition),
            min_cell,
        ),
        rate_row(
            TOP_BOX,
            valid.isin(definition.top_box).sum(),
            len(valid),
            text.top_box_text(definition),
            min_cell,
        ),
        _mean_score(valid, definition, min_cell),
        rate_row(
            SOLVED_RATE, solved.isin(SOLVED_YES).sum(), len(solved), text.SOLVED_TEXT, min_cell
        ),
        rate_row(
            AWARENESS_RATE,
            aware.isin(AWARENESS_YES).sum(),
            len(aware),
            text.AWARENESS_TEXT,
            min_cell,
        ),
    ]


def _count(measure: str, flags: pd.Series, definition: str) -> dict[str, Any]:
    return _row(
        measure, float(flags.astype(bool).sum()), len(flags), (NAN, NAN), False, "", definition
    )


def _mean_score(
    valid: pd.Series, definition: SatisfactionDefinition, min_cell: int
) -> dict[str, Any]:
    """Mean of the 0–100 points; no interval is claimed for it."""
    scores = valid.map(SCORES).dropna()
    definition_text = text.mean_score_text(definition)
    hidden = _suppressed(MEAN_SCORE, len(scores), definition_text, min_cell)
    if hidden is not None:
        return hidden
    return _row(MEAN_SCORE, scores.mean(), len(scores), (NAN, NAN), False, "", definition_text)


def distribution(frame: pd.DataFrame, definition: SatisfactionDefinition) -> pd.DataFrame:
    """Every answer of the stored scale per topic and wave, with zero counts kept."""
    rows = counted(frame)
    waves = rows[[TOPIC, WAVE]].drop_duplicates().sort_values([TOPIC, WAVE])
    index = pd.MultiIndex.from_tuples(
        [(t, w, a) for t, w in waves.itertuples(index=False) for a in SATISFACTION_SCALE],
        names=[TOPIC, WAVE, ANSWER],
    )
    tally = rows.groupby([TOPIC, WAVE, SATISFACTION]).size().reindex(index, fill_value=0)
    counts = pd.Series(tally.to_numpy(), index=index, name=COUNT).reset_index()
    valid = ~counts[ANSWER].isin(definition.excluded)
    by_wave = [counts[TOPIC], counts[WAVE]]
    n_valid = counts[COUNT].where(valid, 0).groupby(by_wave).transform("sum")
    columns: dict[str, Any] = {
        N: counts[COUNT].groupby(by_wave).transform("sum"),
        N_VALID: n_valid,
        SHARE_VALID: (counts[COUNT] / n_valid).where(valid),
        DEFINITION: text.distribution_text(definition),
    }
    return counts.assign(**columns).assign(**{SHARE: lambda d: d[COUNT] / d[N]})[
        DISTRIBUTION_COLUMNS
    ]
