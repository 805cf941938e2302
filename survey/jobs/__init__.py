"""Downloads too large to build inside a request: queued, built by the worker, fetched later.

The queue is Huey's: a SQLite file on a laptop, the survey's PostgreSQL (or Redis) in
production, so every app server can hand work to `yiti survey worker` wherever it runs.
"""

from survey.jobs.setup import Jobs, current_jobs, init_jobs

__all__ = ["Jobs", "current_jobs", "init_jobs"]
