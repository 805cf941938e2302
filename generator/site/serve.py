"""`yiti serve`: the built site and the survey app on one origin, for previews and `make run`.

Production serves site/ with nginx and the survey with gunicorn (deploy/); this is the same
layout on one process: the static site at /, the survey under /survey.
"""

from __future__ import annotations

import signal
import subprocess  # nosec B404
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask, Response, abort, send_from_directory
from flask.typing import ResponseReturnValue
from flask_compress import Compress
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.security import safe_join
from werkzeug.serving import run_simple

from generator.site.csp import site_headers
from generator.errors import YitiError
from generator.site.cli import SITE_OPTION
from survey import create_app
from survey.security import close_unsent_body

SURVEY_MOUNT = "/survey"
COMPRESSED = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]


def static_site(site_dir: Path) -> Flask:
    """A WSGI app serving a built MkDocs site: directory URLs, its own 404 page, and on every
    response the security headers nginx sends in production (no HSTS: previews are plain HTTP)."""
    app = Flask(__name__, static_folder=None)
    # Compressed as nginx compresses them in production (deploy/): a topic page and its
    # stylesheet are a fifth of their size on a slow phone connection.
    app.config["COMPRESS_MIMETYPES"] = COMPRESSED
    Compress(app)
    root = site_dir.resolve()
    headers = site_headers()

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.update(headers)
        return close_unsent_body(response)

    @app.get("/", defaults={"path": ""})
    @app.get("/<path:path>")
    def page(path: str) -> ResponseReturnValue:
        target = safe_join(str(root), path)
        if target is None:
            abort(404)
        if Path(target).is_dir():
            if path and not path.endswith("/"):
                return app.redirect(f"/{path}/", 301)
            path = f"{path}index.html"
        return whole(send_from_directory(root, path))

    @app.errorhandler(404)
    def not_found(_: Exception) -> tuple[Any, int]:
        missing = root / "404.html"
        if missing.is_file():
            return whole(send_from_directory(root, "404.html")), 404
        return "404 Not Found", 404

    return app


def whole(response: Response) -> Response:
    """A file response read into memory: Flask-Compress compresses a streamed file only with
    zstd, br or deflate, and a browser or tool that asks for gzip alone would get it raw.

    The file is closed here, at once, rather than when the server finishes the response: a
    request the browser abandons half-way (a favicon while the page moves on) could leave it
    open until garbage collection, which the test suite reports as an error."""
    if response.status_code in (200, 404) and response.direct_passthrough:
        response.direct_passthrough = False
        body = b"".join(response.response)  # type: ignore[arg-type]
        response.close()
        response.set_data(body)
    return response


def combined_app(site_dir: Path, survey_config: dict[str, Any] | None = None) -> Any:
    """The site at /, the survey at /survey, as one WSGI application."""
    return DispatcherMiddleware(static_site(site_dir), {SURVEY_MOUNT: create_app(survey_config)})


@click.command()
@SITE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
def serve(site_dir: Path, host: str, port: int) -> None:
    """Serve the built site at / and the survey app at /survey on one address.

    For previews and `make run`; production uses nginx and gunicorn (see README, Deployment).
    The survey database comes from DATABASE_URL (default: SQLite under instance/).
    """
    if not (site_dir / "index.html").is_file():
        raise click.ClickException(f"{site_dir}/ 里没有生成好的站点，请先运行 yiti build")
    try:
        app = combined_app(site_dir)
    except YitiError as exc:  # broken content, or production settings missing
        raise click.ClickException(str(exc)) from exc
    click.echo(f"站点：http://{host}:{port}/  调查：http://{host}:{port}/survey/")
    with background_worker():
        run_simple(host, port, app, threaded=True, use_reloader=False)


@contextmanager
def background_worker() -> Iterator[subprocess.Popen[bytes]]:
    """`yiti survey worker` beside the preview, so large downloads get built; stopped with it.

    Production runs the worker as its own service (deploy/yiti-worker.service).
    """
    worker = subprocess.Popen([sys.executable, "-m", "survey.jobs.cli"])  # nosec B603
    # SIGTERM (kill, a process manager) ends the preview through the `finally` below too,
    # rather than leaving the worker behind; Ctrl-C reaches both processes anyway.
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        yield worker
    finally:
        worker.send_signal(signal.SIGINT)  # finish the current file's chunk, then stop
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        signal.signal(signal.SIGTERM, previous)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)
