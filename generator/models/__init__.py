"""Typed content models: the only way content enters the program."""

from generator.models.base import ContentModel
from generator.models.directory import Directory, District, Street
from generator.models.questionnaire import Question, Questionnaire
from generator.models.site import SatisfactionDefinition, Site, Wave
from generator.models.topic import Topic

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
