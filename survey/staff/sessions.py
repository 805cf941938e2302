"""Logged-in sessions for staff (evaluators, admins, auditors, interviewers, supervisors; Flask-Login), and who may see what.

Residents never log in. A session lasts `YITI_LOGIN_IDLE_MINUTES` without activity and at most
`YITI_LOGIN_MAX_HOURS` in all; changing or disabling an account ends its sessions at once,
because the session's user id carries the account's session token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, abort, current_app, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from survey.staff.accounts import SCOPED_ROLES, user_by_token
from survey.state import current_state
from survey.storage.models import User

F = TypeVar("F", bound=Callable[..., Any])
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "此页面需要登录"  # shown on the login page
login_manager.session_protection = "strong"  # a session moved to another browser is dropped
# Blueprints whose pages are for logged-in staff (and the login page itself).
STAFF_BLUEPRINTS = frozenset(
    {"auth", "evaluators", "downloads", "admin", "auditors", "interviewers", "supervisors"}
)


class Account(UserMixin):
    """The logged-in user as Flask-Login sees it: a snapshot of the account row."""

    def __init__(self, user: User) -> None:
        self.id = user.id  # the account row (fieldwork: who holds a case)
        self.user_id = f"{user.id}:{user.session_token}"
        self.email = user.email
        self.role = user.role
        self.topics = frozenset(user.topics)

    def get_id(self) -> str:
        """The session's user id: replacing the account's token invalidates it."""
        return self.user_id

    def sees_topic(self, topic: str) -> bool:
        """Whether this account may read responses and results of `topic`."""
        if self.role == "admin":
            return True
        return self.role in SCOPED_ROLES and (not self.topics or topic in self.topics)


@login_manager.user_loader
def _load(user_id: str) -> Account | None:
    user = user_by_token(current_state().db, user_id)
    return Account(user) if user is not None else None


def init_accounts(app: Flask) -> None:
    """Bind Flask-Login and the session time limits to `app`."""
    # No `current_user` in every template: it would load (and protect) a session on residents' pages.
    login_manager.init_app(app, add_context_processor=False)
    app.before_request(_expire_idle_sessions)


def start_session(user: User, now: datetime) -> None:
    """Log `user` in: a fresh session (no fixation), with its start and last-seen times."""
    session.clear()
    login_user(Account(user), remember=False)
    session["login_at"] = session["seen_at"] = now.timestamp()


def end_session() -> None:
    """Log out and forget everything in the session."""
    logout_user()
    session.clear()


def _expire_idle_sessions() -> None:
    # Residents' requests never load an account: Flask-Login's strong session protection would
    # otherwise rewrite their session cookie (CSRF token, device id) on every request.
    if request.blueprint not in STAFF_BLUEPRINTS or not current_user.is_authenticated:
        return
    now = current_state().clock().timestamp()
    config = current_app.config
    idle = timedelta(minutes=int(config["YITI_LOGIN_IDLE_MINUTES"])).total_seconds()
    most = timedelta(hours=int(config["YITI_LOGIN_MAX_HOURS"])).total_seconds()
    seen, started = float(session.get("seen_at", 0)), float(session.get("login_at", 0))
    if now - seen > idle or now - started > most:
        end_session()
        return
    session["seen_at"] = now


def account() -> Account:
    """The logged-in account (inside views that require a login)."""
    return cast(Account, current_user._get_current_object())


def require_role(*roles: str) -> Callable[[F], F]:
    """Views for `roles` only: anonymous visitors go to the login page, other roles get 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if account().role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate


def require_topic(topic: str) -> None:
    """Abort with 404 unless the logged-in account may see `topic`: out of scope looks absent."""
    if not account().sees_topic(topic):
        abort(404)


# The staff navigation: (endpoint, label, roles that see it). Endpoints a deployment does not
# register are left out, so the list can name every staff page in one place.
NAV: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("evaluators.index", "调查结果", ("admin", "evaluator")),
    ("downloads.index", "下载答卷数据", ("admin", "evaluator")),
    ("admin.waves", "批次与邀请码", ("admin",)),
    ("auditors.log", "审计日志", ("auditor",)),
    ("interviewers.index", "电话访问", ("interviewer",)),
    ("supervisors.index", "访问督导", ("supervisor",)),
)
ROLE_LABELS = {
    "admin": "管理员",
    "evaluator": "评估人员",
    "auditor": "审计人员",
    "interviewer": "访问员",
    "supervisor": "督导",
}


def staff_context() -> dict[str, Any]:
    """`staff_account` and `staff_nav` for templates extending staff/base.html.

    Registered on each staff blueprint (`blueprint.context_processor(staff_context)`), so the
    residents' pages never pay for loading an account.
    """
    if not current_user.is_authenticated:
        return {"staff_account": None, "staff_nav": []}
    me = account()
    views = current_app.view_functions
    nav = [
        {"url": url_for(endpoint), "label": label, "current": request.endpoint == endpoint}
        for endpoint, label, roles in NAV
        if me.role in roles and endpoint in views
    ]
    shown = {"email": me.email, "role_label": ROLE_LABELS[me.role]}
    return {"staff_account": shown, "staff_nav": nav}
