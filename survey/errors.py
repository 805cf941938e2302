"""Every error is a readable page in Chinese, never a traceback."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey.abuse import FOREIGN_REFERRER, limiter
from survey.storage.db import DatabaseUnavailableError

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
# The same for staff pages (/staff/…): evaluators and interviewers fill in no questionnaire.
STAFF_MESSAGES: dict[int, tuple[str, str]] = MESSAGES | {
    400: ("请求无法处理", "提交的内容不完整或格式不对。请返回上一页，刷新后重新操作。"),
    404: ("页面不存在", "请检查网址，或从工作台首页的链接进入；无权查看的议题也显示为不存在。"),
    405: ("请求方式不对", "请用页面上的按钮或链接操作。"),
    429: ("请求过于频繁", "同一网络的请求过多，请稍后再试。"),
    500: ("服务器出错了", "请稍后再试；如果一直出错，请把出错的时间和网址告诉管理员。"),
}
RETRY_AFTER_UNKNOWN = 60  # seconds, for a 429 raised outside Flask-Limiter
CSRF_MESSAGE = (
    "页面的安全校验已失效（可能打开太久或浏览器清除了 Cookie）。请返回问卷页面，刷新后重新提交。"
)
# Flask-WTF's reasons (CSRFProtect.protect) when an HTTPS post's Referer is not this site's
# (FOREIGN_REFERRER lives in survey.abuse, which raises it too; abuse is imported here, not back).
NO_REFERRER = "The referrer header is missing."
REFERRER_TITLE = "提交没有被接受"
NO_REFERRER_MESSAGE = (
    "这次提交没有保存：浏览器没有告诉本站它是从哪个页面提交的（请求里没有来源信息 Referer）。"
    "为防止其他网站冒用您的名义提交，本站只接受从本站页面发出的提交。"
    "请在浏览器或隐私插件的设置里允许本站发送来源信息，再用浏览器的“返回”回到刚才的页面重新提交。"
)
FOREIGN_REFERRER_MESSAGE = (
    "这次提交没有保存：它来自 {sent} 的页面，不是本站（{ours}）的页面。"
    "为防止其他网站冒用您的名义提交，本站只接受从本站页面发出的提交。"
    "请直接打开本站的网址重新填写；如果您正是在本站页面上提交的，"
    "请把这条提示告诉调查组织方：网站的地址或端口设置有误。"
)


def register_errors(app: Flask) -> None:
    """Render every HTTP error, CSRF failures and unexpected exceptions as pages."""
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(DatabaseUnavailableError, _unavailable)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)


def _csrf(error: CSRFError) -> ResponseReturnValue:
    """Say which check refused the post: the page's token, or where the post came from."""
    reason = str(error.description)
    ours = f"https://{request.host}"
    log = current_app.logger.warning
    if reason == NO_REFERRER:
        log("refused POST %s: no Referer header (HTTPS posts must name this site)", request.path)
        return _page(400, NO_REFERRER_MESSAGE, REFERRER_TITLE)
    if reason == FOREIGN_REFERRER:
        sent = _origin(request.referrer or "")
        # Behind a proxy that forwards no scheme, or a host without its port, the site's own
        # pages look like another site's: the log says what to check.
        log(
            "refused POST %s: Referer from %s, not %s (behind a proxy: does it forward the "
            "scheme, and the host with the port, that the browser used?)",
            request.path,
            sent,
            ours,
        )
        return _page(400, FOREIGN_REFERRER_MESSAGE.format(sent=sent, ours=ours), REFERRER_TITLE)
    log("refused POST %s: %s", request.path, reason)
    return _page(400, CSRF_MESSAGE)


def _origin(url: str) -> str:
    """scheme://host:port of a Referer: which site sent the form, never its path or query
    (survey links carry invitation codes)."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # "https://[::1", a port that is not a number or over 65535
        return "未知地址"
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{port}"[:100] if parts.scheme and host else "未知地址"


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
    wait = RETRY_AFTER_UNKNOWN
    if hit is not None:  # reset_at is rounded up a second: never say more than the window
        wait = min(hit.reset_at - int(time.time()), hit.limit.get_expiry())
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


def _page(status: int, detail: str | None, heading: str | None = None) -> tuple[str, int]:
    messages = STAFF_MESSAGES if request.path.startswith("/staff/") else MESSAGES
    title, advice = messages.get(status, messages[400 if status < 500 else 500])
    body = render_template(
        "errors/error.html", status=status, title=heading or title, advice=detail or advice
    )
    return body, status
