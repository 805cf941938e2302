"""Every error is a readable page in Chinese, never a traceback."""

from __future__ import annotations

import time

from flask import Flask, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey.abuse import limiter
from survey.db import DatabaseUnavailableError

# status → (title, what to do), said for a resident on a phone.
MESSAGES: dict[int, tuple[str, str]] = {
    400: ("请求无法处理", "提交的内容不完整或格式不对。请返回问卷页面，刷新后重新填写提交。"),
    403: ("无法访问", "此页面不接受这个请求。"),
    404: ("页面不存在", "请检查网址，或从议题页面上的链接进入问卷。"),
    405: ("请求方式不对", "请从问卷页面提交答卷。"),
    413: ("提交的内容太长", "请缩短意见或建议后再提交。"),
    429: ("提交过于频繁", "同一网络提交次数过多，请稍后再试。已经提交的答卷不受影响。"),
    500: ("服务器出错了", "这不是您的问题。请稍后再试；已经拿到回执码的答卷已保存。"),
    503: ("暂时无法保存", "服务器暂时无法处理请求。请稍等一两分钟后刷新页面重试。"),
}
RETRY_AFTER_UNKNOWN = 60  # seconds, for a 429 raised outside Flask-Limiter
CSRF_MESSAGE = (
    "页面的安全校验已失效（可能打开太久或浏览器清除了 Cookie）。请返回问卷页面，刷新后重新提交。"
)


def register_errors(app: Flask) -> None:
    """Render every HTTP error, CSRF failures and unexpected exceptions as pages."""
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(DatabaseUnavailableError, _unavailable)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)


def _csrf(error: CSRFError) -> ResponseReturnValue:
    return _page(400, CSRF_MESSAGE)


def _http(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    detail = error.description if status == 400 and _ours(error) else None
    if status == 429:
        return _too_many()
    return _page(status, detail)


def _too_many() -> ResponseReturnValue:
    """A hard limit's 429, saying in `Retry-After` when the limit's window lets the next one in."""
    body, status = _page(429, None)
    hit = limiter.current_limit  # the limit just exceeded (Flask-Limiter's window, real time)
    wait = hit.reset_at - int(time.time()) if hit is not None else RETRY_AFTER_UNKNOWN
    return body, status, {"Retry-After": str(max(1, wait))}


def _unexpected(error: Exception) -> ResponseReturnValue:
    # Logged with its traceback by Flask's logger; the resident sees a plain page.
    current_app.logger.exception("unexpected error", exc_info=error)
    return _page(500, None)


def _unavailable(error: DatabaseUnavailableError) -> ResponseReturnValue:
    log_unavailable(error)
    return _page(503, f"服务器{error.cause}。请稍等一两分钟后刷新页面重试。")


def retry_advice(error: DatabaseUnavailableError) -> str:
    """What a resident reads when the database cannot take a request now."""
    return (
        f"服务器{error.cause}，您的答卷这次没有保存。页面上的答案仍然保留，"
        "请稍等一两分钟后再次点击提交；重复提交只计一次。"
    )


def log_unavailable(error: DatabaseUnavailableError) -> None:
    """One line for the operator, with the engine's own words and no traceback."""
    current_app.logger.error("database unavailable (%s): %s", error.cause, error.detail)


def _ours(error: HTTPException) -> bool:
    """Descriptions we wrote (in Chinese) are shown; werkzeug's English defaults are not."""
    return type(error).description != error.description


def _page(status: int, detail: str | None) -> tuple[str, int]:
    title, advice = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    body = render_template("errors/error.html", status=status, title=title, advice=detail or advice)
    return body, status
