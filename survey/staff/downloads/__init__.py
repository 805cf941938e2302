"""Evaluator downloads (issue 5, item 5): the blueprint `downloads` under /staff/downloads/."""

from survey.staff.downloads import background, views
from survey.staff.downloads.blueprint import downloads

__all__ = ["background", "downloads", "views"]
