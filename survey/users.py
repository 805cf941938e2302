"""Accounts of evaluators, admins and auditors: storing them, checking passwords, lockout.

Passwords are hashed with argon2id (argon2-cffi's defaults, the RFC 9106 recommendation); a
hash made with weaker parameters is upgraded at the next successful login. After
`MAX_FAILURES` wrong passwords in a row an account is locked for `LOCKOUT`, whoever is trying:
a third party's figures are worth guessing at, so online guessing must stay slow.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.audit import record
from survey.db import Database
from survey.models import User

ROLES: Final = ("admin", "evaluator", "auditor")
MAX_FAILURES: Final = 5
LOCKOUT: Final = timedelta(minutes=15)
MIN_PASSWORD: Final = 12
HASHER: Final = PasswordHasher()
# Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH: Final = HASHER.hash(secrets.token_hex(16))


class AccountError(Exception):
    """A request about accounts that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt came to; `user` is set only on success."""

    user: User | None
    message: str = ""


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


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
    if topics and role != "evaluator":
        raise AccountError("只有 evaluator 角色可以限定议题（--topics）")
    check_password_rules(password)
    user = User(
        email=normalise_email(email),
        role=role,
        topics=sorted(set(topics)),
        password_hash=HASHER.hash(password),
        session_token=secrets.token_hex(16),
        active=True,
        failed_logins=0,
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
    """Check a password, counting failures and locking the account; audits every attempt."""
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.email == normalise_email(email)))
        if user is None or not user.active:
            _verify(_DUMMY_HASH, password)
            record(
                session,
                now,
                normalise_email(email),
                "login.failure",
                source=source,
                detail={"reason": "unknown_or_disabled"},
            )
            return LoginResult(None, "邮箱或密码不正确")
        if user.locked_until is not None and _aware(user.locked_until) > now:
            record(
                session,
                now,
                user.email,
                "login.failure",
                source=source,
                detail={"reason": "locked"},
            )
            return LoginResult(None, _locked_message(_aware(user.locked_until)))
        if not _verify(user.password_hash, password):
            return LoginResult(None, _failed(session, user, now, source))
        _succeeded(session, user, password, now, source)
        return LoginResult(user)


def _failed(session: Session, user: User, now: datetime, source: str) -> str:
    user.failed_logins += 1
    record(
        session,
        now,
        user.email,
        "login.failure",
        source=source,
        detail={"reason": "password", "failures": user.failed_logins},
    )
    if user.failed_logins < MAX_FAILURES:
        return "邮箱或密码不正确"
    user.locked_until = now + LOCKOUT
    user.failed_logins = 0
    record(
        session,
        now,
        user.email,
        "login.locked",
        source=source,
        detail={"until": user.locked_until.isoformat()},
    )
    return _locked_message(user.locked_until)


def _succeeded(session: Session, user: User, password: str, now: datetime, source: str) -> None:
    user.failed_logins = 0
    user.locked_until = None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    record(session, now, user.email, "login.success", source=source)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _locked_message(until: datetime) -> str:
    minutes = int(LOCKOUT.total_seconds() // 60)
    return f"连续多次登录失败，账户已锁定 {minutes} 分钟（至 {until:%H:%M} UTC）。如需提前解锁，请联系管理员。"


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for aware columns; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
    """Change a password, disable or enable, or unlock; every change ends the user's sessions."""
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.email == normalise_email(email)))
        if user is None:
            raise AccountError(f"没有账户 {normalise_email(email)}；先用 yiti survey user add 创建")
        changed: dict[str, object] = {}
        if password is not None:
            check_password_rules(password)
            user.password_hash = HASHER.hash(password)
            changed["new_password"] = True  # that it changed, never the password
        if active is not None:
            user.active = active
            changed["active"] = active
        if unlock:
            user.locked_until, user.failed_logins = None, 0
            changed["unlocked"] = True
        user.session_token = secrets.token_hex(16)
        record(session, now, actor, "user.change", target=user.email, detail=changed)
    return user
