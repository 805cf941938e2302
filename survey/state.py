"""What one app instance holds: its content, its database and its clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app

from generator.loader import Content
from survey.db import Database

EXTENSION = "yiti_survey"


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class AppState:
    """Loaded once in `create_app`; tests pass their own clock."""

    content: Content
    db: Database
    clock: Callable[[], datetime] = utc_now


def current_state() -> AppState:
    """The running app's state."""
    state: AppState = current_app.extensions[EXTENSION]
    return state
