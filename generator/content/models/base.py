"""Shared model settings and small constrained types; text is PlainText or MarkdownText."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from generator.content.models.text import MarkdownText, PlainText

__all__ = ["ContentModel", "MarkdownText", "PlainText", "Slug", "Text", "WaveId", "Year"]

# Trimmed, non-empty text: a field left as spaces is as missing as one left out. `Text` is the
# older name of PlainText, still used by content read outside the models (results, governance).
Text = PlainText
# URL-safe identifiers used in page paths and as step ids.
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]
WaveId = Annotated[str, StringConstraints(pattern=r"^\d{4}-(mid|end)$")]
Year = Annotated[int, Field(ge=2019, le=2100)]


class ContentModel(BaseModel):
    """Base for every content model: unknown keys are errors, so a typo never goes unnoticed."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
