"""Logging in and out for evaluators, admins and auditors (residents never log in).

Attempts are limited per address (`YITI_LOGIN_LIMIT`, 429 beyond), and wrong passwords make the
same email from the same address wait longer each time (`survey.staff.throttle`, 429 with
`Retry-After` while waiting), so guessing is slow without letting anyone shut an account out.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, Regexp

from survey.abuse import limiter, source_key
from survey.staff.accounts import authenticate, normalise_email
from survey.staff.auditlog import CONTROL, CONTROL_CHARACTERS
from survey.staff.sessions import account, end_session, staff_context, start_session
from survey.state import current_state
from survey.storage.audit import append

auth = Blueprint("auth", __name__, url_prefix="/staff")
auth.context_processor(staff_context)
HOME = {
    "admin": "evaluators.index",
    "evaluator": "evaluators.index",
    "auditor": "auditors.log",
    "interviewer": "interviewers.index",
    "supervisor": "supervisors.index",
}


class TypedEmailField(EmailField):
    """The email as accounts compare it (no surrounding spaces, lower case), echoed into the
    page without control characters (NUL is invalid HTML)."""

    def _value(self) -> str:
        return CONTROL.sub("\ufffd", str(super()._value()))


def _normalised(typed: object) -> object:
    """`normalise_email` before the length check: lower-casing may lengthen a text (“İ” is
    two characters in lower case), and the column holds 254."""
    return normalise_email(typed) if isinstance(typed, str) else typed


class LoginForm(FlaskForm):
    """Email and password; messages in Chinese next to each field."""

    email = TypedEmailField(
        "邮箱",
        filters=[_normalised],
        validators=[
            DataRequired("请填写邮箱"),
            Length(max=254, message="邮箱最多 254 个字符，请检查是否多粘贴了内容"),
            # PostgreSQL refuses NUL in text; no account's email holds a control character.
            Regexp(f"^[^{CONTROL_CHARACTERS}]*$", message="邮箱中有无法识别的字符，请重新输入"),
        ],
    )
    password = PasswordField(
        "密码",
        validators=[
            DataRequired("请填写密码"),
            Length(max=1024, message="密码最多 1024 个字符，请检查是否多粘贴了内容"),
        ],
    )


def login_limit() -> str:
    """Attempts allowed per address, from configuration."""
    return str(current_app.config["YITI_LOGIN_LIMIT"])


@auth.route("/login/", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    """The login form; on success a fresh session and the account's home page."""
    if current_user.is_authenticated:
        home = _home()
        if home is None:  # a deployment without this role's pages: say who is logged in
            return render_template("auth/signed-in.html")
        return redirect(home)
    form = LoginForm()
    message = ""
    if form.validate_on_submit():
        state = current_state()
        now = state.clock()
        result = authenticate(state.db, form.email.data, form.password.data, now, source_key())
        if result.user is not None:
            start_session(result.user, now)
            return redirect(_next_page() or _home() or url_for("auth.login"))
        message = result.message
        if result.retry_after is not None:
            page = render_template("auth/login.html", form=form, message=message)
            return page, 429, {"Retry-After": str(result.retry_after)}
    status = 200 if not form.errors and not message else 400
    return render_template("auth/login.html", form=form, message=message), status


@auth.post("/logout/")
def logout() -> ResponseReturnValue:
    """End the session (POST with CSRF, so no page can log a user out by linking here)."""
    if current_user.is_authenticated:
        state = current_state()
        append(state.db, state.clock(), account().email, "logout", source=source_key())
    end_session()
    return redirect(url_for("auth.login"))


def _home() -> str | None:
    """The logged-in account's first page, if this app has it."""
    endpoint = HOME[account().role]
    return url_for(endpoint) if endpoint in current_app.view_functions else None


def _next_page() -> str | None:
    """Flask-Login's `next`, accepted only as a path on this site (no open redirect)."""
    target = request.args.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
