"""The topic page's fieldwork sections as finished text: AAPOR rates with their definitions,
the disposition counts, and 满意率 by mode (web vs phone) with the test of the difference.

A topic's wave without telephone fieldwork says so in one sentence instead of an empty table;
the mode split is shown whenever there are answers, since web-only is itself a finding.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from generator.content.models.site import SatisfactionDefinition
from survey.analysis import aapor
from survey.analysis.columns import CI_HIGH, CI_LOW, DISTRICT, MODE, NOTE, SUPPRESSED, VALUE, N
from survey.analysis.modes import (
    DIFFERENCE,
    N_PHONE,
    N_WEB,
    P_VALUE,
    TEST_TEXT,
    by_mode,
    dont_know_text,
    mode_test,
)
from survey.analysis.weighting import POPULATION
from survey.fieldwork.rates import Dispositions, dispositions, frame_districts
from survey.staff.evaluators.present import count, interval, p_value, percent, points
from survey.storage.db import Database

MODE_LABELS: Final = {"web": "网页自填", "phone": "电话访问"}
NO_FIELDWORK: Final = (
    "本议题在本批次没有电话调查（第三方访问），没有应答率；下方结果全部来自网页自填答卷。"
)
NOT_COMPUTED: Final = "无法计算"


@dataclass(frozen=True)
class RateShown:
    """One AAPOR rate as shown: value, the fraction behind it, formula and definition."""

    name: str
    label: str
    value: str
    fraction: str
    formula: str
    definition: str
    note: str


@dataclass(frozen=True)
class Fieldwork:
    """Rates and dispositions of a topic's wave; `message` alone when there is no fieldwork."""

    message: str
    issued: str = ""
    rates: tuple[RateShown, ...] = ()
    e: str = ""
    codes: tuple[tuple[str, str, str, str], ...] = ()  # code, label, group, cases
    e_definition: str = aapor.E_TEXT
    groups: str = aapor.GROUPS_TEXT
    source: str = aapor.SOURCE_TEXT


@dataclass(frozen=True)
class ModeTest:
    """Phone − web with its test, unweighted or weighted to the frame's districts."""

    rates: tuple[tuple[str, str, str], ...]  # mode, n (or effective n), 满意率
    difference: str
    test: str
    note: str
    definition: str


@dataclass(frozen=True)
class ModeSplit:
    """Per mode: responses, valid n, 满意率; the test, and the frame-weighted test if any."""

    rows: tuple[tuple[str, str, str, str, str], ...]  # mode, responses, n, 满意率, 95% range
    test: ModeTest
    weighted: ModeTest | None
    weighting_problem: str
    dont_know: str


def fieldwork(db: Database, topic: str, wave: str) -> Fieldwork:
    """The rates section of one topic's wave."""
    found = dispositions(db, [topic], wave).get(topic)
    if found is None:
        return Fieldwork(NO_FIELDWORK)
    return shown(found)


def shown(found: Dispositions) -> Fieldwork:
    """Dispositions counted → the section's text."""
    groups = found.groups()
    e = aapor.eligibility_estimate(groups)
    known = groups.eligible + groups.NE
    return Fieldwork(
        message="",
        issued=count(found.issued),
        rates=tuple(_rate(r) for r in aapor.rates(groups)),
        e=NOT_COMPUTED if e is None else f"{e:.3f}（{count(groups.eligible)} ÷ {count(known)}）",
        codes=tuple((c.code, c.label, c.group, count(c.cases)) for c in found.codes),
    )


def _rate(rate: aapor.Rate) -> RateShown:
    fraction = (
        "" if rate.value is None else f"{_number(rate.numerator)} ÷ {_number(rate.denominator)}"
    )
    return RateShown(
        name=rate.name,
        label=rate.label,
        value=NOT_COMPUTED if rate.value is None else percent(rate.value),
        fraction=fraction,
        formula=rate.formula,
        definition=rate.definition,
        note=rate.note,
    )


