"""Weighting the sample to district population margins (2020 census), with trimming.

Method. The only margin in the content is the district population (`content/directory/`,
`District.population_2020`); raking over a single margin converges in one step and equals
post-stratification (Lohr, *Sampling: Design and Analysis*, 3rd ed., §8.6). So each response in
district d of a topic and wave gets w = (N_d / N) / (n_d / n): Σw = n, and each district's weighted
share equals its population share. Large weights are then trimmed at `cap` × the median weight and
the excess spread over the other weights, repeated until none is over (Potter 1990), keeping Σw.
Precision is reported as Kish's effective sample size (Σw)² / Σw² (Kish 1965, §11.7) and the
Wilson interval is computed at that n. No library is used: samplics' `rake` needs polars and its
`trim` is a stub; ipfn has had no release since 2021; the arithmetic here is a few lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import pandas as pd

from generator.content.models.directory import District
from generator.content.models.site import SatisfactionDefinition
from survey.analysis import definitions as text
from survey.analysis.columns import (
    CI_HIGH,
    CI_LOW,
    DEFINITION,
    DISTRICT,
    MIN_CELL,
    NOTE,
    SATISFACTION,
    SUPPRESSED,
    TOPIC,
    WAVE,
    WEIGHT,
    N,
)
from survey.analysis.rates import valid_satisfaction, wilson

POPULATION: Final = "population"
RATE_UNWEIGHTED: Final = "rate_unweighted"
RATE_WEIGHTED: Final = "rate_weighted"
N_EFFECTIVE: Final = "n_effective"
WEIGHTED_COLUMNS = [
    *(TOPIC, WAVE, N, RATE_UNWEIGHTED, RATE_WEIGHTED, N_EFFECTIVE, CI_LOW, CI_HIGH),
    *(SUPPRESSED, NOTE, DEFINITION),
]
DEFAULT_CAP: Final = 5.0  # × median weight: a common rule of thumb (Potter 1990 uses 3–10)
WEIGHTED_TEXT: Final = (
    "加权满意率：按 2020 年人口普查各区常住人口事后分层加权，权重截尾于中位数的 {cap:g} 倍；"
    "有效样本量 =（Σw）² ÷ Σw²，置信区间按有效样本量计算（Wilson）。未加权的 n 和满意率并列。"
)


def district_margins(districts: Iterable[District]) -> pd.DataFrame:
    """District name → 2020 census population, the margins the sample is weighted to."""
    rows = [(d.name, d.population_2020) for d in districts]
    return pd.DataFrame(rows, columns=[DISTRICT, POPULATION])


def poststratify(frame: pd.DataFrame, margins: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with WEIGHT so each topic and wave matches the district margins.

    Districts without any response cannot be weighted up from nothing: the population shares are
    taken over the districts that have responses. A district missing from the margins is an error.
    """
    unknown = sorted(set(frame[DISTRICT]) - set(margins[DISTRICT]))
    if unknown:
        raise ValueError(f"没有人口数据的区：{'、'.join(map(str, unknown))}")
    population = frame[DISTRICT].map(margins.set_index(DISTRICT)[POPULATION]).astype(float)
    groups = [frame[TOPIC], frame[WAVE]]
    n_d = frame.groupby([frame[TOPIC], frame[WAVE], frame[DISTRICT]])[DISTRICT].transform("size")
    n = frame.groupby(groups)[DISTRICT].transform("size")
    # Population of the represented districts: each district's population counted once.
    first = ~frame.duplicated([TOPIC, WAVE, DISTRICT])
    total = population.where(first, 0.0).groupby(groups).transform("sum")
    return frame.assign(**{WEIGHT: (population / total) / (n_d / n)})


def trim(weights: pd.Series, cap: float = DEFAULT_CAP, rounds: int = 100) -> pd.Series:
    """Cap weights at `cap` × their median and spread the excess over the rest, keeping Σw."""
    limit = cap * float(weights.median())
    if cap <= 1 or limit * len(weights) < float(weights.sum()):
        raise ValueError(f"截尾倍数 {cap:g} 太小：所有权重都封顶后总和仍不够")
    trimmed = weights.astype(float)
    capped = pd.Series(False, index=weights.index)
    for _ in range(rounds):
        over = trimmed > limit * (1 + 1e-12)
        if not over.any():
            break
        excess = float((trimmed[over] - limit).sum())
        capped = capped | over
        free = trimmed.where(~capped, 0.0)
        # A weight once capped stays at the cap; only the others absorb the excess.
        trimmed = (free * (1 + excess / float(free.sum()))).where(~capped, limit)
    return trimmed


def kish_effective_n(weights: pd.Series) -> float:
    """Kish's effective sample size, (Σw)² / Σw²: n for equal weights, less the more they vary."""
    return float(weights.sum()) ** 2 / float((weights**2).sum())


def weighted_share(flags: pd.Series, weights: pd.Series) -> float:
    """Weighted proportion of True among `flags`."""
    return float(weights.where(flags.astype(bool), 0.0).sum() / weights.sum())


def weighted_rates(
    frame: pd.DataFrame,
    definition: SatisfactionDefinition,
    margins: pd.DataFrame,
    cap: float = DEFAULT_CAP,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """Unweighted n and 满意率, weighted 满意率 and effective n, side by side per topic and wave."""
    valid = poststratify(valid_satisfaction(frame, definition), margins)
    rows = [
        {TOPIC: topic, WAVE: wave, **_weighted_row(group, definition, cap, min_cell)}
        for (topic, wave), group in valid.groupby([TOPIC, WAVE], sort=True)
    ]
    return pd.DataFrame(rows, columns=WEIGHTED_COLUMNS)


def _weighted_row(
    group: pd.DataFrame, definition: SatisfactionDefinition, cap: float, min_cell: int
) -> dict[str, Any]:
    satisfied = group[SATISFACTION].isin(definition.satisfied)
    weights = trim(group[WEIGHT], cap)
    n_eff = kish_effective_n(weights)
    row: dict[str, Any] = {N: len(group), N_EFFECTIVE: n_eff}
    row[DEFINITION] = WEIGHTED_TEXT.format(cap=cap)
    if len(group) < min_cell:
        nan = float("nan")
        hidden = {RATE_UNWEIGHTED: nan, RATE_WEIGHTED: nan, CI_LOW: nan, CI_HIGH: nan}
        return {**row, **hidden, SUPPRESSED: True, NOTE: text.SUPPRESSED_TEXT}
    rate = weighted_share(satisfied, weights)
    low, high = wilson(rate * n_eff, n_eff)
    estimate = {RATE_UNWEIGHTED: float(satisfied.mean()), RATE_WEIGHTED: rate}
    return {**row, **estimate, CI_LOW: low, CI_HIGH: high, SUPPRESSED: False, NOTE: ""}
