"""A topic file, `content/topics/<year>/<slug>.yml`: one problem run for one year."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from generator.content.models.base import ContentModel, PlainText, Slug, WaveId, Year
from generator.content.models.guide import QA, DutyList, Procedure
from generator.content.models.plan import Lists, Plan

Status = Literal["planned", "in_progress", "completed", "tracking"]
STATUS_LABELS: dict[str, str] = {
    "planned": "筹备中",
    "in_progress": "治理中",
    "completed": "已完成",
    "tracking": "持续跟踪",
}


class Governance(ContentModel):
    """Who runs the topic: one city leader (a role), one lead department, partners, districts."""

    leader_role: PlainText = Field(description="分管市领导, as a role, never a person's name")
    lead_department: PlainText
    partners: list[PlainText] = Field(default_factory=list)
    districts: list[PlainText] = Field(
        min_length=1, description="District names from the directory"
    )
    streets: dict[PlainText, list[PlainText]] = Field(
        default_factory=dict,
        description="Pilot 街乡镇 by district name, e.g. {朝阳区: [劲松街道]}",
    )


class MonitoringRule(ContentModel):
    """Which complaint records count toward the topic: category among `categories` (any, if none
    are listed), text containing a keyword, and none of `exclude_keywords`."""

    categories: list[PlainText] = Field(default_factory=list)
    keywords: list[PlainText] = Field(min_length=1)
    exclude_keywords: list[PlainText] = Field(default_factory=list)


class Topic(ContentModel):
    """Everything published about one topic."""

    sample: bool = Field(description="True for sample content: never an official document")
    slug: Slug
    year: Year
    month: int = Field(ge=1, le=12)
    theme: PlainText = Field(description="主题, e.g. 城市建设")
    title: PlainText
    summary: PlainText
    status: Status
    governance: Governance
    plan: Plan
    lists: Lists
    duty_list: DutyList = Field(description="一单")
    procedure: Procedure = Field(description="一表, drawn as 一图")
    qa: list[QA] = Field(min_length=1, description="一问答")
    monitoring: MonitoringRule
    waves: list[WaveId] = Field(default_factory=list)

    @property
    def status_label(self) -> str:
        """Chinese label for the status."""
        return STATUS_LABELS[self.status]
