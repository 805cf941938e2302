"""`yiti survey worker`: the process that builds queued downloads (Huey's consumer).

Run one (or more, on any machine that reaches the queue and the export folder) beside the app
servers; `yiti serve` starts one of its own. SIGINT stops it after the current file; SIGTERM
at once (the job is then failed by the tidy-up, and the evaluator asks again).
"""

from __future__ import annotations

import logging

import click
from sqlalchemy.engine import make_url

from generator.errors import YitiError
from survey import create_app
from survey.jobs.setup import current_jobs


@click.command()
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Files built at the same time (threads; each holds one chunk of rows in memory).",
)
def worker(workers: int) -> None:
    """Build queued XLSX and SAV downloads until stopped.

    Reads the same settings as the app (DATABASE_URL, YITI_QUEUE_URL, YITI_EXPORT_DIR).
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        jobs = current_jobs(create_app())
    except YitiError as exc:
        raise click.ClickException(str(exc)) from exc
    if jobs.immediate:
        raise click.ClickException("队列为 immediate（任务在请求中直接执行），无需后台进程")
    click.echo(f"后台导出进程：队列 {_shown(jobs.url)}，文件目录 {jobs.folder.path}")
    jobs.queue().create_consumer(workers=workers, worker_type="thread").run()


def _shown(url: str) -> str:
    """The queue URL without a password, for the log."""
    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":  # `python -m survey.jobs.cli`, as `yiti serve` starts it
    worker()
