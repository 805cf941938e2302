"""What every `yiti survey …` command shares: the --database option and opening content and data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from generator.content.loader import Content, load_content
from generator.errors import ContentError
from survey.config import instance_dir, settings
from survey.storage.db import Database

DATABASE_OPTION = click.option(
    "--database",
    "database_url",
    envvar="DATABASE_URL",
    help="SQLAlchemy URL (default: $DATABASE_URL, else SQLite at instance/survey.sqlite3).",
)


@contextmanager
def database(url: str | None) -> Iterator[Database]:
    """The survey database a command was pointed at, closed when the command ends."""
    config = settings(instance_dir(), {"DATABASE_URL": url} if url else None)
    db = Database(config["DATABASE_URL"])
    try:
        yield db
    finally:
        db.dispose()


def content(content_dir: Path) -> Content:
    """Validated content, or every problem printed and the command stopped."""
    try:
        return load_content(content_dir)
    except ContentError as exc:
        raise content_problems(exc) from exc


def content_problems(exc: ContentError) -> click.ClickException:
    """Print each content problem (file:line: field: message) and say how to check them."""
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    return click.ClickException(f"内容有 {len(exc.problems)} 个问题，请先修正（yiti check）")


def shown(db: Database) -> str:
    """The database URL without its password, for messages."""
    return db.engine.url.render_as_string(hide_password=True)
