"""一方案三清单: the year's plan (targets, schedule) and the problem, task and responsibility lists."""

from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import Field, model_validator

from generator.content.models.base import ContentModel, PlainText, Slug

Direction = Literal["increase", "decrease"]
TaskStatus = Literal["not_started", "in_progress", "done", "delayed"]


class Reading(ContentModel):
    """A dated progress reading against a target, in the target's unit."""

    date: date
    value: float = Field(ge=0)
    note: PlainText | None = None


class Target(ContentModel):
    """An annual quantified target (年度量化目标), e.g. 新开工老楼加装电梯 1000 部."""

    id: Slug
    name: PlainText
    unit: PlainText
    baseline: float = Field(ge=0)
    target: float = Field(ge=0)
    direction: Direction = "increase"
    monitored: bool = Field(
        default=False,
        description=(
            "true when the target is the topic's monthly 12345 request volume (unit 件/月) as "
            "the monitoring pages count it: its baseline must be on the records' scale"
        ),
    )
    progress: list[Reading] = Field(default_factory=list)

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.direction == "increase" and self.target <= self.baseline:
            raise ValueError("direction 为 increase 时，target 必须大于 baseline")
        if self.direction == "decrease" and self.target >= self.baseline:
            raise ValueError("direction 为 decrease 时，target 必须小于 baseline")
        return self


class Milestone(ContentModel):
    """A schedule step (进度安排)."""

    date: date
    milestone: PlainText
    done: bool = False


class Plan(ContentModel):
    """一方案: the work plan with its targets and schedule."""

    targets: list[Target] = Field(min_length=1)
    schedule: list[Milestone] = Field(min_length=1)


class ProblemItem(ContentModel):
    """问题清单 entry: a concrete problem residents raise."""

    problem: PlainText
    detail: PlainText | None = None


class Task(ContentModel):
    """任务清单 entry: a task with its lead unit, partners, deadline and status."""

    task: PlainText
    lead: PlainText
    partners: list[PlainText] = Field(default_factory=list)
    deadline: date
    status: TaskStatus


class Responsibility(ContentModel):
    """责任清单 entry: a unit and what it answers for in this topic."""

    unit: PlainText
    responsibilities: list[PlainText] = Field(min_length=1)


class Lists(ContentModel):
    """三清单: problem list, task list and responsibility list."""

    problems: list[ProblemItem] = Field(min_length=1)
    tasks: list[Task] = Field(min_length=1)
    responsibilities: list[Responsibility] = Field(min_length=1)
