"""The production WSGI entry point: the survey app mounted at /survey, as nginx forwards it.

gunicorn loads `survey.ops.wsgi:app` (deploy/gunicorn.conf.py). Settings come from the
environment (`DATABASE_URL`, `SECRET_KEY`, `YITI_…`), which systemd reads from /etc/yiti/survey.env.
"""

from __future__ import annotations

from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from survey import create_app

# The same mount point as `yiti serve` (generator/site/serve.py), so links and redirects agree.
SURVEY_MOUNT = "/survey"

survey_app = create_app()
# nginx forwards /survey/… unchanged; the dispatcher moves /survey into SCRIPT_NAME so the
# app's routes and url_for see the mount. Anything else reaching gunicorn is a 404.
app = DispatcherMiddleware(NotFound(), {SURVEY_MOUNT: survey_app})