def _number(value: float) -> str:
    """Whole counts as counts; RR3's denominator (with e) to one decimal."""
    return count(value) if float(value).is_integer() else f"{value:,.1f}"


def rr3_by_topic(db: Database, topics: Collection[str], wave: str) -> dict[str, str]:
    """RR3 as shown in the wave table, per topic with fieldwork in `wave` (one query)."""
    out = {}
    for topic, found in dispositions(db, topics, wave).items():
        rr3 = next(r for r in aapor.rates(found.groups()) if r.name == aapor.RR3)
        out[topic] = NOT_COMPUTED if rr3.value is None else percent(rr3.value)
    return out


def mode_split(
    db: Database, frame: pd.DataFrame, definition: SatisfactionDefinition, topic: str, wave: str
) -> ModeSplit | None:
    """满意率 by mode for the topic's wave (`frame` holds only it); None without responses."""
    if frame.empty:
        return None
    rows = tuple(_mode_row(r) for r in by_mode(frame, definition).to_dict("records"))
    table = mode_test(frame, definition)
    if table.empty:  # answers, but none valid (all 说不清 or excluded)
        test = ModeTest((), "", "", "没有有效回答，无法比较两种方式。", "")
        return ModeSplit(rows, test, None, "", dont_know_text(definition))
    test = _test(table.iloc[0], weighted=False)
    if bool(table.iloc[0][SUPPRESSED]):  # a mode missing or too small: weighting cannot help
        return ModeSplit(rows, test, None, "", dont_know_text(definition))
    weighted, problem = _weighted(db, frame, definition, topic, wave)
    return ModeSplit(rows, test, weighted, problem, dont_know_text(definition))


def _mode_row(r: Mapping[Any, Any]) -> tuple[str, str, str, str, str]:
    hidden = bool(r[SUPPRESSED])
    value = "不公布" if hidden else percent(r[VALUE])
    if hidden and r[NOTE]:
        value = f"不公布（{r[NOTE]}）"
    # The column is headed 95% 区间: the cell holds the range alone, so it never wraps.
    span = "—" if hidden else interval(r[CI_LOW], r[CI_HIGH]).rpartition(" ")[2] or "—"
    return (MODE_LABELS[str(r[MODE])], count(r["responses"]), count(r[N]), value, span)


def _weighted(
    db: Database, frame: pd.DataFrame, definition: SatisfactionDefinition, topic: str, wave: str
) -> tuple[ModeTest | None, str]:
    """The test weighted to the frame's district distribution, or why there is none."""
    contacts = frame_districts(db, topic, wave)
    if not contacts:
        return None, "没有电话调查名单，无法按名单的区分布加权。"
    margins = pd.DataFrame(list(contacts.items()), columns=[DISTRICT, POPULATION])
    try:
        table = mode_test(frame, definition, margins)
    except ValueError as error:  # says which districts the frame lacks, and that it cannot
        return None, str(error)
    return _test(table.iloc[0], weighted=True), ""


def _test(r: pd.Series, weighted: bool) -> ModeTest:
    """The test as text; the weighted one lists each mode's weighted rate and effective n
    (the unweighted ones are in the table above) and states only what weighting adds."""
    hidden = bool(r[SUPPRESSED])
    definition = str(r["definition"])
    rates: tuple[tuple[str, str, str], ...] = ()
    if weighted:
        definition = definition.removeprefix(TEST_TEXT)  # the test itself is defined above
        sizes = {"phone": r[N_PHONE], "web": r[N_WEB]}
        rates = tuple(
            (
                MODE_LABELS[m],
                f"有效样本量 {sizes[m]:,.1f}",
                "不公布" if hidden else percent(r[f"rate_{m}"]),
            )
            for m in ("web", "phone")
        )
    if hidden or math.isnan(float(r[DIFFERENCE])):
        return ModeTest(rates, "", "", str(r[NOTE]), definition)
    test = p_value(float(r[P_VALUE]))
    return ModeTest(rates, points(r[DIFFERENCE]), test, str(r[NOTE]), definition)
