"""`yiti build`: the public site. (`yiti serve` lives in generator/site/serve.py, so a build does not
import the survey app.)"""

from __future__ import annotations

from pathlib import Path

import click

from generator.site.build import build as build_site
from generator.cli import CONTENT_OPTION, folder_option, report_problems
from generator.errors import ContentError, YitiError
from generator.site.other_engines import DEFAULT as DEFAULT_ENGINE
from generator.site.other_engines import ENGINES

SITE_OPTION = folder_option("--site", "site_dir", "site", "The built site folder.")
CACHE_OPTION = folder_option(
    "--cache",
    "cache_dir",
    ".yiti-cache",
    "Work kept for the next build (charts, flowcharts, page checks); safe to delete.",
)


@click.command()
@CONTENT_OPTION
@SITE_OPTION
@CACHE_OPTION
@click.option("--no-cache", is_flag=True, help="Build everything again and keep nothing.")
@click.option(
    "--engine",
    "engine_name",
    type=click.Choice(ENGINES),
    default=DEFAULT_ENGINE,
    envvar="YITI_ENGINE",
    show_default=True,
    help="The site engine; the other two are being evaluated (BENCHMARKS.md, 'Site engines').",
)
def build(
    content_dir: Path, site_dir: Path, cache_dir: Path, no_cache: bool, engine_name: str
) -> None:
    """Build the public site from the content folder.

    Validates all content first (as `yiti check`), renders every topic's pages
    (一单一表一图一问答) and builds them with Material for MkDocs into a temporary folder that
    replaces SITE only on success: a failed build leaves the previous site untouched. Work
    whose inputs did not change is reused from the cache folder.
    """
    try:
        cache = None if no_cache else cache_dir
        report = build_site(content_dir, site_dir, cache_dir=cache, engine_name=engine_name)
    except ContentError as exc:
        report_problems(exc)
    except YitiError as exc:
        raise click.ClickException(str(exc)) from exc
    if report.unchanged:
        click.echo(f"内容和程序都没有变化，沿用现有站点：{report.site_dir}")
        return
    click.echo(f"站点已生成：{report.site_dir}（议题 {report.topics} 个，页面 {report.pages} 个）")
