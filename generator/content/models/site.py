"""`content/site.yml`: site identity, the satisfaction definition and the survey calendar."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, EmailStr, Field, model_validator

from generator.content.models.base import ContentModel, PlainText, WaveId, Year

# The stored answer scale (BRIEF.md): five levels plus 说不清, which is never a valid answer.
SATISFACTION_SCALE: tuple[str, ...] = (
    "非常满意",
    "满意",
    "基本满意",
    "不满意",
    "非常不满意",
    "说不清",
)
SatisfactionAnswer = Literal["非常满意", "满意", "基本满意", "不满意", "非常不满意", "说不清"]


# How the privacy notice states the retention period, e.g. "答卷在该批次结束后保存 3 年".
RETENTION_PROMISE = re.compile(r"保存\s*(\d+)\s*年")


def promised_retention_years(privacy: Iterable[str]) -> int | None:
    """The period a privacy notice promises, in years, or None if it states none.

    `retention_years` and this promise must agree: `yiti survey purge` checks it.
    """
    for paragraph in privacy:
        match = RETENTION_PROMISE.search(paragraph)
        if match:
            return int(match.group(1))
    return None


def _no_markup(value: str) -> str:
    """The theme writes these into every page's header, footer and <title> as they are."""
    found = sorted(set(value) & set("<>&\"'"))
    if found:
        raise ValueError(f"会原样写进每个页面的页眉、页脚和标题，不能含有 {' '.join(found)}")
    return value


# Plain text the site engine's theme shows unescaped: refused if it holds HTML characters.
HeaderText = Annotated[PlainText, AfterValidator(_no_markup)]


class Contact(ContentModel):
    """How residents reach the operating organisation."""

    phone: HeaderText
    email: EmailStr | None = None
    address: PlainText | None = None


class SatisfactionDefinition(ContentModel):
    """Which answers count as satisfied: configuration, not code (BRIEF.md 三率)."""

    satisfied: list[SatisfactionAnswer] = Field(min_length=1)
    top_box: list[SatisfactionAnswer] = Field(min_length=1)
    excluded: tuple[SatisfactionAnswer, ...] = ("说不清",)
    description: PlainText

    @model_validator(mode="after")
    def _disjoint(self) -> Self:
        overlap = set(self.satisfied) & set(self.excluded)
        if overlap:
            raise ValueError(f"答案不能既算满意又被排除：{'、'.join(sorted(overlap))}")
        if not set(self.top_box) <= set(self.satisfied):
            raise ValueError("top_box 中的答案必须也在 satisfied 中")
        return self


class Wave(ContentModel):
    """A survey wave, `YYYY-mid` or `YYYY-end`, open between two Asia/Shanghai times."""

    id: WaveId
    opens: datetime
    closes: datetime
    weighting: Literal["none", "district_population"] = Field(
        default="none",
        description=(
            "How evaluators' results pages show this wave by default: unweighted, or weighted "
            "to the districts' 2020 census population (content/directory). Either view stays "
            "one click away."
        ),
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.opens.tzinfo is None or self.closes.tzinfo is None:
            raise ValueError("opens 和 closes 必须带时区，例如 2024-06-15T09:00:00+08:00")
        if self.closes <= self.opens:
            raise ValueError("closes 必须晚于 opens")
        if str(self.opens.year) != self.id[:4]:
            raise ValueError(f"{self.id} 的开始时间应在 {self.id[:4]} 年内")
        return self


class Site(ContentModel):
    """The whole site's settings."""

    title: HeaderText
    organisation: HeaderText
    contact: Contact
    current_year: Year
    language: Literal["zh"] = "zh"
    satisfaction: SatisfactionDefinition
    waves: list[Wave] = Field(default_factory=list)
    sample_notice: PlainText = Field(
        description="Shown on every page that carries sample content.",
    )
    retention_years: int = Field(
        default=3,
        ge=1,
        le=30,
        description=(
            "How many years after a wave closes its responses are kept; `yiti survey purge` "
            "deletes them after that. The privacy notice (questionnaires/standard.yml) must "
            "promise the same period: purge refuses to run while they differ."
        ),
    )

    @model_validator(mode="after")
    def _unique_waves(self) -> Self:
        ids = [w.id for w in self.waves]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"调查批次重复：{'、'.join(dupes)}")
        return self
