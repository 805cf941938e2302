"""`content/questionnaires/`: the standard survey instrument and per-topic extra questions.

Both are versioned. A version lists the waves it is used in; once one of those waves has
opened, the version is frozen (its fingerprint is recorded in `frozen.yml`), so every response
that stores `standard@1+<topic>@1` refers to exactly the questions the resident saw.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal, Self

from pydantic import Field, StringConstraints, model_validator

from generator.content.models.base import ContentModel, PlainText, Slug, WaveId

# Question ids become form field names and answer keys: lower-case, underscore, stable.
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
# single: radio buttons; multiple: checkboxes; district/street: from content/directory;
# comment: free text, with a warning not to write personal information.
QuestionKind = Literal["single", "multiple", "district", "street", "comment"]
# How residents get in: anyone with the link, or only with a single-use invitation code.
Access = Literal["open", "invitation"]
# Questions analysis depends on; the standard instrument must have them (see questionnaires.py).
REQUIRED_IDS: dict[str, QuestionKind] = {
    "satisfaction": "single",
    "district": "district",
    "street": "street",
}
COMMENT_MAX = 500  # characters: a few sentences, short enough to read in a results table


class Question(ContentModel):
    """One question, shown as one fieldset."""

    id: QuestionId
    kind: QuestionKind
    label: PlainText = Field(description="The question, as the fieldset legend")
    hint: PlainText | None = None
    required: bool = True
    options: list[PlainText] = Field(default_factory=list, description="single/multiple only")
    max_length: int = Field(default=COMMENT_MAX, ge=1, le=COMMENT_MAX)

    @model_validator(mode="after")
    def _options_fit_kind(self) -> Self:
        choice = self.kind in ("single", "multiple")
        if choice and len(self.options) < 2:
            raise ValueError("单选题和多选题至少要有 2 个选项")
        if not choice and self.options:
            raise ValueError(f"{self.kind} 题的选项来自名录或为自由填写，不要写 options")
        if len(set(self.options)) != len(self.options):
            raise ValueError("选项不能重复")
        return self


class QuestionnaireVersion(ContentModel):
    """One version of a question list and the waves that use it."""

    version: int = Field(ge=1)
    waves: list[WaveId] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)

    def fingerprint(self) -> str:
        """sha256 of the version's meaning (not its layout or comments): what freezing pins."""
        text = json.dumps(self.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class PhoneScript(ContentModel):
    """What a telephone interviewer reads before the questions (survey/fieldwork/).

    Kept beside the intro rather than in a version: like the intro it is not an answer's
    meaning, so it may be reworded without freezing a new version of the questions.
    """

    script: PlainText = Field(
        description="Read at the start of every call: who calls, why, how long, that answers "
        "are confidential; `{topic}` is replaced by the topic's title"
    )
    consent: PlainText = Field(
        description="The consent question; a no is recorded as a refusal (AAPOR 2.11)"
    )


class Instrument(ContentModel):
    """`standard.yml`: the questions every topic asks, the intro and the privacy notice."""

    title: PlainText
    intro: PlainText
    privacy: list[PlainText] = Field(min_length=1, description="Privacy notice paragraphs")
    phone: PhoneScript | None = Field(
        default=None, description="Telephone interviews: the call script and consent question"
    )
    versions: list[QuestionnaireVersion] = Field(min_length=1)


class TopicVersion(QuestionnaireVersion):
    """A version of one topic's extra questions, and how residents get in."""

    access: Access = "open"


class TopicQuestions(ContentModel):
    """`topics/<slug>.yml`: extra questions for one topic (may be none, to set `access`)."""

    topic: Slug
    versions: list[TopicVersion] = Field(min_length=1)


class Questionnaire(ContentModel):
    """What one topic asks in one wave: the standard questions with the topic's extras."""

    topic: Slug
    wave: WaveId
    version: str = Field(description="Stored with each response, e.g. standard@1+elevators@1")
    access: Access
    title: PlainText
    intro: PlainText
    privacy: list[PlainText]
    questions: list[Question]
    phone: PhoneScript | None = None

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if asked."""
        return next((q for q in self.questions if q.id == question_id), None)
