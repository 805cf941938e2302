"""The application factory: settings, extensions, content, database, blueprints, error pages."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from generator.content.loader import load_content
from survey.abuse import csrf, limiter, storage_uri
from survey.config import instance_dir, settings
from survey.errors import register_errors
from survey.fieldwork.interviewers import interviewers
from survey.fieldwork.supervisors import supervisors
from survey.jobs import init_jobs
from survey.residents.pages import respondents
from survey.security import register_security_headers
from survey.staff.admin import admin
from survey.staff.auditlog import auditors
from survey.staff.downloads import downloads
from survey.staff.evaluators import evaluators
from survey.staff.login import auth
from survey.staff.sessions import init_accounts
from survey.state import EXTENSION, AppState, clock_from
from survey.storage.db import Database
from survey.templating import register_template_helpers


class RowIdConverter(IntegerConverter):
    """`<id:…>`: a row id in URLs, at most the largest INTEGER (2**31 - 1) the tables hold.

    A larger number is no row of ours: it is "not found" here, where the database would
    otherwise fail on it (PostgreSQL's integer range, SQLite's 64-bit limit) with a 500.
    """

    def __init__(self, url_map: Any) -> None:
        super().__init__(url_map, max=2**31 - 1)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the survey app: defaults, then `YITI_…` environment, then `config`.

    Content is loaded and validated once here, so a broken content folder stops the app at
    start rather than on a resident's phone. `YITI_CLOCK` (tests) replaces the clock.
    """
    instance = instance_dir(config)
    app = Flask(__name__, instance_path=str(instance))
    app.config.from_mapping(settings(instance, config))
    if app.config["YITI_PROXY_COUNT"]:
        count = int(app.config["YITI_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    content = load_content(Path(app.config["YITI_CONTENT_DIR"]))
    state = AppState(content, Database(app.config["DATABASE_URL"]), clock_from(app.config))
    app.extensions[EXTENSION] = state
    init_jobs(app)
    csrf.init_app(app)
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app.config["RATELIMIT_STORAGE_URI"])
    limiter.init_app(app)
    app.url_map.converters["id"] = RowIdConverter  # before the blueprints' routes
    init_accounts(app)
    app.register_blueprint(respondents)
    app.register_blueprint(auth)
    app.register_blueprint(downloads)
    app.register_blueprint(evaluators)
    app.register_blueprint(auditors)
    app.register_blueprint(admin)
    app.register_blueprint(interviewers)
    app.register_blueprint(supervisors)
    register_errors(app)
    register_security_headers(app)
    register_template_helpers(app)
    return app
