"""The topic page's sections: distribution, districts, mid-year to year-end change, drivers,
comments. Each computes with survey.analysis and returns finished text."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd
from markupsafe import Markup

from generator.content.models.questionnaire import Questionnaire
from generator.content.models.site import SatisfactionDefinition
from survey.analysis import breakdown
from survey.analysis import definitions as text
from survey.analysis.breakdown import DIFFERENCE, N_END, N_MID, P_VALUE, RATE_END, RATE_MID
from survey.analysis.columns import (
    ANSWER,
    CI_HIGH,
    CI_LOW,
    COUNT,
    DEFINITION,
    DISTRICT,
    MIN_CELL,
    NOTE,
    OPTION,
    SHARE,
    SUPPRESSED,
    VALUE,
    N,
)
from survey.analysis.rates import N_VALID, SHARE_VALID, counted, distribution
from survey.staff.evaluators import store
from survey.staff.evaluators.chart import Bar, bar_chart
from survey.staff.evaluators.present import count, interval, local, p_value, percent, points
from survey.waves import wave_name

DRIVER_QUESTIONS: Final = (("went_well", "做得好的方面"), ("went_badly", "需要改进的方面"))


@dataclass(frozen=True)
class Distribution:
    """Every answer's count and shares, the chart drawn from them, and n."""

    rows: tuple[tuple[str, str, str, str], ...]  # answer, count, share, share of valid
    chart: Markup
    n: str
    n_valid: str
    definition: str


@dataclass(frozen=True)
class Cell:
    """One district's 满意率, or why it is not shown."""

    district: str
    n: str
    value: str
    interval: str
    note: str


@dataclass(frozen=True)
class Change:
    """Mid-year to year-end 满意率 with the two-proportion test; `message` when there is none."""

    message: str
    rows: tuple[tuple[str, str, str], ...] = ()  # wave name, n, 满意率
    difference: str = ""
    test: str = ""
    note: str = ""
    definition: str = ""


@dataclass(frozen=True)
class Driver:
    """How often each option of a multiple-choice question was ticked."""

    title: str
    question: str
    rows: tuple[tuple[str, str, str], ...]  # option, count, share
    n: str
    note: str
    definition: str


@dataclass(frozen=True)
class Comment:
    """One resident's open answer (response data: viewing it is audited)."""

    receipt: str
    submitted_at: str
    district: str
    text: str


def answer_distribution(
    frame: pd.DataFrame, definition: SatisfactionDefinition, title: str
) -> Distribution | None:
    """The satisfaction answers of counted responses; None when there are none."""
    table = distribution(frame, definition)
    if table.empty or int(table[N].iloc[0]) == 0:
        return None
    rows = tuple(
        (str(r[ANSWER]), count(r[COUNT]), percent(r[SHARE]), _share(r[SHARE_VALID]))
        for r in table.to_dict("records")
    )
    bars = [
        Bar(str(r[ANSWER]), float(r[SHARE]), f"{count(r[COUNT])} 份（{percent(r[SHARE])}）")
        for r in table.to_dict("records")
    ]
    n, valid = count(table[N].iloc[0]), count(table[N_VALID].iloc[0])
    chart = bar_chart(bars, f"{title}：各答案占全部回答的比例，n = {n}，数据见下表")
    return Distribution(rows, chart, n, valid, str(table[DEFINITION].iloc[0]))


def _share(value: Any) -> str:
    return "—" if value is None or math.isnan(float(value)) else percent(float(value))


def districts(
    frame: pd.DataFrame, definition: SatisfactionDefinition, order: Sequence[str]
) -> tuple[Cell, ...]:
    """满意率 per district in `order` (the directory's official order, not code points);
    cells under 30 valid answers show the reason instead."""
    table = breakdown.by_district(frame, definition)
    rank = {name: i for i, name in enumerate(order)}
    records = sorted(table.to_dict("records"), key=lambda r: rank.get(str(r[DISTRICT]), len(rank)))
    return tuple(
        Cell(
            district=str(r[DISTRICT]),
            n=count(r[N]),
            value="不公布" if r[SUPPRESSED] else percent(r[VALUE]),
            interval="" if r[SUPPRESSED] else interval(r[CI_LOW], r[CI_HIGH]),
            note=str(r[NOTE]),
        )
        for r in records
    )


def change(
    frame: pd.DataFrame, definition: SatisfactionDefinition, names: tuple[str, str]
) -> Change:
    """The year's mid-year to year-end change; `frame` holds both waves of the topic's year."""
    table = breakdown.change(frame, definition)
    if table.empty:
        return Change("两期中至少一期没有有效回答，无法比较。")
    r = table.iloc[0]
    if r[SUPPRESSED]:
        rows = ((names[0], count(r[N_MID]), "不公布"), (names[1], count(r[N_END]), "不公布"))
        return Change("", rows, note=str(r[NOTE]), definition=str(r[DEFINITION]))
    rows = (
        (names[0], count(r[N_MID]), percent(r[RATE_MID])),
        (names[1], count(r[N_END]), percent(r[RATE_END])),
    )
    test = p_value(float(r[P_VALUE]))
    return Change("", rows, points(r[DIFFERENCE]), test, str(r[NOTE]), str(r[DEFINITION]))


def drivers(frame: pd.DataFrame, questionnaire: Questionnaire | None) -> tuple[Driver, ...]:
    """Both driver questions, every option listed (zero ticks included), most ticked first."""
    n = len(counted(frame))
    out = []
    for column, title in DRIVER_QUESTIONS:
        question = _question(questionnaire, column)
        table = breakdown.drivers(frame, column) if column in frame else pd.DataFrame()
        ticks = dict(zip(table.get(OPTION, []), table.get(COUNT, []), strict=True))
        options = list(question.options) if question is not None else []
        options += [o for o in ticks if o not in options]
        suppressed = n < MIN_CELL
        ranked = sorted(options, key=lambda o: -int(ticks.get(o, 0)))
        rows = tuple(
            (o, count(ticks.get(o, 0)), "不公布" if suppressed else percent(ticks.get(o, 0) / n))
            for o in ranked
        )
        note = text.SUPPRESSED_TEXT if suppressed and n else ""
        label = question.label if question is not None else ""
        out.append(Driver(title, label, rows, count(n), note, text.DRIVERS_TEXT))
    return tuple(out)


def _question(questionnaire: Questionnaire | None, question_id: str) -> Any:
    if questionnaire is None:
        return None
    return next((q for q in questionnaire.questions if q.id == question_id), None)


def comments(found: Sequence[store.Comment]) -> tuple[Comment, ...]:
    """Comments as shown: times in Beijing time."""
    return tuple(Comment(c.receipt, local(c.submitted_at), c.district, c.text) for c in found)


def names_of(wave_ids: Sequence[str]) -> tuple[str, str]:
    """('2026 年年中', '2026 年年底') for a year's two waves."""
    return wave_name(wave_ids[0]), wave_name(wave_ids[1])
