"""Breakdowns of one topic's results: by district, mid-year to year-end, and driver frequencies."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportions_ztest

from generator.content.models.site import SatisfactionDefinition
from survey.analysis import definitions as text
from survey.analysis.columns import (
    COUNT,
    DEFINITION,
    DISTRICT,
    END,
    MID,
    MIN_CELL,
    NOTE,
    OPTION,
    QUESTION,
    SATISFACTION,
    SATISFACTION_RATE,
    SHARE,
    SUPPRESSED,
    TOPIC,
    WAVE,
    YEAR,
    N,
)
from survey.analysis.rates import SUMMARY_COLUMNS, counted, rate_row, valid_satisfaction

DISTRICT_COLUMNS = [TOPIC, WAVE, DISTRICT, *SUMMARY_COLUMNS[2:]]
N_MID, RATE_MID, N_END, RATE_END = "n_mid", "rate_mid", "n_end", "rate_end"
DIFFERENCE, Z, P_VALUE = "difference", "z", "p_value"
CHANGE_COLUMNS = [
    *(TOPIC, YEAR, N_MID, RATE_MID, N_END, RATE_END, DIFFERENCE, Z, P_VALUE),
    *(SUPPRESSED, NOTE, DEFINITION),
]
DRIVER_COLUMNS = [TOPIC, WAVE, QUESTION, OPTION, COUNT, N, SHARE, SUPPRESSED, DEFINITION]


def by_district(
    frame: pd.DataFrame, definition: SatisfactionDefinition, min_cell: int = MIN_CELL
) -> pd.DataFrame:
    """满意率 per district; cells under `min_cell` valid answers are suppressed, never zero."""
    valid = valid_satisfaction(frame, definition)
    rows = [
        {
            TOPIC: topic,
            WAVE: wave,
            DISTRICT: district,
            **rate_row(
                SATISFACTION_RATE,
                group[SATISFACTION].isin(definition.satisfied).sum(),
                len(group),
                text.satisfaction_text(definition),
                min_cell,
            ),
        }
        for (topic, wave, district), group in valid.groupby([TOPIC, WAVE, DISTRICT], sort=True)
    ]
    return pd.DataFrame(rows, columns=DISTRICT_COLUMNS)


def change(
    frame: pd.DataFrame, definition: SatisfactionDefinition, min_cell: int = MIN_CELL
) -> pd.DataFrame:
    """Year-end minus mid-year 满意率 per topic and year, with a two-proportion z-test."""
    valid = valid_satisfaction(frame, definition)
    parts = valid[WAVE].str.split("-", n=1)
    keys = [valid[TOPIC], parts.str[0].rename(YEAR), parts.str[1].rename(WAVE)]
    satisfied = valid[SATISFACTION].isin(definition.satisfied)
    k = satisfied.groupby(keys).sum().unstack().reindex(columns=[MID, END])
    n = satisfied.groupby(keys).count().unstack().reindex(columns=[MID, END])
    rows = [
        {
            TOPIC: topic,
            YEAR: int(year),
            **_test(
                (k.at[(topic, year), MID], k.at[(topic, year), END]),
                (n.at[(topic, year), MID], n.at[(topic, year), END]),
                min_cell,
            ),
        }
        for topic, year in n.dropna().index  # both waves of the year are present
    ]
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _test(counts: tuple[Any, Any], nobs: tuple[Any, Any], min_cell: int) -> dict[str, Any]:
    """Pooled two-sided z-test (end vs mid); undefined when both waves are all 0% or 100%."""
    k = np.array([counts[1], counts[0]], dtype=float)
    n = np.array([nobs[1], nobs[0]], dtype=float)
    row: dict[str, Any] = {N_MID: n[1], N_END: n[0], DEFINITION: text.CHANGE_TEXT}
    nan = {RATE_MID: math.nan, RATE_END: math.nan, DIFFERENCE: math.nan, Z: math.nan}
    if min(n) < min_cell:
        return {**row, **nan, P_VALUE: math.nan, SUPPRESSED: True, NOTE: text.SUPPRESSED_TEXT}
    rates = k / n
    estimate = {RATE_MID: rates[1], RATE_END: rates[0], DIFFERENCE: rates[0] - rates[1]}
    pooled = k.sum() / n.sum()
    if pooled in (0.0, 1.0):
        note = "两期比例相同且都为 0 或 100%，无法检验。"
        return {**row, **estimate, Z: math.nan, P_VALUE: math.nan, SUPPRESSED: False, NOTE: note}
    z, p = proportions_ztest(k, n, alternative="two-sided")
    return {**row, **estimate, Z: float(z), P_VALUE: float(p), SUPPRESSED: False, NOTE: ""}


def drivers(frame: pd.DataFrame, column: str, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """How many respondents ticked each option of a multiple-choice question (a list column).

    A respondent counts once per option even if the stored list repeats it, so no share
    exceeds 100%.
    """
    rows = counted(frame)
    n = rows.groupby([TOPIC, WAVE]).size().rename(N)
    ticked = rows[[TOPIC, WAVE, column]].explode(column).dropna(subset=[column])
    ticked = ticked[~ticked.set_index(column, append=True).index.duplicated()]
    counts = ticked.groupby([TOPIC, WAVE, column]).size().rename(COUNT).reset_index()
    out = counts.rename(columns={column: OPTION}).merge(n.reset_index(), on=[TOPIC, WAVE])
    small = out[N] < min_cell
    columns: dict[str, Any] = {
        QUESTION: column,
        SHARE: (out[COUNT] / out[N]).mask(small),
        SUPPRESSED: small,
        DEFINITION: text.DRIVERS_TEXT,
    }
    return (
        out.assign(**columns)
        .sort_values([TOPIC, WAVE, COUNT, OPTION], ascending=[True, True, False, True])
        .reset_index(drop=True)[DRIVER_COLUMNS]
    )
