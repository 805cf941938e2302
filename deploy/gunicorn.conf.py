"""gunicorn settings for the survey app: `gunicorn -c deploy/gunicorn.conf.py` (see deploy/README.md).

Command-line options override these (`-b`, `-w`), which is how tests and one-off runs change them.
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "survey.ops.wsgi:app"
proc_name = "yiti-survey"

bind = ["127.0.0.1:8001"]
# Threaded workers, because of evaluators' downloads: a sync worker tells the arbiter it is alive
# only between requests, so one XLSX of a whole wave (a minute or more to build) or a large CSV
# streaming for longer than `timeout` had its worker killed mid-request (500 or a cut-off file;
# tests/deploy/test_long_requests.py). A gthread worker's main loop reports every second while
# its threads serve. Each SQLite write still waits its turn on its own flock (survey/storage/db.py).
# Two threads: a worker busy with one download still answers others at once, and holds at most
# two PostgreSQL connections (deploy/README.md counts them against max_connections). A worker
# takes no more connections than it has threads, so a request never queues behind a download in
# a busy worker while another is free; that leaves none to keep alive, hence keepalive = 0.
worker_class = "gthread"
threads = 2
worker_connections = threads
# gunicorn's rule of thumb; WEB_CONCURRENCY (gunicorn's own variable) overrides.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))

# Seconds without a heartbeat before a worker is taken as hung and replaced. With gthread this
# no longer bounds one request (SQLite waits at most 10 s for a lock, survey/storage/db.py); it catches
# a worker whose main loop is stuck.
timeout = 30
# On SIGTERM or SIGHUP, workers finish the requests they hold for up to this long.
graceful_timeout = 30
# Each connection from nginx closes after its response (see worker_connections above).
keepalive = 0
# Replace each worker after about this many requests (a guard against slow leaks), jittered so
# they do not restart together. A new worker costs about 0.7 s of CPU to load the app (was 2-3 s
# before the analysis stack loaded only with a worker's first staff page, issue 17); at 2,000 a
# worker under an SMS burst (about 80 requests a second each) restarted every 25 s and, at
# 3 s, spent a tenth of its CPU starting up; at 20,000, under a hundredth.
max_requests = 20000
max_requests_jitter = 2000
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
