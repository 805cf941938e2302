"""Evaluator downloads (issue 5, item 5): the blueprint `downloads` under /staff/downloads/."""

from survey.downloads.views import downloads

__all__ = ["downloads"]
