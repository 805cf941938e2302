"""The floor of bench/survey_load.py: a submission's two requests with no survey logic.

What any app must do for a submission under the same gunicorn configuration and clients: the
GET returns a page of the questionnaire's size with a CSRF token kept in Flask's signed session
cookie (and a hidden `ticket`, which the clients read like the survey's); the POST parses the
form, checks the token against the session and inserts one row into the same database, then
redirects to a thank-you address. The row is written the cheapest way: one INSERT in autocommit,
its own transaction (no BEGIN and COMMIT round trips), as the survey writes a lone submission. The survey's cost per submission is compared
with this one (issue 17: within 2×).

Settings come from the environment the benchmark gives both servers: `SECRET_KEY`,
`DATABASE_URL`, and `YITI_FLOOR_PAGE_BYTES` (the survey's blank page, measured by the benchmark).
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from typing import Any

from flask import Flask, abort, redirect, request, session
from flask.typing import ResponseReturnValue
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

TABLE = "bench_floor"
INSERT = text(f"INSERT INTO {TABLE} (receipt, body) VALUES (:receipt, :body)")  # nosec B608
PAGE = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>floor</title></head>'
    '<body><form method="post"><input name="csrf_token" type="hidden" value="{token}">'
    '<input name="ticket" type="hidden" value="{ticket}"><p>{filler}</p></form></body></html>'
)


def floor_engine(url: str) -> Engine:
    """An engine on the survey's database, SQLite in WAL mode as the survey uses it."""
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url)
    engine = create_engine(url, connect_args={"timeout": 10})
    event.listen(engine, "connect", _wal)
    return engine


def _wal(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA journal_mode=WAL")


def create_table(url: str) -> None:
    """The floor's table, beside the survey's (the benchmark makes it before either starts)."""
    engine = floor_engine(url)
    key = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as connection:
        connection.execute(
            text(f"CREATE TABLE {TABLE} (id {key} PRIMARY KEY, receipt TEXT UNIQUE, body TEXT)")
        )
    engine.dispose()


def floor_app() -> Flask:
    """The do-nothing app: a token in the session, a page, a check and an INSERT."""
    app = Flask("floor")
    app.secret_key = os.environ["SECRET_KEY"]
    engine = floor_engine(os.environ["DATABASE_URL"])
    size = int(os.environ.get("YITI_FLOOR_PAGE_BYTES", "30000"))
    filler = "x" * max(0, size - len(PAGE) - 120)  # 120: the token and ticket, about

    @app.get("/")
    def up() -> str:
        return "ok"

    @app.get("/<slug>/<wave>/")
    def blank(slug: str, wave: str) -> ResponseReturnValue:
        token = session.setdefault("csrf", secrets.token_hex(20))
        return PAGE.format(token=token, ticket=secrets.token_hex(16), filler=filler)

    @app.post("/<slug>/<wave>/")
    def answer(slug: str, wave: str) -> ResponseReturnValue:
        sent, kept = request.form.get("csrf_token", ""), session.get("csrf", "")
        if not kept or not hmac.compare_digest(sent, kept):
            abort(400)
        receipt = secrets.token_hex(5)
        body = json.dumps(request.form.to_dict(flat=False), ensure_ascii=False)
        with engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.execute(INSERT, {"receipt": receipt, "body": body})
        return redirect(f"/{slug}/{wave}/thanks/{receipt}/", 303)

    return app
