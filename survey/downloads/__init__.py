"""Evaluator downloads (issue 5, item 5): the blueprint `downloads` under /staff/downloads/."""

from survey.downloads import background, views
from survey.downloads.blueprint import downloads

__all__ = ["background", "downloads", "views"]
