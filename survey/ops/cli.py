"""`yiti survey backup FILE` and `yiti survey restore FILE`, for registering under `yiti survey`."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from survey.cli.options import DATABASE_OPTION
from survey.config import ProductionConfigError, instance_dir, settings
from survey.ops.backup import BackupError, backup, restore

FILE_ARGUMENT = click.argument("file", type=click.Path(path_type=Path, dir_okay=False))


@click.command("backup")
@FILE_ARGUMENT
@DATABASE_OPTION
def backup_command(file: Path, database_url: str | None) -> None:
    """Copy the survey database into FILE while the app keeps running.

    SQLite through its online backup API, PostgreSQL with pg_dump (custom format). FILE holds
    every answer: keep it where only operators can read it.
    """
    url = _database_url(database_url)
    try:
        backup(url, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已备份 {_shown(url)} 到 {file}")


@click.command("restore")
@FILE_ARGUMENT
@DATABASE_OPTION
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database's contents.")
def restore_command(file: Path, database_url: str | None, yes: bool) -> None:
    """Replace the survey database's contents with FILE, written by `yiti survey backup`.

    The file is checked first; the data is replaced in one transaction, so a failure leaves the
    database as it was. Stop the app first so no new answer lands in data about to be replaced.
    """
    url = _database_url(database_url)
    if not yes:
        click.confirm(f"用 {file} 覆盖 {_shown(url)} 的全部数据？", abort=True)
    try:
        restore(url, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已从 {file} 恢复 {_shown(url)}；如备份早于当前版本，请运行 yiti survey upgrade")


# What `yiti survey` registers: `for command in COMMANDS: survey.add_command(command)`.
COMMANDS = (backup_command, restore_command)


def _database_url(option: str | None) -> str:
    overrides: dict[str, str] = {"DATABASE_URL": option} if option else {}
    if not (os.environ.get("SECRET_KEY") or os.environ.get("YITI_SECRET_KEY")):
        # Copying a database needs no key; a throw-away one keeps settings() from creating
        # instance/secret_key as a side effect (and passes production's length check).
        overrides["SECRET_KEY"] = secrets.token_hex(32)
    try:
        url: str = settings(instance_dir(), overrides)["DATABASE_URL"]
    except ProductionConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    return url


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
