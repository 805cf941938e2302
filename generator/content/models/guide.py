"""一单一表一图一问答: the per-topic public guide (the 一图 is drawn from the 一表's steps)."""

from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import AnyHttpUrl, Field, model_validator

from generator.content.models.base import ContentModel, MarkdownText, PlainText, Slug

StepKind = Literal["step", "decision", "end"]


class Duty(ContentModel):
    """One body at one level and its duties for this problem."""

    body: PlainText
    duties: list[PlainText] = Field(min_length=1)


class Whistle(ContentModel):
    """吹哨报到 trigger: when a street "blows the whistle" for this, who must report."""

    trigger: PlainText
    reports: list[PlainText] = Field(min_length=1)


class DutyList(ContentModel):
    """一单: the duties of city departments, district departments and 街乡镇."""

    city: list[Duty] = Field(min_length=1)
    district: list[Duty] = Field(min_length=1)
    street: list[Duty] = Field(min_length=1)
    whistle: list[Whistle] = Field(min_length=1)


class Branch(ContentModel):
    """A labelled way out of a decision step."""

    label: PlainText
    to: Slug


class Step(ContentModel):
    """A step of the procedure (一表 row; 一图 node)."""

    id: Slug
    name: PlainText
    kind: StepKind = "step"
    handler: PlainText | None = None
    materials: list[PlainText] = Field(default_factory=list)
    time_limit: PlainText | None = None
    fee: PlainText | None = None
    channel: PlainText | None = None
    basis: PlainText | None = None
    question: PlainText | None = None
    next: Slug | None = None
    branches: list[Branch] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.kind == "decision":
            if len(self.branches) < 2 or self.question is None:
                raise ValueError("判断步骤（kind: decision）需要 question 和至少两个 branches")
            if self.next is not None:
                raise ValueError("判断步骤用 branches 指向下一步，不能同时写 next")
        elif self.branches:
            raise ValueError("只有判断步骤（kind: decision）可以有 branches")
        if self.kind == "step" and (self.next is None or self.handler is None):
            raise ValueError("普通步骤需要 handler（谁办理）和 next（下一步的 id）")
        if self.kind == "end" and self.next is not None:
            raise ValueError("结束步骤（kind: end）不能有 next")
        return self

    def targets(self) -> list[str]:
        """Ids of the steps this one leads to."""
        return [b.to for b in self.branches] + ([self.next] if self.next else [])


class Procedure(ContentModel):
    """一表: the procedure as ordered steps; the first step is the start."""

    title: PlainText
    steps: list[Step] = Field(min_length=2)


class Source(ContentModel):
    """A policy document an answer rests on: name, 文号, date, optional URL."""

    name: PlainText
    number: PlainText | None = Field(default=None, description="文号, e.g. 京建发〔2021〕1号")
    date: date
    url: AnyHttpUrl | None = None


class QA(ContentModel):
    """一问答 item: the answer's first sentence answers the question directly."""

    question: PlainText
    answer: MarkdownText = Field(
        description=(
            "Markdown (paragraphs, lists, emphasis, code, quotes, http/https/mailto/tel links; "
            "no images, headings, tables or HTML); the first sentence is the direct answer."
        )
    )
    sources: list[Source] = Field(min_length=1)
