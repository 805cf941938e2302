"""`yiti survey user …`: one command makes an account that can log in; changes are audited."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from survey.cli.main import survey
from survey.staff.accounts import authenticate, list_users
from survey.storage.audit import entries
from survey.storage.db import Database
from tests.conftest import CONTENT
from tests.survey.conftest import NOW, PASSWORD, TOPIC


@pytest.fixture
def db(migrated_db: Database) -> Database:
    """A migrated, empty survey database on each store."""
    return migrated_db


def invoke(db: Database, *args: str, password: str | None = None) -> Result:
    """Invoke `yiti survey ARGS` on `db`, typing `password` twice at the prompts."""
    typed = f"{password}\n{password}\n" if password is not None else None
    return CliRunner().invoke(survey, [*args, "--database", db.url], input=typed)


def run(db: Database, *args: str, password: str | None = None) -> str:
    """`invoke`, expecting success; the output."""
    result = invoke(db, *args, password=password)
    assert result.exit_code == 0, result.output
    return result.output


def test_user_add_makes_an_account_that_can_log_in(db: Database) -> None:
    output = run(
        db,
        "user",
        "add",
        "Eva@Example.org",
        "--role",
        "evaluator",
        "--topics",
        TOPIC,
        "--content",
        str(CONTENT),
        password=PASSWORD,
    )
    assert "已创建账户 eva@example.org（evaluator，ebike-charging）" in output
    assert authenticate(db, "eva@example.org", PASSWORD, NOW, "").user is not None
    [user] = list_users(db)
    assert user.topics == [TOPIC]
    assert entries(db)[-1].action == "user.add"
    assert entries(db)[-1].actor.startswith("cli:")


def test_an_unknown_topic_is_refused_before_anything_is_stored(db: Database) -> None:
    result = invoke(
        db, "user", "add", "a@example.org", "--role", "evaluator", "--topics", "no-such-topic",
        "--content", str(CONTENT), password=PASSWORD,
    )  # fmt: skip
    assert result.exit_code == 1
    assert "--topics 中没有这些议题：no-such-topic" in result.output
    assert list_users(db) == []


def test_a_short_password_is_refused_with_the_rule(db: Database) -> None:
    result = invoke(
        db, "user", "add", "a@example.org", "--role", "auditor", "--content", str(CONTENT),
        password="short",
    )  # fmt: skip
    assert result.exit_code == 1 and "至少 12 个字符" in result.output
    assert list_users(db) == []


def test_disable_unlock_and_passwd_change_the_account_and_are_audited(db: Database) -> None:
    run(
        db,
        "user",
        "add",
        "a@example.org",
        "--role",
        "auditor",
        "--content",
        str(CONTENT),
        password=PASSWORD,
    )
    run(db, "user", "disable", "a@example.org")
    assert authenticate(db, "a@example.org", PASSWORD, NOW, "").user is None
    run(db, "user", "enable", "a@example.org")
    run(db, "user", "unlock", "a@example.org")
    run(db, "user", "passwd", "a@example.org", password="a brand new passphrase")
    assert authenticate(db, "a@example.org", "a brand new passphrase", NOW, "").user is not None
    assert "a@example.org\tauditor\t全部\t启用" in run(db, "user", "list")
    changes = [entry.detail for entry in entries(db) if entry.action == "user.change"]
    assert changes[::-1] == [
        {"active": False},
        {"active": True},
        {"unlocked": True},
        {"new_password": True},
    ]


def test_changing_an_unknown_account_says_how_to_create_it(db: Database) -> None:
    result = invoke(db, "user", "disable", "x@example.org")
    assert result.exit_code == 1 and "yiti survey user add" in result.output
