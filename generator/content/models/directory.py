"""Beijing's districts and 街乡镇, read from `content/directory/*.csv`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from generator.content.models.base import ContentModel, PlainText

StreetKind = Literal["街道", "镇", "地区", "乡", "功能区"]


class District(ContentModel):
    """One of the 16 districts, with its 2020 census population (weighting margins, rates)."""

    code: str = Field(pattern=r"^\d{6}$")
    name: PlainText
    population_2020: int = Field(gt=0)


class Street(ContentModel):
    """A township-level unit; `功能区` rows are development zones, not 街乡镇."""

    code: str = Field(pattern=r"^\d{9}$")
    name: PlainText
    district_code: str = Field(pattern=r"^\d{6}$")
    district: PlainText
    kind: StreetKind

    @property
    def is_jiexiangzhen(self) -> bool:
        """True for the 343 街乡镇 that are ranked; development zones are not."""
        return self.kind != "功能区"


class Directory(ContentModel):
    """The administrative directory all other content is checked against."""

    districts: tuple[District, ...]
    streets: tuple[Street, ...]

    def district_names(self) -> set[str]:
        """Names of all districts, for membership checks."""
        return {d.name for d in self.districts}

    def has_street(self, district: str, street: str) -> bool:
        """Whether `street` exists in `district` (names repeat across districts)."""
        return any(s.district == district and s.name == street for s in self.streets)
