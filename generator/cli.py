"""The `yiti` command. Errors become exit codes here and nowhere else."""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from generator.content.loader import Content, load_content
from generator.content.published import load_published
from generator.content.schema import SCHEMA_DIR, write_schemas
from generator.errors import ContentError, YitiError

F = TypeVar("F", bound=Callable[..., Any])


def folder_option(flag: str, dest: str, default: str, help: str) -> Callable[[F], F]:
    """A command-line option naming a folder, with its default shown in --help."""
    return click.option(
        flag,
        dest,
        type=click.Path(path_type=Path, file_okay=False),
        default=Path(default),
        show_default=True,
        help=help,
    )


CONTENT_OPTION = folder_option(
    "--content", "content_dir", "content", "The content folder (site.yml, topics/, directory/)."
)


class LazyGroup(click.Group):
    """Imports a subcommand's module only when that subcommand runs (click's documented
    lazy-loading pattern): `yiti check` should not pay for Flask, MkDocs and pandas."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _, name = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), name)
            assert isinstance(command, click.Command), self.lazy[cmd_name]
            return command
        return super().get_command(ctx, cmd_name)


# Subcommands that live beside their area; imported only when used.
LAZY_COMMANDS = {
    "build": "generator.site.cli:build",
    "serve": "generator.site.serve:serve",
    "survey": "survey.cli.main:survey",
    "monitor": "generator.monitor.cli:monitor",
}


@click.group(
    cls=LazyGroup,
    lazy=LAZY_COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="yiti")
def main() -> None:
    """Yiti (一题): 每月一题 topic guides, satisfaction surveys and complaint monitoring.

    Editors write topics as YAML under content/; `yiti check` validates them, `yiti schema`
    writes the JSON Schema that YAML editors use to check files as you type.
    """


@main.command()
@CONTENT_OPTION
def check(content_dir: Path) -> None:
    """Validate every content file and report all problems at once.

    Each problem is printed as FILE:LINE: FIELD: MESSAGE. Exits 1 if any problem is found,
    0 with a short summary (topics per year, steps, Q&A items) otherwise.
    """
    content = _load_or_exit(content_dir)
    try:
        published = load_published(content)  # content/results/: what `yiti build` will show
    except ContentError as exc:
        report_problems(exc)
    click.echo(summary(content) + f"\n  已发布的调查结果：{len(published.waves)} 个批次")


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=SCHEMA_DIR,
    show_default=True,
    help="Folder to write the content files' JSON Schemas into.",
)
def schema(out: Path) -> None:
    """Write JSON Schemas for topic, site and questionnaire files, from the content models.

    Point your YAML editor at schema/topic.schema.json (see README) to get completion and
    errors while you type.
    """
    for path in write_schemas(out):
        click.echo(f"wrote {path}")


def summary(content: Content) -> str:
    """What `yiti check` checked, in a few lines."""
    per_year = Counter(t.year for t in content.topics)
    years = "，".join(f"{y} 年 {per_year[y]} 个" for y in sorted(per_year))
    steps = sum(len(t.procedure.steps) for t in content.topics)
    qa = sum(len(t.qa) for t in content.topics)
    samples = sum(t.sample for t in content.topics)
    return "\n".join(
        [
            f"内容检查通过：{content.root}",
            f"  议题 {len(content.topics)} 个（{years}），其中示例内容 {samples} 个",
            f"  流程步骤 {steps} 个，问答 {qa} 条",
            f"  名录：{len(content.directory.districts)} 个区，"
            f"{sum(s.is_jiexiangzhen for s in content.directory.streets)} 个街乡镇",
            f"  调查批次 {len(content.site.waves)} 个",
        ]
    )


def _load_or_exit(content_dir: Path) -> Content:
    try:
        return load_content(content_dir)
    except ContentError as exc:
        report_problems(exc)
    except YitiError as exc:
        raise click.ClickException(str(exc)) from exc


def report_problems(exc: ContentError) -> NoReturn:
    """Print every problem, one per line, then fail once."""
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    message = f"发现 {len(exc.problems)} 个问题，请逐条修改后重新运行"
    raise click.ClickException(message) from exc
