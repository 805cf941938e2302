"""`yiti survey …`: database creation and migrations, invitation codes, freezing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import delete, inspect, text
from sqlalchemy.exc import DatabaseError

from survey.cli.main import survey
from survey.fieldwork import tables as fieldwork_tables  # noqa: F401  (registers the fieldwork tables)
from survey.storage.audit import append
from survey.storage.db import Database
from survey.storage.migrate import alembic_config, upgrade
from survey.storage.models import AuditEntry, Base
from survey.storage.repository import count_responses, invitation_counts
from tests.conftest import CONTENT
from tests.survey.conftest import INVITED_TOPIC, NOW, TOPIC, WAVE


@pytest.fixture
def runner() -> CliRunner:
    """A click runner."""
    return CliRunner()


def test_init_db_creates_the_latest_schema_matching_the_models(
    runner: CliRunner, database_url: str
) -> None:
    result = runner.invoke(survey, ["init-db", "--database", database_url])
    assert result.exit_code == 0, result.output
    assert "已创建调查数据库（版本 0005）" in result.output
    db = Database(database_url)
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    assert count_responses(db) == 0
    db.dispose()
    again = runner.invoke(survey, ["init-db", "--database", database_url])
    assert again.exit_code == 0 and "数据库已初始化（版本 0005）" in again.output


def test_the_migrated_audit_log_stays_append_only(migrated_db: Database) -> None:
    """Later migrations that touch audit_log (an index) must not rebuild it without triggers."""
    append(migrated_db, NOW, "a@example.org", "download")
    with pytest.raises(DatabaseError, match="append-only"), migrated_db.engine.begin() as c:
        c.execute(delete(AuditEntry))


def test_upgrade_is_safe_to_repeat_and_says_what_it_did(runner: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    said = [runner.invoke(survey, ["upgrade", "--database", url]) for _ in range(2)]
    assert [result.exit_code for result in said] == [0, 0], said[0].output + said[1].output
    assert "已创建调查数据库的全部表（版本 0005）" in said[0].output
    assert "已是最新版本（0005），未做改动" in said[1].output


def test_upgrade_names_the_versions_it_went_from_and_to(
    runner: CliRunner, database_url: str
) -> None:
    db = Database(database_url)
    upgrade(db, "0002")
    db.dispose()
    result = runner.invoke(survey, ["upgrade", "--database", database_url])
    assert result.exit_code == 0, result.output
    assert "已把调查数据库从版本 0002 升级到 0005" in result.output


def test_the_throttle_migration_keeps_accounts_and_can_be_undone(database_url: str) -> None:
    """0004 replaces the lockout columns with the login_throttle table; accounts survive."""
    db = Database(database_url)
    upgrade(db, "0003")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (email, role, topics, password_hash, session_token, active,"
                " failed_logins, locked_until, created_at) VALUES ('a@example.org', 'admin',"
                " '[]', 'x', 't', true, 4, NULL, '2026-11-27 04:00:00')"
            )
        )
    upgrade(db)
    columns = {c["name"] for c in inspect(db.engine).get_columns("users")}
    assert {"failed_logins", "locked_until"}.isdisjoint(columns)
    assert "login_throttle" in inspect(db.engine).get_table_names()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT email FROM users")).scalar() == "a@example.org"
    with db.engine.begin() as connection:
        config = alembic_config(db)
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    assert "login_throttle" not in inspect(db.engine).get_table_names()
    db.dispose()


def test_the_default_database_is_sqlite_in_wal_mode_under_instance(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("YITI_INSTANCE_DIR", raising=False)
    result = runner.invoke(survey, ["upgrade"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "instance" / "survey.sqlite3"
    db = Database(f"sqlite:///{path}")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    db.dispose()


def test_invite_writes_single_use_codes_to_a_csv(
    runner: CliRunner, tmp_path: Path, database_url: str
) -> None:
    runner.invoke(survey, ["init-db", "--database", database_url])
    out = tmp_path / "codes.csv"
    args = ["invite", "--topic", INVITED_TOPIC, "--wave", WAVE, "--count", "25"]
    result = runner.invoke(survey, [*args, "--out", str(out), "--database", database_url])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len({r["code"] for r in rows}) == 25
    assert {(r["topic"], r["wave"]) for r in rows} == {(INVITED_TOPIC, WAVE)}
    db = Database(database_url)
    assert invitation_counts(db, INVITED_TOPIC, WAVE) == {"issued": 25, "used": 0}
    db.dispose()


def test_invite_refuses_an_open_survey_and_an_unknown_one(
    runner: CliRunner, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    for topic, wave, said in [
        (TOPIC, WAVE, "是开放式调查，不使用邀请码"),
        ("prepaid-refunds", "2021-end", "没有问卷"),  # a 2021 topic: no questionnaire then
    ]:
        args = ["invite", "--topic", topic, "--wave", wave, "--count", "1"]
        result = runner.invoke(survey, [*args, "--database", url, "--content", str(CONTENT)])
        assert result.exit_code == 1 and said in result.output


def test_invite_for_an_unknown_topic_says_so_and_lists_the_topics_of_the_wave(
    runner: CliRunner, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    args = ["invite", "--topic", "no-such-topic", "--wave", WAVE, "--count", "1"]
    result = runner.invoke(survey, [*args, "--database", url, "--content", str(CONTENT)])
    assert result.exit_code == 1
    assert "没有议题 no-such-topic。2026-end 进行调查的议题：" in result.output
    assert f"{TOPIC}（电动自行车充电设置建设）" in result.output and INVITED_TOPIC in result.output
    assert "开放式" not in result.output and "no-such-topic.yml" not in result.output


def test_freeze_reports_what_it_froze(runner: CliRunner, content_dir: Path) -> None:
    (content_dir / "questionnaires" / "frozen.yml").unlink()
    result = runner.invoke(survey, ["freeze", "--content", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert "新冻结：civil-dog-keeping@1、ebike-charging@1、standard@1" in result.output
    again = runner.invoke(survey, ["freeze", "--content", str(content_dir)])
    assert "没有需要新冻结的版本" in again.output


def test_invite_never_overwrites_a_codes_file(runner: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    runner.invoke(survey, ["init-db", "--database", url])
    out = tmp_path / "codes.csv"
    out.write_text("the only copy\n", encoding="utf-8")
    args = ["invite", "--topic", INVITED_TOPIC, "--wave", WAVE, "--count", "3", "--out", str(out)]
    result = runner.invoke(survey, [*args, "--database", url])
    assert result.exit_code == 1 and "不会覆盖" in result.output
    assert out.read_text(encoding="utf-8") == "the only copy\n"


def test_invite_into_a_missing_folder_says_so_and_makes_no_code(
    runner: CliRunner, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    runner.invoke(survey, ["init-db", "--database", url])
    out = tmp_path / "no-such-folder" / "codes.csv"
    args = ["invite", "--topic", INVITED_TOPIC, "--wave", WAVE, "--count", "3", "--out", str(out)]
    result = runner.invoke(survey, [*args, "--database", url])
    assert result.exit_code == 1, result.output
    assert "无法创建" in result.output and "请检查 --out 的目录" in result.output
    db = Database(url)
    assert invitation_counts(db, INVITED_TOPIC, WAVE)["issued"] == 0
    db.dispose()
