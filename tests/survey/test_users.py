"""Accounts: creation rules, password checks, lockout, and sessions ended by account changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from survey.models import AuditEntry, User
from survey.users import (
    LOCKOUT,
    MAX_FAILURES,
    AccountError,
    add_user,
    authenticate,
    update_user,
    user_by_token,
)
from tests.survey.conftest import NOW, PASSWORD, state_of


def actions(app: Flask) -> list[str]:
    with state_of(app).db.transaction() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_password_is_stored_as_an_argon2id_hash_and_the_creation_is_audited(app: Flask) -> None:
    user = add_user(state_of(app).db, " Ping@Example.org ", "evaluator", PASSWORD, NOW, "cli:ops")
    assert user.email == "ping@example.org"
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert actions(app) == ["user.add"]


@pytest.mark.parametrize(
    ("role", "password", "topics", "message"),
    [
        ("owner", PASSWORD, (), "角色 'owner' 无效"),
        ("evaluator", "short", (), "至少 12 个字符"),
        ("auditor", PASSWORD, ("ebike-charging",), "只有 evaluator 角色可以限定议题"),
    ],
)
def test_invalid_accounts_are_refused_with_the_reason(
    app: Flask, role: str, password: str, topics: tuple[str, ...], message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        add_user(state_of(app).db, "a@example.org", role, password, NOW, "cli:ops", topics)
    assert actions(app) == []


def test_an_email_can_hold_only_one_account(app: Flask) -> None:
    db = state_of(app).db
    add_user(db, "a@example.org", "evaluator", PASSWORD, NOW, "cli:ops")
    with pytest.raises(AccountError, match="已存在"):
        add_user(db, "A@example.org", "auditor", PASSWORD, NOW, "cli:ops")


def test_the_right_password_logs_in_and_a_wrong_one_does_not(app: Flask) -> None:
    db = state_of(app).db
    add_user(db, "a@example.org", "evaluator", PASSWORD, NOW, "cli:ops")
    assert authenticate(db, "a@example.org", PASSWORD, NOW, "s").user is not None
    failed = authenticate(db, "a@example.org", PASSWORD + "x", NOW, "s")
    assert failed.user is None and failed.message == "邮箱或密码不正确"
    unknown = authenticate(db, "b@example.org", PASSWORD, NOW, "s")
    assert unknown.message == failed.message  # an unknown email is not revealed
    assert actions(app) == ["user.add", "login.success", "login.failure", "login.failure"]


def test_repeated_failures_lock_the_account_until_the_lockout_ends(app: Flask) -> None:
    db = state_of(app).db
    add_user(db, "a@example.org", "evaluator", PASSWORD, NOW, "cli:ops")
    for _ in range(MAX_FAILURES):
        result = authenticate(db, "a@example.org", "wrong password!", NOW, "s")
    assert "已锁定" in result.message
    locked = authenticate(db, "a@example.org", PASSWORD, NOW + LOCKOUT / 2, "s")
    assert locked.user is None and "已锁定" in locked.message  # even the right password
    assert authenticate(
        db, "a@example.org", PASSWORD, NOW + LOCKOUT + timedelta(seconds=1), "s"
    ).user
    assert "login.locked" in actions(app)


def test_an_admin_can_unlock_a_locked_account(app: Flask) -> None:
    db = state_of(app).db
    add_user(db, "a@example.org", "evaluator", PASSWORD, NOW, "cli:ops")
    for _ in range(MAX_FAILURES):
        authenticate(db, "a@example.org", "wrong password!", NOW, "s")
    update_user(db, "a@example.org", NOW, "cli:ops", unlock=True)
    assert authenticate(db, "a@example.org", PASSWORD, NOW, "s").user is not None


def test_changing_an_account_ends_its_sessions(app: Flask) -> None:
    db = state_of(app).db
    user = add_user(db, "a@example.org", "evaluator", PASSWORD, NOW, "cli:ops")
    session_id = f"{user.id}:{user.session_token}"
    assert user_by_token(db, session_id) is not None
    update_user(db, "a@example.org", NOW, "cli:ops", password="another long password")
    assert user_by_token(db, session_id) is None
    assert authenticate(db, "a@example.org", PASSWORD, NOW, "s").user is None


def test_a_disabled_account_cannot_log_in(app: Flask) -> None:
    db = state_of(app).db
    add_user(db, "a@example.org", "evaluator", PASSWORD, NOW, "cli:ops")
    update_user(db, "a@example.org", NOW, "cli:ops", active=False)
    assert authenticate(db, "a@example.org", PASSWORD, NOW, "s").user is None
    with db.transaction() as session:
        assert session.scalar(select(User.active)) is False


@pytest.mark.parametrize("session_id", ["", "x", "1", "1:", "abc:def", "999:token"])
def test_malformed_or_unknown_session_ids_load_no_user(app: Flask, session_id: str) -> None:
    assert user_by_token(state_of(app).db, session_id) is None
