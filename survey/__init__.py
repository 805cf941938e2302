"""The survey collector: residents answer a topic's satisfaction survey during an open wave.

`residents/` serves the questionnaire; `staff/` is everything behind a login (evaluators'
results and downloads, admin, audit log, accounts); `fieldwork/` is the telephone interviews;
`storage/` owns the database; `analysis/` computes figures and exports; `jobs/` builds large
downloads in the background; `ops/` runs it in production; `cli/` is `yiti survey …`. The
modules left here wire the app together: settings, app state, security headers, abuse
defences, error pages and the survey calendar.
"""

from survey.app import create_app

__all__ = ["create_app"]
