"""Interview quality checks for the supervisor: pure pandas, DataFrame in, DataFrame out.

Three flags, each a reason to listen again or call back, never proof:
- **too short**: an interview shorter than `SHORT_SHARE` (40%) of the median length of the
  wave's phone interviews; nobody reads ten questions and their options that fast;
- **straight-lined**: the same option position (the first, the last …) on every scale question,
  where a scale question is a single-choice question of `SCALE_MIN_OPTIONS` or more options
  (in the standard instrument: change, solved, satisfaction) and at least two were answered;
- **interviewer effect**: an interviewer whose satisfaction rate differs from that of all other
  interviewers' interviews together, by a two-proportion z test (statsmodels), with the p-values
  adjusted for testing every interviewer by Holm's step-down method (it controls the
  family-wise error rate like Bonferroni and is never less powerful); flagged below `ALPHA`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

import pandas as pd
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from generator.content.models import Question

SHORT_SHARE: Final = 0.4
SCALE_MIN_OPTIONS: Final = 4
ALPHA: Final = 0.05
# Columns of the interviews frame the checks read.
INTERVIEWER, MINUTES, ANSWERS, SATISFIED, VALID = (
    "interviewer",
    "minutes",
    "answers",
    "satisfied",
    "valid",
)
N, RATE, OTHERS_RATE, Z, P_ADJUSTED, FLAGGED = (
    "n",
    "rate",
    "others_rate",
    "z",
    "p_adjusted",
    "flagged",
)


def too_short(interviews: pd.DataFrame) -> pd.DataFrame:
    """Interviews shorter than SHORT_SHARE of the median length (empty if there are none)."""
    if interviews.empty:
        return interviews
    median = float(interviews[MINUTES].median())
    return interviews[interviews[MINUTES] < SHORT_SHARE * median]


def scale_questions(questions: Sequence[Question]) -> list[Question]:
    """The questions the straight-lining check reads (see the module docstring)."""
    return [q for q in questions if q.kind == "single" and len(q.options) >= SCALE_MIN_OPTIONS]


def straight_lined(interviews: pd.DataFrame, scales: Sequence[Question]) -> pd.DataFrame:
    """Interviews with the same option position on every scale question they answered."""
    if interviews.empty:
        return interviews
    mask = interviews[ANSWERS].map(lambda answers: _same_position(answers, scales))
    return interviews[mask.astype(bool)]


def _same_position(answers: dict[str, Any], scales: Sequence[Question]) -> bool:
    positions = {q.options.index(answers[q.id]) for q in scales if answers.get(q.id) in q.options}
    answered = sum(1 for q in scales if answers.get(q.id) in q.options)
    return answered >= 2 and len(positions) == 1


def interviewer_effects(interviews: pd.DataFrame) -> pd.DataFrame:
    """Per interviewer: n valid, their satisfaction rate, the others' rate, z, Holm-adjusted p,
    and whether it is flagged. Interviewers without valid answers, or alone, are not tested."""
    columns = [INTERVIEWER, N, RATE, OTHERS_RATE, Z, P_ADJUSTED, FLAGGED]
    valid = interviews[interviews[VALID]] if not interviews.empty else interviews
    if valid.empty or valid[INTERVIEWER].nunique() < 2:
        return pd.DataFrame(columns=columns)
    per = valid.groupby(INTERVIEWER)[SATISFIED].agg(["sum", "count"])
    total_yes, total_n = int(per["sum"].sum()), int(per["count"].sum())
    rows, raw = [], []
    for who, (yes, n) in per.iterrows():
        others_yes, others_n = total_yes - int(yes), total_n - int(n)
        z, p = _ztest(int(yes), int(n), others_yes, others_n)
        rows.append([who, int(n), yes / n, others_yes / others_n, z, math.nan])
        raw.append(p)
    out = pd.DataFrame(rows, columns=columns[:-1])
    testable = [i for i, p in enumerate(raw) if not math.isnan(p)]
    if testable:
        adjusted = multipletests([raw[i] for i in testable], method="holm")[1]
        out.loc[testable, P_ADJUSTED] = adjusted
    out[FLAGGED] = out[P_ADJUSTED] < ALPHA  # NaN (not tested) compares False
    return out


def _ztest(yes: int, n: int, others_yes: int, others_n: int) -> tuple[float, float]:
    """z and two-sided p of one interviewer against the rest; NaN when the test is undefined
    (everyone, or no one, satisfied: no variance to test against)."""
    pooled = (yes + others_yes) / (n + others_n)
    if pooled in (0.0, 1.0):
        return math.nan, math.nan
    z, p = proportions_ztest([yes, others_yes], [n, others_n])
    return float(z), float(p)
