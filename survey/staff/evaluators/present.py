"""Figures as finished text for the templates: value, interval, n, definition and why suppressed.

Analysis returns one row per figure (survey.analysis.rates.SUMMARY_COLUMNS); this module turns
such a row into a `Figure` whose every part is a string, so templates only place text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from generator.content.models.site import SatisfactionDefinition
from survey.analysis import definitions as text
from survey.analysis.columns import (
    AWARENESS_RATE,
    CI_HIGH,
    CI_LOW,
    DEFINITION,
    EXCLUDED_COUNT,
    MEAN_SCORE,
    MEASURE,
    NOTE,
    RESPONSES,
    SATISFACTION_RATE,
    SOLVED_RATE,
    SUPPRESSED,
    SUSPECT_COUNT,
    TOP_BOX,
    VALUE,
    N,
)
from survey.waves import local_time

LABELS: Final[dict[str, str]] = {
    RESPONSES: "答卷数",
    EXCLUDED_COUNT: "已排除",
    SUSPECT_COUNT: "标记可疑",
    SATISFACTION_RATE: "满意率",
    TOP_BOX: "顶端占比",
    MEAN_SCORE: "平均分（0–100）",
    SOLVED_RATE: "解决率",
    AWARENESS_RATE: "知晓率",
}
# survey.residents.tickets.CHANNELS, as the privacy notice names them.
CHANNEL_LABELS: Final[dict[str, str]] = {
    "link": "网页链接",
    "qr": "二维码",
    "invitation": "短信邀请",
}
COUNTS: Final = (RESPONSES, EXCLUDED_COUNT, SUSPECT_COUNT)
RATES: Final = (SATISFACTION_RATE, TOP_BOX, SOLVED_RATE, AWARENESS_RATE)


@dataclass(frozen=True)
class Figure:
    """One figure as shown: every field is finished text."""

    measure: str
    label: str
    value: str  # "92.5%", "68.3" or "12"; "不公布" when suppressed
    interval: str  # "95% 区间 90.1%–94.3%", or empty
    n: str  # "n = 123"
    note: str  # why it is suppressed, or empty
    definition: str
    suppressed: bool


def percent(share: float) -> str:
    """0.9254 → '92.5%'."""
    return f"{share * 100:.1f}%"


def count(n: float) -> str:
    """1234.0 → '1,234'."""
    return f"{round(float(n)):,}"


def interval(low: float, high: float) -> str:
    """The 95% interval as text, empty when there is none."""
    if math.isnan(low) or math.isnan(high):
        return ""
    return f"95% 区间 {percent(low)}–{percent(high)}"


def figure(row: Mapping[Any, Any]) -> Figure:
    """A summary row (one figure with its n, interval and definition) as finished text."""
    measure = str(row[MEASURE])
    suppressed = bool(row[SUPPRESSED])
    value = float(row[VALUE])
    if suppressed or math.isnan(value):
        shown = "不公布"
    elif measure in RATES:
        shown = percent(value)
    elif measure == MEAN_SCORE:
        shown = f"{value:.1f}"
    else:
        shown = count(value)
    return Figure(
        measure=measure,
        label=LABELS[measure],
        value=shown,
        interval="" if suppressed else interval(float(row[CI_LOW]), float(row[CI_HIGH])),
        n=f"n = {count(float(row[N]))}",
        note=str(row[NOTE]),
        definition=str(row[DEFINITION]),
        suppressed=suppressed,
    )


def definitions(definition: SatisfactionDefinition) -> dict[str, str]:
    """Each measure's definition text, for a table's footnotes (the same texts rates uses)."""
    return {
        RESPONSES: text.RESPONSES_TEXT,
        EXCLUDED_COUNT: text.EXCLUDED_TEXT,
        SUSPECT_COUNT: text.SUSPECT_TEXT,
        SATISFACTION_RATE: text.satisfaction_text(definition),
        TOP_BOX: text.top_box_text(definition),
        MEAN_SCORE: text.mean_score_text(definition),
        SOLVED_RATE: text.SOLVED_TEXT,
        AWARENESS_RATE: text.AWARENESS_TEXT,
    }


def excluded_note(excluded: int) -> str:
    """What every figure states about exclusions."""
    if excluded == 0:
        return "没有被排除的答卷。"
    return f"已排除 {excluded:,} 份答卷，不计入此项。"


def local(moment: datetime) -> str:
    """A stored UTC time in Beijing time; SQLite hands times back without a zone."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return local_time(aware)


def p_value(p: float) -> str:
    """A p-value as a reader expects it: three decimals, or '< 0.001'."""
    if math.isnan(p):
        return "无法检验"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def points(difference: float) -> str:
    """0.032 → '+3.2 个百分点'."""
    return f"{difference * 100:+.1f} 个百分点"
