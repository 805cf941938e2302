"""Accounts: creation rules, password checks, login throttling, sessions ended by changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import select

from survey.staff.accounts import (
    WRONG,
    AccountError,
    add_user,
    authenticate,
    update_user,
    user_by_token,
    waiting_emails,
)
from survey.staff.throttle import FORGET_AFTER, FREE_FAILURES, wait_after
from survey.storage.models import AuditEntry, User
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
        (
            "auditor",
            PASSWORD,
            ("ebike-charging",),
            "只有 evaluator / interviewer / supervisor 角色可以限定议题",
        ),
    ],
)
def test_invalid_accounts_are_refused_with_the_reason(
    app: Flask, role: str, password: str, topics: tuple[str, ...], message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        add_user(state_of(app).db, "a@example.org", role, password, NOW, "cli:ops", topics)
    assert actions(app) == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-email", "“not-an-email”不是有效的邮箱地址"),
        ("a b@example.org", "不是有效的邮箱地址（应为 名字@域名，不含空格和控制字符）"),
        ("a\x00b@example.org", "“a\ufffdb@example.org”不是有效的邮箱地址"),
        ("İ" * 200 + "@example.org", "邮箱最多 254 个字符（小写后）"),  # 400 in lower case
    ],
)
def test_an_email_no_one_could_log_in_with_is_refused_on_each_database(
    app: Flask, email: str, message: str
) -> None:
    db = state_of(app).db
    with pytest.raises(AccountError, match=message):
        add_user(db, email, "evaluator", PASSWORD, NOW, "cli:ops")
    with pytest.raises(AccountError):  # looked up: PostgreSQL would refuse the NUL
        update_user(db, email, NOW, "cli:ops", active=False)
    assert actions(app) == []


@pytest.mark.parametrize("role", ["interviewer", "supervisor"])
def test_fieldwork_roles_may_be_limited_to_topics_like_evaluators(app: Flask, role: str) -> None:
    from survey.staff.sessions import Account

    user = add_user(state_of(app).db, f"{role}@example.org", role, PASSWORD, NOW, "cli:ops", ["a"])
    assert (user.role, user.topics) == (role, ["a"])
    assert Account(user).sees_topic("a") and not Account(user).sees_topic("b")


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


def test_failures_make_the_same_email_and_address_wait_longer_each_time(app: Flask) -> None:
    db = state_of(app).db
    add_user(db, "a@example.org", "evaluator", PASSWORD, NOW, "cli:ops")
    for _ in range(FREE_FAILURES - 1):
        assert authenticate(db, "a@example.org", "wrong password!", NOW, "s").message == WRONG
    last = authenticate(db, "a@example.org", "wrong password!", NOW, "s")
    assert last.message.startswith(WRONG) and "需等待 30 秒" in last.message
    waiting = authenticate(db, "a@example.org", PASSWORD, NOW + timedelta(seconds=10), "s")
    assert waiting.user is None and waiting.retry_after == 20  # even the right password
    later = NOW + timedelta(seconds=30)
    assert authenticate(db, "a@example.org", "wrong again!!", later, "s").retry_after is None
    assert authenticate(db, "a@example.org", PASSWORD, later, "s").retry_after == 60
    assert "login.throttled" in actions(app)


def test_the_wait_doubles_up_to_an_hour() -> None:
    waits = [wait_after(n).total_seconds() for n in range(1, 12)]
    assert waits == [0, 0, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_guesser_at_another_address_never_delays_the_account_owner(app: Flask) -> None:
    db = state_of(app).db
    add_user(db, "a@example.org", "evaluator", PASSWORD, NOW, "cli:ops")
    for _ in range(20):
        authenticate(db, "a@example.org", "wrong password!", NOW, "attacker")
    assert authenticate(db, "a@example.org", PASSWORD, NOW, "owner").user is not None


def test_an_unknown_email_and_a_disabled_account_wait_exactly_like_an_account(
    app: Flask,
) -> None:
    db = state_of(app).db
    add_user(db, "known@example.org", "evaluator", PASSWORD, NOW, "cli:ops")
    add_user(db, "off@example.org", "evaluator", PASSWORD, NOW, "cli:ops")
    update_user(db, "off@example.org", NOW, "cli:ops", active=False)

    def history(email: str) -> list[tuple[object, str, int | None]]:
        seen: list[tuple[object, str, int | None]] = []
        for second in (0, 1, 2, 3, 40, 41):
            at = NOW + timedelta(seconds=second)
            result = authenticate(db, email, "wrong password!", at, "s")
            seen.append((result.user, result.message, result.retry_after))
        return seen

    known = history("known@example.org")
    assert known == history("nobody@example.org") == history("off@example.org")
    assert [r for _, _, r in known] == [None, None, None, 29, None, 59]


def test_every_heard_attempt_verifies_one_hash_and_a_waiting_one_none(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = state_of(app).db
    add_user(db, "known@example.org", "evaluator", PASSWORD, NOW, "cli:ops")
    calls: list[str] = []
    verify = PasswordHasher.verify

    def counted(self: PasswordHasher, hash: str, password: str) -> bool:
        calls.append(hash)
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    for email in ("known@example.org", "nobody@example.org"):
        for _ in range(FREE_FAILURES + 1):
            calls.clear()
            heard = authenticate(db, email, "wrong password!", NOW, "s").retry_after is None
            assert len(calls) == (1 if heard else 0)


def test_an_admin_can_lift_the_waits_of_an_account(app: Flask) -> None:
    db = state_of(app).db
    add_user(db, "a@example.org", "evaluator", PASSWORD, NOW, "cli:ops")
    for source in ("office", "home"):
        for _ in range(FREE_FAILURES):
            authenticate(db, "a@example.org", "wrong password!", NOW, source)
    assert waiting_emails(db, NOW) == {"a@example.org"}
    update_user(db, "a@example.org", NOW, "cli:ops", unlock=True)
    assert waiting_emails(db, NOW) == set()
    assert authenticate(db, "a@example.org", PASSWORD, NOW, "home").user is not None


def test_failures_older_than_a_day_are_forgotten(app: Flask) -> None:
    db = state_of(app).db
    add_user(db, "a@example.org", "evaluator", PASSWORD, NOW, "cli:ops")
    for _ in range(FREE_FAILURES):
        authenticate(db, "a@example.org", "wrong password!", NOW, "s")
    tomorrow = NOW + FORGET_AFTER + timedelta(seconds=1)
    assert authenticate(db, "a@example.org", "wrong password!", tomorrow, "s").message == WRONG


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
