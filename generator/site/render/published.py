"""A topic's published survey results → finished rows for `topic/results.md.j2`.

Python computes, templates format: every percentage, interval and n is a finished string here.
A suppressed figure says why instead of showing a number.
"""

from __future__ import annotations

from typing import Any, Final

from generator.content.models import Topic
from generator.content.models.site import Wave
from generator.content.published import (
    MEASURES,
    Published,
    PublishedFieldwork,
    PublishedFigure,
    PublishedTopic,
)

LABELS: Final = {
    "satisfaction_rate": "满意率",
    "top_box": "非常满意占比（顶端占比）",
    "mean_score": "平均分（0–100）",
    "solved_rate": "解决率",
    "awareness_rate": "知晓率",
}
SUPPRESSED: Final = "样本不足，不公布"
NONE: Final = "—"


def wave_title(wave: Wave) -> str:
    """`2026-end` → `2026 年年底`."""
    year, part = wave.id.split("-")
    return f"{year} 年{'年中' if part == 'mid' else '年底'}"


def percent(value: float | None) -> str:
    """0.9254 → `92.5%`."""
    return NONE if value is None else f"{value * 100:.1f}%"


def topic_results(published: Published, topic: Topic) -> list[dict[str, Any]] | None:
    """The topic's published waves, newest first; None when nothing is published for it."""
    waves = published.by_topic.get(topic.slug)
    if not waves:
        return None
    return [wave_view(wave, results) for wave, results in waves]


def wave_view(wave: Wave, results: PublishedTopic) -> dict[str, Any]:
    """One wave's published figures of a topic as finished text (also the admin's preview)."""
    rows = [_row(m, getattr(results, m)) for m in MEASURES]
    weighted = results.weighted
    return {
        "id": wave.id,
        "title": wave_title(wave),
        "responses": f"{results.responses:,}",
        "excluded": f"{results.excluded:,}",
        "headline": rows[0],
        "rows": rows,
        "weighted": None
        if weighted is None
        else {
            "value": SUPPRESSED if weighted.suppressed else percent(weighted.value),
            "interval": _interval(weighted.ci_low, weighted.ci_high, weighted.suppressed),
            "n_effective": f"{weighted.n_effective:,.0f}",
            "definition": weighted.definition,
            "suppressed": weighted.suppressed or weighted.value is None,
        },
        "fieldwork": None if results.fieldwork is None else _fieldwork(results.fieldwork),
    }


def _fieldwork(fieldwork: PublishedFieldwork) -> dict[str, str]:
    """The answers by mode and the telephone response rate, as one sentence and its definition."""
    rate = fieldwork.response_rate
    shown = f"应答率 {percent(rate)}" if rate is not None else f"应答率无法计算（{fieldwork.note}）"
    sentence = (
        f"其中居民网页自填 {fieldwork.web:,} 份，第三方访员电话访问 {fieldwork.phone:,} 份。"
        f"电话调查共发放号码 {fieldwork.issued:,} 个，完成访问 {fieldwork.completes:,} 个，{shown}。"
    )
    return {"sentence": sentence, "rate": percent(rate), "definition": fieldwork.definition}


def _row(measure: str, figure: PublishedFigure) -> dict[str, str]:
    if figure.suppressed or figure.value is None:
        value = SUPPRESSED
    elif measure == "mean_score":
        value = f"{figure.value:.1f}"
    else:
        value = percent(figure.value)
    definition = figure.definition + (
        f" {figure.note}" if figure.suppressed and figure.note else ""
    )
    return {
        "label": LABELS[measure],
        "value": value,
        "interval": _interval(figure.ci_low, figure.ci_high, figure.suppressed),
        "n": f"{figure.n:,}",
        "definition": definition,
    }


def _interval(low: float | None, high: float | None, suppressed: bool) -> str:
    if suppressed or low is None or high is None:
        return NONE
    return f"{percent(low)}–{percent(high)}"
