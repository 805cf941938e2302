"""Typed content models: the only way content enters the program."""

from generator.content.models.base import ContentModel
from generator.content.models.directory import Directory, District, Street
from generator.content.models.questionnaire import Question, Questionnaire
from generator.content.models.site import SatisfactionDefinition, Site, Wave
from generator.content.models.topic import Topic

__all__ = [
    "ContentModel",
    "Directory",
    "District",
    "Question",
    "Questionnaire",
    "SatisfactionDefinition",
    "Site",
    "Street",
    "Topic",
    "Wave",
]
