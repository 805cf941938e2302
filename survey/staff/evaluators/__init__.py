"""Evaluators' results pages (blueprint `evaluators`, /staff/results/…).

views ─ scope (who may see which wave and topic)
      ─ results / topic / sections ─ store ─ survey.analysis ─▶ present (finished text)
      ─ store (exclusions, audit entries)
"""

from survey.staff.evaluators.views import evaluators

__all__ = ["evaluators"]
