"""Rising problems: a period whose volume jumps well above its recent level.

The rule, for topics per half month and for streets per month: a period is flagged when its
count is at least RISE_FACTOR × the median of the RISE_WINDOW complete periods just before it
and at least RISE_MIN_EXTRA more than that median. Both conditions: the ratio alone would flag
a street going from 2 to 4 requests, the difference alone every large street's ordinary noise.
Without RISE_WINDOW complete earlier periods there is no median, and no flag.
"""

from __future__ import annotations

import pandas as pd

RISE_FACTOR = 1.5
RISE_MIN_EXTRA = 20  # requests above the median
RISE_WINDOW = 6  # earlier periods whose median is the baseline


def rule_text(period: str) -> str:
    """The rule in words for a page or a report, e.g. rule_text("半月")."""
    return (
        f"某{period}诉求量达到此前连续 {RISE_WINDOW} 个完整{period}诉求量中位数的 {RISE_FACTOR:g} 倍"
        f"及以上，且比中位数多 {RISE_MIN_EXTRA} 件及以上，标为“突增”；此前不足 "
        f"{RISE_WINDOW} 个完整{period}的不作判断"
    )


def baseline(volumes: pd.Series, groups: list[pd.Series], complete: pd.Series) -> pd.Series:
    """Per row, the median of the RISE_WINDOW rows before it in its group; missing when one of
    them is absent or incomplete. Rows must be in period order, one row per period."""
    usable = volumes.astype("float64").where(complete.astype(bool))
    earlier = usable.groupby(groups, sort=False).shift(1)
    window = earlier.groupby(groups, sort=False).rolling(RISE_WINDOW, min_periods=RISE_WINDOW)
    return window.median().reset_index(level=list(range(len(groups))), drop=True).loc[volumes.index]


def rising(volumes: pd.Series, base: pd.Series) -> pd.Series:
    """Whether each count is a rise by the rule (never where there is no baseline)."""
    counts = volumes.astype("float64")
    flagged = base.notna() & (counts >= RISE_FACTOR * base) & (counts - base >= RISE_MIN_EXTRA)
    return flagged.astype(bool)
