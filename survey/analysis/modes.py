"""满意率 by mode (web vs phone) per topic and wave, with a test of the difference.

Both modes use the same satisfaction definition (content/site.yml): an answer the definition
excludes (说不清) is recorded and shown in the distribution but is not a valid answer, whether the
resident typed it or an interviewer recorded it unprompted (it is not read out on the phone).

The difference is phone − web with the pooled two-sided two-proportion z-test of statsmodels, as
for the mid-year to year-end change (survey.analysis.breakdown). Optionally each mode is weighted
to the frame's district distribution (the contacts the phone sample was drawn from), by the
same post-stratification and trimming as the census weighting (survey.analysis.weighting); the
weighted test then uses the weighted shares and Kish's effective sample sizes.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportions_ztest

from generator.content.models.site import SatisfactionDefinition
from survey.analysis import definitions as text
from survey.analysis.columns import (
    DEFINITION,
    DISTRICT,
    MIN_CELL,
    MODE,
    NOTE,
    PHONE,
    RESPONSES,
    SATISFACTION,
    SATISFACTION_RATE,
    SUPPRESSED,
    TOPIC,
    WAVE,
    WEB,
    WEIGHT,
)
from survey.analysis.rates import SUMMARY_COLUMNS, rate_row, valid_satisfaction
from survey.analysis.weighting import (
    DEFAULT_CAP,
    POPULATION,
    kish_effective_n,
    poststratify,
    trim,
    weighted_share,
)

MODES: Final = (WEB, PHONE)
BY_MODE_COLUMNS: Final = [TOPIC, WAVE, MODE, RESPONSES, *SUMMARY_COLUMNS[2:]]
N_WEB, RATE_WEB, N_PHONE, RATE_PHONE = "n_web", "rate_web", "n_phone", "rate_phone"
DIFFERENCE, Z, P_VALUE = "difference", "z", "p_value"
TEST_COLUMNS: Final = [
    *(TOPIC, WAVE, N_WEB, RATE_WEB, N_PHONE, RATE_PHONE, DIFFERENCE, Z, P_VALUE),
    *(SUPPRESSED, NOTE, DEFINITION),
]
DONT_KNOW_TEXT: Final = (
    "两种方式口径相同：电话访问中“{excluded}”不主动读出，受访者自己这样回答时照样记录；"
    "与网页答卷一样计入答案分布，但不计入满意率的有效回答。"
)
TEST_TEXT: Final = (
    "电话满意率 − 网页满意率（百分点）；双比例 z 检验（合并方差，双侧），p < 0.05 视为差异显著。"
    "差异可能来自访问方式本身，也可能来自两种方式的受访者不同。"
)
WEIGHTED_TEXT: Final = (
    "两种方式分别按电话调查名单（抽样框）中各区联系人数的分布事后分层加权，权重截尾于中位数的"
    " {cap:g} 倍；检验使用加权比例和 Kish 有效样本量（Σw）² ÷ Σw²。"
)
NOT_IN_FRAME: Final = "名单中没有这些区的联系人，无法按名单的区分布加权：{districts}"


def by_mode(
    frame: pd.DataFrame, definition: SatisfactionDefinition, min_cell: int = MIN_CELL
) -> pd.DataFrame:
    """Per topic, wave and mode: responses received and the 满意率 row (BY_MODE_COLUMNS).

    Both modes are always listed, a mode without responses with 0, so a page never has to
    guess whether "no phone row" means none or not computed.
    """
    rows = []
    for (topic, wave), group in frame.groupby([TOPIC, WAVE], sort=True):
        valid = valid_satisfaction(group, definition)
        for mode in MODES:
            answers = valid.loc[valid[MODE] == mode, SATISFACTION]
            figure = rate_row(
                SATISFACTION_RATE,
                answers.isin(definition.satisfied).sum(),
                len(answers),
                text.satisfaction_text(definition),
                min_cell,
            )
            received = int((group[MODE] == mode).sum())
            rows.append({TOPIC: topic, WAVE: wave, MODE: mode, RESPONSES: received, **figure})
    return pd.DataFrame(rows, columns=BY_MODE_COLUMNS)


def dont_know_text(definition: SatisfactionDefinition) -> str:
    """How answers the definition excludes are treated in both modes."""
    return DONT_KNOW_TEXT.format(excluded="、".join(definition.excluded) or "说不清")


def mode_test(
    frame: pd.DataFrame,
    definition: SatisfactionDefinition,
    frame_districts: pd.DataFrame | None = None,
    min_cell: int = MIN_CELL,
    cap: float = DEFAULT_CAP,
) -> pd.DataFrame:
    """Per topic and wave: n and 满意率 of each mode, phone − web, z and p (TEST_COLUMNS).

    With `frame_districts` (DISTRICT, POPULATION: contacts per district) each mode is weighted
    to it; a district with answers but no contact in the frame raises ValueError, saying which.
    """
    valid = valid_satisfaction(frame, definition)
    valid = valid.assign(satisfied=valid[SATISFACTION].isin(definition.satisfied))
    if frame_districts is not None:
        valid = _weighted(valid, frame_districts, cap)
    rows = [
        {TOPIC: topic, WAVE: wave, **_test(group, min_cell, frame_districts is not None)}
        for (topic, wave), group in valid.groupby([TOPIC, WAVE], sort=True)
    ]
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


def _weighted(valid: pd.DataFrame, margins: pd.DataFrame, cap: float) -> pd.DataFrame:
    """Each mode post-stratified (and trimmed) to the frame's districts on its own."""
    unknown = sorted(set(valid[DISTRICT]) - set(margins.loc[margins[POPULATION] > 0, DISTRICT]))
    if unknown:
        raise ValueError(NOT_IN_FRAME.format(districts="、".join(map(str, unknown))))
    parts = []
    for _keys, part in valid.groupby([TOPIC, WAVE, MODE], sort=True):
        weighted = poststratify(part, margins)
        parts.append(weighted.assign(**{WEIGHT: trim(weighted[WEIGHT], cap)}))
    return pd.concat(parts) if parts else valid


