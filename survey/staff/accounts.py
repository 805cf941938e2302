"""Accounts of evaluators, admins, auditors, interviewers and supervisors: storing them, checking passwords.

Passwords are hashed with argon2id (argon2-cffi's defaults, the RFC 9106 recommendation); a
hash made with weaker parameters is upgraded at the next successful login. Wrong passwords
make the same email from the same address wait longer and longer (survey.staff.throttle): a third
party's figures are worth guessing at, so online guessing must stay slow, but nobody
elsewhere can shut an evaluator out, and an unknown email is treated exactly like a known one.
"""

from __future__ import annotations

import functools
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.staff import throttle
from survey.storage.audit import record
from survey.storage.db import Database
from survey.storage.models import User

ROLES: Final = ("admin", "evaluator", "auditor", "interviewer", "supervisor")
# Roles an account may be limited to some topics in (`--topics`); the others see every topic.
SCOPED_ROLES: Final = ("evaluator", "interviewer", "supervisor")
WRONG: Final = "邮箱或密码不正确"
MIN_PASSWORD: Final = 12
EMAIL_MAX: Final = 254  # users.email, login_throttle.email
HASHER: Final = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a wrong email costs as long as a wrong
    password. Made at the first login a worker serves, not at import: an argon2id hash takes a
    worker half a second of CPU and 64 MiB at start, and most workers only serve residents."""
    return HASHER.hash(secrets.token_hex(16))


class AccountError(Exception):
    """A request about accounts that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt came to; `user` is set only on success."""

    user: User | None
    message: str = ""
    retry_after: int | None = None  # seconds, when the attempt was not heard (429)


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def checked_email(email: str) -> str:
    """The email normalised, or AccountError: a text that cannot be an address (no “@” between
    two parts, spaces or control characters inside, over the column's 254 characters once
    lower-cased) would be an account no one can log in to, or a NUL PostgreSQL refuses."""
    typed = normalise_email(email)
    local, at, domain = typed.rpartition("@")
    if len(typed) > EMAIL_MAX:
        raise AccountError(f"邮箱最多 {EMAIL_MAX} 个字符（小写后），请检查")
    if not (local and at and domain) or any(c.isspace() or not c.isprintable() for c in typed):
        shown = "".join(c if c.isprintable() else "\ufffd" for c in typed)
        raise AccountError(f"“{shown}”不是有效的邮箱地址（应为 名字@域名，不含空格和控制字符）")
    return typed


def check_password_rules(password: str) -> None:
    """Refuse passwords too short to resist guessing (NIST SP 800-63B: length, not symbols)."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符（建议用一句容易记的话）")


def add_user(
    db: Database,
    email: str,
    role: str,
    password: str,
    now: datetime,
    actor: str,
    topics: Sequence[str] = (),
) -> User:
    """Create an account and record it in the audit log in the same transaction."""
    if role not in ROLES:
        raise AccountError(f"角色 {role!r} 无效，可选：{' / '.join(ROLES)}")
    if topics and role not in SCOPED_ROLES:
        raise AccountError(f"只有 {' / '.join(SCOPED_ROLES)} 角色可以限定议题（--topics）")
    check_password_rules(password)
    user = User(
        email=checked_email(email),
        role=role,
        topics=sorted(set(topics)),
        password_hash=HASHER.hash(password),
        session_token=secrets.token_hex(16),
        active=True,
        created_at=now,
    )
    try:
        with db.transaction() as session:
            session.add(user)
            session.flush()
            detail = {"role": role, "topics": user.topics}
            record(session, now, actor, "user.add", target=user.email, detail=detail)
    except IntegrityError:
        raise AccountError(f"账户 {user.email} 已存在") from None
    return user


def user_by_token(db: Database, user_id: str) -> User | None:
    """The active user whose session id is `user_id` (`<id>:<session token>`), else None."""
    number, _, token = user_id.partition(":")
    if not number.isdigit() or not token:
        return None
    with db.transaction() as session:
        user = session.get(User, int(number))
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def active_user(db: Database, email: str) -> User | None:
    """The active account with `email` (the worker checks who asked is still allowed)."""
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.email == normalise_email(email)))
    return user if user is not None and user.active else None


def list_users(db: Database) -> list[User]:
    """Every account, by email."""
    with db.transaction() as session:
        return list(session.scalars(select(User).order_by(User.email)))


def authenticate(
    db: Database, email: str, password: str, now: datetime, source: str
) -> LoginResult:
    """Check a password under the throttle (survey.staff.throttle); audits every attempt.

    Known, unknown, disabled and waiting emails get the same answers for the same history,
    and each heard attempt verifies exactly one password hash, so neither the reply nor its
    time tells which emails have accounts.
    """
    typed = normalise_email(email)
    with db.transaction() as session:
        wait = throttle.waiting(session, typed, source, now)
        if wait is not None:
            detail = {"failures": wait.failures, "until": wait.until.isoformat()}
            record(session, now, typed, "login.throttled", source=source, detail=detail)
            return LoginResult(None, _wait_message(wait, now), wait.seconds(now))
        found = session.scalar(select(User).where(User.email == typed))
        user = found if found is not None and found.active else None
        if _verify(user.password_hash if user else _dummy_hash(), password) and user:
            throttle.forget(session, typed, source)
            _succeeded(session, user, password, now, source)
            return LoginResult(user)
        wait = throttle.count_failure(session, typed, source, now)
        reason = "password" if user else "unknown_or_disabled"
        failure = {"reason": reason, "failures": wait.failures, "until": wait.until.isoformat()}
        record(session, now, typed, "login.failure", source=source, detail=failure)
        if wait.until > now:
            return LoginResult(None, f"{WRONG}。{_wait_message(wait, now)}")
        return LoginResult(None, WRONG)


def _succeeded(session: Session, user: User, password: str, now: datetime, source: str) -> None:
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    record(session, now, user.email, "login.success", source=source)


def _wait_message(wait: throttle.Wait, now: datetime) -> str:
    seconds = wait.seconds(now)
    span = f"{seconds} 秒" if seconds < 120 else f"{math.ceil(seconds / 60)} 分钟"
    return f"为防止猜测密码，此邮箱在本网络上连续登录失败 {wait.failures} 次后需等待 {span}再试。忘记密码请联系管理员。"


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def waiting_emails(db: Database, now: datetime) -> set[str]:
    """Emails that some address must wait to try again after failed logins."""
    with db.transaction() as session:
        return throttle.waiting_emails(session, now)


def update_user(
    db: Database,
    email: str,
    now: datetime,
    actor: str,
    *,
    password: str | None = None,
    active: bool | None = None,
    unlock: bool = False,
) -> User:
    """Change a password, disable or enable, or lift the login waits of the account (every
    address); every change ends the user's sessions."""
    typed = checked_email(email)  # before the database, which refuses a NUL
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.email == typed))
        if user is None:
            raise AccountError(f"没有账户 {typed}；先用 yiti survey user add 创建")
        changed: dict[str, object] = {}
        if password is not None:
            check_password_rules(password)
            user.password_hash = HASHER.hash(password)
            changed["new_password"] = True  # that it changed, never the password
        if active is not None:
            user.active = active
            changed["active"] = active
        if unlock:
            changed["unlocked"] = throttle.forget(session, user.email)
        user.session_token = secrets.token_hex(16)
        record(session, now, actor, "user.change", target=user.email, detail=changed)
    return user
