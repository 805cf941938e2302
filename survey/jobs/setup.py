"""The app's handle on its queue: made on first use, with the export task registered.

The queue is made lazily because Huey's SQL storages connect and create their tables when
made: an app server must start (and answer residents) while the database is still away.
The web process and the worker build the same `Jobs` from the same settings, so the task
enqueued by one is the task the other runs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

from flask import Flask, current_app
from huey import Huey, crontab
from huey.api import TaskWrapper

from survey.jobs import work
from survey.jobs.queue import IMMEDIATE, make_queue, queue_backend, queue_url
from survey.state import EXTENSION, AppState

JOBS: Final = "yiti_jobs"
RETRIES: Final = 3
RETRY_SECONDS: Final = 60


@dataclass
class Jobs:
    """Settings of background exports and, once used, their queue and task."""

    state: AppState
    url: str
    folder: work.Folder
    inline_rows: int
    keep: timedelta
    _made: tuple[Huey, TaskWrapper] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def immediate(self) -> bool:
        """Whether tasks run inside the call that enqueues them (tests; SQLite in memory)."""
        return self.url == IMMEDIATE

    def queue(self) -> Huey:
        """The Huey instance, made (and its tasks registered) on first use."""
        return self._queue_and_task()[0]

    def submit(self, job_id: str) -> None:
        """Hand job `job_id` to the worker; raises whatever the queue's storage raises.

        The queue's connection is closed again at once: an app server enqueues rarely (an
        evaluator asking for a large file), and a connection kept per worker process would
        count against PostgreSQL's `max_connections` on every app server (deploy/README.md).
        """
        try:
            self._queue_and_task()[1](job_id)
        finally:
            self.close()

    def tidy(self) -> int:
        """Expire old jobs and delete their files now (the worker also does it every 10 min)."""
        return work.tidy(self.state, self.folder, self.keep)

    def close(self) -> None:
        """Close the queue's connections (tests, and before a worker process exits)."""
        with self._lock:
            if self._made is not None:
                self._made[0].storage.close()

    def _queue_and_task(self) -> tuple[Huey, TaskWrapper]:
        with self._lock:
            if self._made is None:
                self._made = self._register(make_queue(self.url))
            return self._made

    def _register(self, queue: Huey) -> tuple[Huey, TaskWrapper]:
        state, folder = self.state, self.folder

        def export(job_id: str) -> None:
            work.run(state, folder, job_id)

        # Retried: a worker that took the job while the survey's database was away (a queue in
        # Redis, or a SQLite file) tries again a minute later instead of leaving it queued.
        task = queue.task(name="yiti.export", retries=RETRIES, retry_delay=RETRY_SECONDS)(export)
        queue.periodic_task(crontab(minute="*/10"), name="yiti.tidy")(self.tidy)
        return queue, task


def init_jobs(app: Flask) -> Jobs:
    """Attach background exports to `app` from its settings."""
    config: dict[str, Any] = dict(app.config)
    url = queue_url(config)
    queue_backend(url)  # a URL no queue can use stops the app now, not an evaluator later
    jobs = Jobs(
        state=app.extensions[EXTENSION],
        url=url,
        folder=work.Folder(Path(config["YITI_EXPORT_DIR"])),
        inline_rows=int(config["YITI_EXPORT_INLINE_ROWS"]),
        keep=timedelta(hours=int(config["YITI_EXPORT_KEEP_HOURS"])),
    )
    app.extensions[JOBS] = jobs
    return jobs


def current_jobs(app: Flask | None = None) -> Jobs:
    """The running app's background exports."""
    jobs: Jobs = (app or current_app).extensions[JOBS]
    return jobs