def _test(group: pd.DataFrame, min_cell: int, weighted: bool) -> dict[str, Any]:
    """Both modes' rates and the pooled z-test; suppressed when either mode is under min_cell."""
    by_mode = {m: group.loc[group[MODE] == m] for m in MODES}
    n = np.array([len(by_mode[PHONE]), len(by_mode[WEB])], dtype=float)
    definition = TEST_TEXT + (WEIGHTED_TEXT.format(cap=DEFAULT_CAP) if weighted else "")
    row: dict[str, Any] = {N_PHONE: n[0], N_WEB: n[1], DEFINITION: definition}
    nan = {RATE_WEB: math.nan, RATE_PHONE: math.nan, DIFFERENCE: math.nan, Z: math.nan}
    if min(n) < min_cell:
        return {**row, **nan, P_VALUE: math.nan, SUPPRESSED: True, NOTE: _too_few(n)}
    if weighted:
        rates = np.array([_share(by_mode[m]) for m in (PHONE, WEB)])
        n = np.array([kish_effective_n(by_mode[m][WEIGHT]) for m in (PHONE, WEB)])
    else:
        rates = np.array([by_mode[m]["satisfied"].mean() for m in (PHONE, WEB)], dtype=float)
    estimate = {RATE_PHONE: rates[0], RATE_WEB: rates[1], DIFFERENCE: rates[0] - rates[1]}
    pooled = float((rates * n).sum() / n.sum())
    if pooled in (0.0, 1.0):
        note = "两种方式的满意率都为 0 或都为 100%，无法检验。"
        return {**row, **estimate, Z: math.nan, P_VALUE: math.nan, SUPPRESSED: False, NOTE: note}
    z, p = proportions_ztest(rates * n, n, alternative="two-sided")
    return {**row, **estimate, Z: float(z), P_VALUE: float(p), SUPPRESSED: False, NOTE: ""}


def _share(part: pd.DataFrame) -> float:
    return weighted_share(part["satisfied"], part[WEIGHT])


def _too_few(n: np.ndarray) -> str:
    if n.min() == 0:
        missing = "电话访问" if n[0] == 0 else "网页"
        return f"没有{missing}的有效回答，无法比较两种方式。"
    return text.SUPPRESSED_TEXT
