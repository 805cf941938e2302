"""`yiti build` and `yiti serve`: the public site."""

from __future__ import annotations

from pathlib import Path

import click
from werkzeug.serving import run_simple

from generator.build import build as build_site
from generator.cli import CONTENT_OPTION, report_problems
from generator.errors import ContentError, YitiError
from generator.serve import combined_app

SITE_OPTION = click.option(
    "--site",
    "site_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("site"),
    show_default=True,
    help="The built site folder.",
)


@click.command()
@CONTENT_OPTION
@SITE_OPTION
def build(content_dir: Path, site_dir: Path) -> None:
    """Build the public site from the content folder.

    Validates all content first (as `yiti check`), renders every topic's pages
    (一单一表一图一问答) and builds them with Material for MkDocs into a temporary folder that
    replaces SITE only on success: a failed build leaves the previous site untouched.
    """
    try:
        report = build_site(content_dir, site_dir)
    except ContentError as exc:
        report_problems(exc)
    except YitiError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"站点已生成：{report.site_dir}（议题 {report.topics} 个，页面 {report.pages} 个）")


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
    click.echo(f"站点：http://{host}:{port}/  调查：http://{host}:{port}/survey/")
    run_simple(host, port, combined_app(site_dir), threaded=True, use_reloader=False)
