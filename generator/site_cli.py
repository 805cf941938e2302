"""`yiti build`: the public site. (`yiti serve` lives in generator/serve.py, so a build does not
import the survey app.)"""

from __future__ import annotations

from pathlib import Path

import click

from generator.build import build as build_site
from generator.cli import CONTENT_OPTION, report_problems
from generator.errors import ContentError, YitiError

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
