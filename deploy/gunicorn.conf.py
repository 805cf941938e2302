"""gunicorn settings for the survey app: `gunicorn -c deploy/gunicorn.conf.py` (see deploy/README.md).

Command-line options override these (`-b`, `-w`), which is how tests and one-off runs change them.
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "survey.ops.wsgi:app"
proc_name = "yiti-survey"

# nginx on the same machine is the only client; it buffers slow phones, so sync workers suffice.
bind = ["127.0.0.1:8001"]
worker_class = "sync"
# gunicorn's rule of thumb for sync workers; WEB_CONCURRENCY (gunicorn's own variable) overrides.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))

# Seconds. A request is done in milliseconds; SQLite waits at most 10 s for a lock
# (survey/db.py), so a worker silent for 30 s is stuck and is replaced.
timeout = 30
# On SIGTERM or SIGHUP, workers finish the requests they hold for up to this long.
graceful_timeout = 30
# Seconds an idle keep-alive connection from nginx stays open (nginx's upstream keepalive).
keepalive = 5
# Replace each worker after about this many requests, jittered so they do not restart together.
max_requests = 2000
max_requests_jitter = 200
# Each worker loads the app itself, so `systemctl reload` (SIGHUP) picks up new code and
# content, and no database connection made before fork is shared between workers.
preload_app = False

# Logs go to stderr, which systemd sends to the journal.
errorlog = "-"
loglevel = "info"
accesslog = "-"
# Path without the query string (SCRIPT_NAME and PATH_INFO, not %(r)s): survey links carry
# invitation codes in `?code=`. No referer (it holds the same links) and no client address:
# the app promises never to store raw addresses. The mount (/survey) sits in SCRIPT_NAME by
# the time the line is written. Fields: time, method, path, status, bytes, microseconds.
access_log_format = "%(t)s %(m)s %({script_name}e)s%(U)s %(s)s %(B)s %(D)s"

# Only nginx on this machine may say which scheme the client used.
forwarded_allow_ips = "127.0.0.1,::1"

# gunicorn 27's control socket (in $HOME/.gunicorn/) is not used: systemd reloads with SIGHUP.
# Under the unit's read-only sandbox it could not be created anyway (an error at every start),
# and every gunicorn of one user would share the one path.
control_socket_disable = True
