"""Which queue a configuration means."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from huey import MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey

from survey.jobs.cli import worker
from survey.jobs.queue import IMMEDIATE, QueueConfigError, make_queue, queue_url
from tests.conftest import CONTENT
from tests.survey.conftest import Clock, make_app


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


def test_the_app_refuses_to_start_with_a_queue_url_it_cannot_use(
    tmp_path: Path, clock: Clock
) -> None:
    url = f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    with pytest.raises(QueueConfigError, match="YITI_QUEUE_URL 不支持：'mysql://x@y/z'"):
        make_app(url, tmp_path, clock, YITI_QUEUE_URL="mysql://x@y/z")


def test_the_worker_command_names_a_bad_queue_url_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'survey.sqlite3'}")
    monkeypatch.setenv("YITI_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("YITI_CONTENT_DIR", str(CONTENT))
    monkeypatch.setenv("YITI_QUEUE_URL", "ftp://queue.example")
    result = CliRunner().invoke(worker, [])
    assert result.exit_code == 1 and "YITI_QUEUE_URL 不支持" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
