"""What a download covers: one wave, and one topic or all the topics an account may see.

Kept apart from the file writing so the index page, the downloads and the manifest agree on
which topics "all" means for an account and which variables the file declares.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from generator.content.loader import Content
from generator.content.models import Questionnaire

if TYPE_CHECKING:
    from survey.analysis.variables import Variable

ALL: Final = "all"  # the slug meaning every topic of the wave the account may see


@dataclass(frozen=True)
class Scope:
    """A wave and the topics of one download, with the questionnaires they were asked with."""

    wave: str
    slug: str  # a topic slug, or ALL
    topics: tuple[str, ...]
    questionnaires: tuple[Questionnaire, ...]

    def versions(self) -> list[str]:
        """The questionnaire version(s) behind the rows, as stored with each response."""
        return sorted({q.version for q in self.questionnaires})

    def filters(self) -> dict[str, str]:
        """The filters as the manifest and the audit log record them."""
        return {"wave": self.wave, "topic": self.slug, "topics": ",".join(self.topics)}

    def variables(self) -> tuple[Variable, ...]:
        """The declared columns: the union over the topics' questionnaires, in first-seen order.

        Two topics asking a question with the same id but different options cannot share
        codes; that column becomes text (the answers as worded), so SPSS codes never lie.
        """
        from survey.analysis.variables import Variable, questionnaire_variables  # pandas: on use

        merged: dict[str, Variable] = {}
        for questionnaire in self.questionnaires:
            for variable in questionnaire_variables(questionnaire):
                seen = merged.get(variable.name)
                if seen is None:
                    merged[variable.name] = variable
                elif seen != variable and seen.ticks is None and variable.ticks is None:
                    merged[variable.name] = Variable(seen.name, seen.label, "text")
        return tuple(merged.values())

    def filename(self, extension: str) -> str:
        """e.g. ebike-charging-2026-end.csv"""
        return f"{self.slug}-{self.wave}.{extension}"


def topics_in_wave(content: Content, wave: str, sees: Callable[[str], bool]) -> list[str]:
    """Slugs of the topics surveyed in `wave` that the account may see, in content order."""
    return [t.slug for t in content.topics if wave in t.waves and sees(t.slug)]


def resolve(content: Content, wave: str, slug: str, sees: Callable[[str], bool]) -> Scope | None:
    """The scope of a download, or None when it does not exist for this account (→ 404).

    A topic outside the account's scope is reported exactly like a topic that does not exist.
    """
    if wave not in {w.id for w in content.site.waves}:
        return None
    visible = topics_in_wave(content, wave, sees)
    topics: Sequence[str] = visible if slug == ALL else [s for s in visible if s == slug]
    questionnaires = [content.questionnaires.for_wave(topic, wave) for topic in topics]
    if not topics or any(q is None for q in questionnaires):
        return None
    found = tuple(q for q in questionnaires if q is not None)
    return Scope(wave, slug, tuple(topics), found)
