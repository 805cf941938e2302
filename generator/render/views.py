"""Finished values for templates: Python computes, templates only format (STYLE.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from generator.models.guide import Procedure, Step
from generator.models.plan import Target
from generator.render.flowchart import step_number
from generator.render.markup import number


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


@dataclass(frozen=True)
class StepView:
    """A procedure step with its number and where it leads, as words."""

    number: int
    step: Step
    leads_to: list[str]


def step_views(procedure: Procedure) -> list[StepView]:
    """Each step numbered, with 'next' and branches turned into '第 N 步' phrases."""
    numbers = step_number(procedure)
    names = {s.id: s.name for s in procedure.steps}

    def to(step_id: str) -> str:
        return f"第 {numbers[step_id]} 步（{names[step_id]}）"

    views = []
    for step in procedure.steps:
        leads = [f"{b.label} → {to(b.to)}" for b in step.branches]
        if step.next:
            leads.append(f"下一步 → {to(step.next)}")
        views.append(StepView(numbers[step.id], step, leads))
    return views
