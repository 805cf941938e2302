"""Which queue a configuration means."""

from __future__ import annotations

from pathlib import Path

import pytest
from huey import MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey

from survey.jobs.queue import IMMEDIATE, QueueConfigError, make_queue, queue_url


def test_a_sqlite_survey_queues_in_a_file_beside_its_database(tmp_path: Path) -> None:
    url = queue_url({"DATABASE_URL": f"sqlite:///{tmp_path / 'survey.sqlite3'}"})
    assert url == f"sqlite:///{tmp_path / 'survey.queue.sqlite3'}"
    queue = make_queue(url)
    assert isinstance(queue, SqliteHuey)
    assert (tmp_path / "survey.queue.sqlite3").is_file()


def test_a_postgresql_survey_queues_in_its_own_database() -> None:
    database = "postgresql+psycopg://yiti:secret@db.internal:5432/yiti"
    assert queue_url({"DATABASE_URL": database}) == database


def test_the_postgresql_queue_connects_with_psycopgs_own_dsn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []
    monkeypatch.setattr(PostgresHuey, "__init__", lambda self, name, **kw: seen.append(kw["dsn"]))
    make_queue("postgresql+psycopg://yiti:secret@db.internal:5432/yiti")
    assert seen == ["postgresql://yiti:secret@db.internal:5432/yiti"]


def test_an_explicit_queue_url_wins_and_redis_is_understood() -> None:
    config = {"DATABASE_URL": "sqlite:///x.sqlite3", "YITI_QUEUE_URL": "redis://127.0.0.1:6379/3"}
    assert isinstance(make_queue(queue_url(config)), RedisHuey)


def test_an_in_memory_database_runs_jobs_at_once() -> None:
    assert queue_url({"DATABASE_URL": "sqlite://"}) == IMMEDIATE
    queue = make_queue(IMMEDIATE)
    assert isinstance(queue, MemoryHuey) and queue.immediate


@pytest.mark.parametrize("url", ["mysql://x@y/z", "not a url", "sqlite://"])
def test_a_queue_url_we_cannot_use_names_the_setting(url: str) -> None:
    with pytest.raises(QueueConfigError, match="YITI_QUEUE_URL"):
        make_queue(url)
