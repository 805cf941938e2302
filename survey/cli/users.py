"""`yiti survey user …`: accounts for evaluators, admins and auditors, from the server's shell.

The first admin can only be made here; every change is written to the audit log with the
operating-system account that ran the command as the actor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from generator.cli import CONTENT_OPTION
from survey.cli.options import DATABASE_OPTION, content, database
from survey.staff.accounts import (
    ROLES,
    AccountError,
    add_user,
    list_users,
    update_user,
    waiting_emails,
)
from survey.storage.audit import cli_actor

T = TypeVar("T")
PASSWORD_OPTION = click.option(
    "--password",
    prompt="密码（至少 12 个字符）",
    hide_input=True,
    confirmation_prompt="再输入一次",
    envvar="YITI_NEW_PASSWORD",
    help="Asked for when not given; scripts may set YITI_NEW_PASSWORD instead.",
)


@click.group()
def user() -> None:
    """Accounts that log in to read results (evaluator), manage waves (admin) or audit."""


@user.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the account may do.")
@click.option(
    "--topics",
    default="",
    help="Evaluators, interviewers, supervisors: comma-separated topic slugs (default: all).",
)
@PASSWORD_OPTION
@DATABASE_OPTION
@CONTENT_OPTION
def add(
    email: str, role: str, topics: str, password: str, database_url: str | None, content_dir: Path
) -> None:
    """Create the account EMAIL with ROLE; evaluators, interviewers and supervisors may be
    limited to some topics."""
    slugs = [slug.strip() for slug in topics.split(",") if slug.strip()]
    known = {topic.slug for topic in content(content_dir).topics}
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise click.ClickException(
            f"--topics 中没有这些议题：{'、'.join(unknown)}（见 content/topics/）"
        )
    with database(database_url) as db:
        created = _run(lambda: add_user(db, email, role, password, _now(), cli_actor(), slugs))
    scope = "、".join(created.topics) or "全部议题"
    click.echo(f"已创建账户 {created.email}（{role}，{scope}）")


@user.command("list")
@DATABASE_OPTION
def list_(database_url: str | None) -> None:
    """Print every account: email, role, topics, state."""
    with database(database_url) as db:
        waiting = waiting_emails(db, _now())
        for account in list_users(db):
            state = "启用" if account.active else "停用"
            wait = "，有地址在登录等待中" if account.email in waiting else ""
            click.echo(
                f"{account.email}\t{account.role}\t{'、'.join(account.topics) or '全部'}\t{state}{wait}"
            )


@user.command("passwd")
@click.argument("email")
@PASSWORD_OPTION
@DATABASE_OPTION
def passwd(email: str, password: str, database_url: str | None) -> None:
    """Set a new password for EMAIL; its open sessions end."""
    _change(email, database_url, f"已更新 {email} 的密码", password=password)


@user.command("disable")
@click.argument("email")
@DATABASE_OPTION
def disable(email: str, database_url: str | None) -> None:
    """Stop EMAIL from logging in (the account and its audit trail stay); sessions end."""
    _change(email, database_url, f"已停用 {email}", active=False)


@user.command("enable")
@click.argument("email")
@DATABASE_OPTION
def enable(email: str, database_url: str | None) -> None:
    """Let a disabled EMAIL log in again."""
    _change(email, database_url, f"已启用 {email}", active=True)


@user.command("unlock")
@click.argument("email")
@DATABASE_OPTION
def unlock(email: str, database_url: str | None) -> None:
    """Lift the waits that failed logins put on EMAIL, from every address."""
    _change(email, database_url, f"已解锁 {email}", unlock=True)


def _change(email: str, database_url: str | None, done: str, **changes: Any) -> None:
    """Apply one account change (audited, sessions ended) and say what was done."""
    with database(database_url) as db:
        _run(lambda: update_user(db, email, _now(), cli_actor(), **changes))
    click.echo(done)


def _run(action: Callable[[], T]) -> T:
    try:
        return action()
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc


def _now() -> datetime:
    return datetime.now(UTC)
