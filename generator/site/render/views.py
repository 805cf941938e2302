"""Finished values for templates: Python computes, templates only format (STYLE.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from generator.content.models.guide import Procedure, Step
from generator.content.models.plan import Target
from generator.site.render.flowchart import step_number
from generator.site.render.markup import number


@dataclass(frozen=True)
class TargetView:
    """A target with its latest reading and how far along it is."""

    name: str
    unit: str
    baseline: str
    target: str
    latest: str | None
    latest_date: date | None
    percent: int  # 0–100, share of the way from baseline to target, capped at 100
    met: bool
    direction_label: str


def target_view(target: Target) -> TargetView:
    """Progress of one target, for either direction (a decrease counts down toward the target)."""
    reading = target.progress[-1] if target.progress else None
    value = reading.value if reading else target.baseline
    span = target.target - target.baseline
    share = (value - target.baseline) / span if span else 1.0
    percent = max(0, min(100, round(share * 100)))
    return TargetView(
        name=target.name,
        unit=target.unit,
        baseline=number(target.baseline),
        target=number(target.target),
        latest=number(reading.value) if reading else None,
        latest_date=reading.date if reading else None,
        percent=percent,
        met=share >= 1,
        direction_label="下降到" if target.direction == "decrease" else "达到",
    )


# Marks that already end a sentence: a question keeps its ？ and gets no 。 after it.
SENTENCE_ENDS = ("。", "？", "?", "！", "!")


def sentence(text: str) -> str:
    """`text` ended by exactly one mark: `是否同意？` stays, `咨询政策` becomes `咨询政策。`."""
    return text if text.endswith(SENTENCE_ENDS) else f"{text}。"


@dataclass(frozen=True)
class StepView:
    """A procedure step with its number and where it leads, as words."""

    number: int
    step: Step
    leads_to: list[str]  # for the table's 下一步 column: `第 2 步（…）`, `是 → 第 3 步（…）`
    text: str  # the step as sentences, for the flowchart's text version


def step_views(procedure: Procedure) -> list[StepView]:
    """Each step numbered, with 'next' and branches turned into '第 N 步' phrases."""
    numbers = step_number(procedure)
    names = {s.id: s.name for s in procedure.steps}

    def to(step_id: str) -> str:
        return f"第 {numbers[step_id]} 步（{names[step_id]}）"

    views = []
    for step in procedure.steps:
        branches = [f"{b.label} → {to(b.to)}" for b in step.branches]
        leads = [*branches, to(step.next)] if step.next else branches
        views.append(StepView(numbers[step.id], step, leads, step_text(step, branches, leads)))
    return views


def step_text(step: Step, branches: list[str], leads: list[str]) -> str:
    """`咨询政策（街道）。下一步：第 2 步（…）。`, `判断：是否同意？是 → …；否 → …。`, `… 办结。`"""
    parts = [sentence(f"{step.name}（{step.handler}）" if step.handler else step.name)]
    if step.question:
        parts.append(sentence(f"判断：{step.question}"))
    if branches:
        parts.append(sentence("；".join(branches)))
    elif leads:
        parts.append(sentence(f"下一步：{leads[-1]}"))
    else:
        parts.append("办结。")
    return "".join(parts)


def materials(procedure: Procedure) -> list[str]:
    """Every material the procedure asks for, once each, in the order the steps ask."""
    return list(dict.fromkeys(m for step in procedure.steps for m in step.materials))
