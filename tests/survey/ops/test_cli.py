"""`backup FILE` and `restore FILE` as commands: the database option, confirmation, errors."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from generator.cli import main as yiti_main
from survey.ops.cli import COMMANDS
from survey.storage.db import Database
from tests.survey.ops.conftest import fill, rows


@pytest.fixture
def runner() -> CliRunner:
    """A click runner."""
    return CliRunner()


@pytest.fixture
def survey() -> click.Group:
    """A `yiti survey`-like group with the ops commands registered, as survey/cli/main.py will."""
    group = click.Group("survey")
    for command in COMMANDS:
        group.add_command(command)
    return group


def test_backup_then_restore_gives_back_every_row(
    runner: CliRunner, survey: click.Group, store: Database, tmp_path: Path
) -> None:
    before, file = rows(store), tmp_path / "survey.backup"
    done = runner.invoke(survey, ["backup", str(file), "--database", store.url])
    assert done.exit_code == 0, done.output
    assert f"到 {file}" in done.output
    fill(store, first=10, count=1)
    back = runner.invoke(survey, ["restore", str(file), "--database", store.url, "--yes"])
    assert back.exit_code == 0, back.output
    assert "yiti survey upgrade" in back.output
    assert rows(store) == before


def test_a_backup_restores_into_a_fresh_database_and_the_live_one_is_untouched(
    runner: CliRunner, survey: click.Group, store: Database, fresh: str, tmp_path: Path
) -> None:
    """The guide's way to test a backup: `restore --database` a new, empty database."""
    backed_up, file = rows(store), tmp_path / "survey.backup"
    runner.invoke(survey, ["backup", str(file), "--database", store.url])
    fill(store, first=10, count=1)  # the live database moves on
    live = rows(store)
    back = runner.invoke(survey, ["restore", str(file), "--database", fresh, "--yes"])
    assert back.exit_code == 0, back.output
    copy = Database(fresh)
    try:
        assert rows(copy) == backed_up
    finally:
        copy.dispose()
    assert rows(store) == live != backed_up


def test_the_database_comes_from_database_url(
    runner: CliRunner,
    survey: click.Group,
    store: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", store.url)
    done = runner.invoke(survey, ["backup", str(tmp_path / "survey.backup")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "survey.backup").stat().st_size > 0


def test_restore_asks_first_and_a_no_changes_nothing(
    runner: CliRunner, survey: click.Group, store: Database, tmp_path: Path
) -> None:
    file = tmp_path / "survey.backup"
    runner.invoke(survey, ["backup", str(file), "--database", store.url])
    fill(store, first=10, count=1)
    before = rows(store)
    answer = runner.invoke(survey, ["restore", str(file), "--database", store.url], input="n\n")
    assert answer.exit_code == 1
    assert "覆盖" in answer.output
    assert rows(store) == before


def test_a_missing_backup_file_is_an_error_naming_it(
    runner: CliRunner, survey: click.Group, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    missing = tmp_path / "nowhere.backup"
    result = runner.invoke(survey, ["restore", str(missing), "--database", database, "--yes"])
    assert result.exit_code == 1
    assert f"{missing} 不存在" in result.output
    assert "Traceback" not in result.output


def test_backup_and_restore_are_yiti_survey_commands() -> None:
    """The deployment docs and the backup timer call them as `yiti survey backup|restore`."""
    for command in ("backup", "restore"):
        result = CliRunner().invoke(yiti_main, ["survey", command, "--help"])
        assert result.exit_code == 0, result.output
        assert "FILE" in result.output


def test_backup_in_production_without_a_database_url_is_a_clear_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DATABASE_URL", "YITI_DATABASE_URL", "SECRET_KEY", "YITI_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("YITI_ENV", "production")
    result = runner.invoke(yiti_main, ["survey", "backup", str(tmp_path / "b.sqlite3")])
    assert result.exit_code == 1
    assert "DATABASE_URL" in result.output and "Traceback" not in result.output
