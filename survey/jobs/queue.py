"""Which Huey queue a configuration means: one name, several storages, chosen by URL."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from huey import Huey, MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from generator.errors import YitiError

NAME: Final = "yiti"
IMMEDIATE: Final = "immediate"  # tests: a task runs inside the call that enqueues it
TABLE_PREFIX: Final = "yiti_queue"  # Huey's own tables in the survey's PostgreSQL
APPLICATION_NAME: Final = "yiti-queue"  # its connections, as pg_stat_activity names them


class QueueConfigError(YitiError):
    """YITI_QUEUE_URL (or the DATABASE_URL it defaults to) names no queue we can use."""


def queue_url(config: Mapping[str, Any]) -> str:
    """YITI_QUEUE_URL, or by default the survey's own database (its PostgreSQL, or a SQLite
    file beside its SQLite file), so a laptop and a single server need nothing more."""
    chosen = config.get("YITI_QUEUE_URL")
    if chosen:
        return str(chosen)
    database = make_url(str(config["DATABASE_URL"]))
    if database.get_backend_name() != "sqlite":
        return str(config["DATABASE_URL"])
    if not database.database or database.database == ":memory:":
        return IMMEDIATE  # no file to share with a worker: build at once, in the caller
    return f"sqlite:///{Path(database.database).with_suffix('.queue.sqlite3')}"


def make_queue(url: str) -> Huey:
    """The Huey instance for `url`. PostgreSQL and SQLite create Huey's tables on first use."""
    backend = queue_backend(url)
    if backend == IMMEDIATE:
        return MemoryHuey(NAME, immediate=True)
    parsed = make_url(url)
    if backend == "redis":
        return RedisHuey(NAME, url=url)
    if backend == "postgresql":
        dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresHuey(
            NAME, dsn=dsn, table_prefix=TABLE_PREFIX, application_name=APPLICATION_NAME
        )
    assert parsed.database  # queue_backend checked it
    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(NAME, filename=parsed.database)


def queue_backend(url: str) -> str:
    """immediate, redis, postgresql or sqlite; QueueConfigError (naming the setting) for any
    other URL. Checked when the app starts, though the queue is only made on first use."""
    if url == IMMEDIATE:
        return IMMEDIATE
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise QueueConfigError(f"YITI_QUEUE_URL 无法识别：{url!r}（{exc}）") from exc
    backend = parsed.get_backend_name()
    if backend in ("redis", "rediss"):
        return "redis"
    if backend == "postgresql" or (backend == "sqlite" and parsed.database):
        return backend
    raise QueueConfigError(
        f"YITI_QUEUE_URL 不支持：{url!r}；请用 postgresql://…、redis://… 或 sqlite:///文件路径"
    )
