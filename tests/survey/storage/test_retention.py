"""`yiti survey purge`: responses past the retention period go; the audit log stays as it was."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from generator.content.models.site import promised_retention_years
from survey.cli.main import survey
from survey.staff.evaluators.store import Actor, exclude
from survey.storage import retention as retention
from survey.storage.audit import append
from survey.storage.db import Database
from survey.storage.models import AuditEntry, Exclusion, Invitation, Response
from survey.storage.repository import Submission, create_invitations, responses, save_response
from tests.conftest import CONTENT
from tests.survey.conftest import ANSWERS, NOW, TOPIC

OLD, RECENT = "2024-end", "2026-end"  # closed 2024-12-15 and 2026-12-15, 18:00 Beijing
OTHER = "civil-dog-keeping"
# Four years after 2024-end closed (2028-12-15 10:00 UTC), before 2026-end's three years end.
LATER = datetime(2029, 1, 10, 0, 0, tzinfo=UTC)


@pytest.fixture
def db(migrated_db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """A migrated database with responses, an exclusion and codes in an old and a recent wave,
    and audit entries; the purge runs at LATER."""
    for wave, topics in ((OLD, {TOPIC: 3, OTHER: 2}), (RECENT, {TOPIC: 4})):
        for topic, count in topics.items():
            for _ in range(count):
                store(migrated_db, topic, wave)
        create_invitations(migrated_db, OTHER, wave, 5, "batch")
    for wave in (OLD, RECENT):
        first = responses(migrated_db, TOPIC, wave)[0].id
        exclude(migrated_db, Actor("eva@example.org", NOW), TOPIC, wave, first, "重复")
    append(migrated_db, NOW, "cli:test", "user.add", target="eva@example.org")
    monkeypatch.setattr(retention, "now", lambda: LATER)
    return migrated_db


def store(db: Database, topic: str, wave: str) -> None:
    """One response stored as the collector stores it."""
    submission = Submission(
        submission_id=uuid.uuid4().hex,
        topic=topic,
        wave=wave,
        version="standard@1",
        channel="link",
        answers=dict(ANSWERS),
        submitted_at=NOW,
    )
    save_response(db, submission)


def invoke(db: Database, *args: str, content: Path = CONTENT, typed: str | None = None) -> Result:
    """`yiti survey purge ARGS` on `db`."""
    command = ["purge", *args, "--database", db.url, "--content", str(content)]
    return CliRunner().invoke(survey, command, input=typed)


def counts(db: Database) -> dict[str, dict[str, int]]:
    """Rows per wave of each table a purge may touch."""
    with db.transaction() as session:
        out = {}
        for name, model in (("responses", Response), ("invitations", Invitation)):
            rows = session.execute(select(model.wave, func.count()).group_by(model.wave))
            out[name] = {str(w): int(n) for w, n in rows}
        joined = select(Response.wave, func.count()).join(Exclusion).group_by(Response.wave)
        out["exclusions"] = {str(w): int(n) for w, n in session.execute(joined)}
    return out


def audit_rows(db: Database) -> list[tuple[int, str, str]]:
    """Every audit entry as (id, action, target)."""
    with db.transaction() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.id, e.action, e.target) for e in entries]


def test_dry_run_lists_what_would_go_and_changes_nothing(db: Database) -> None:
    before, log = counts(db), audit_rows(db)
    result = invoke(db, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "试运行" in result.output
    assert "2024 年年底（2024-end" in result.output and "答卷 5 份" in result.output
    assert f"{TOPIC}：3 份" in result.output and f"{OTHER}：2 份" in result.output
    assert "排除记录 1 条，邀请码 5 个" in result.output
    assert RECENT not in result.output
    assert counts(db) == before and audit_rows(db) == log


def test_purge_removes_exactly_the_expired_wave_and_leaves_the_log_as_it_was(
    db: Database,
) -> None:
    log = audit_rows(db)
    result = invoke(db, "--yes")
    assert result.exit_code == 0, result.output
    assert "已删除答卷 5 份、排除记录 1 条、邀请码 5 个" in result.output
    assert counts(db) == {
        "responses": {RECENT: 4},
        "invitations": {RECENT: 5},
        "exclusions": {RECENT: 1},
    }
    after = audit_rows(db)
    assert after[: len(log)] == log  # every earlier entry still there, unchanged
    [(_, action, target)] = after[len(log) :]
    assert (action, target) == ("purge", OLD)


def test_the_purge_entry_says_what_went_under_which_period_and_who(db: Database) -> None:
    invoke(db, "--older-than", "4y", "--yes")  # longer than content's 3 years: allowed
    with db.transaction() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "purge")).one()
    assert entry.actor.startswith("cli:")
    assert entry.detail["older_than_months"] == 48 and entry.detail["retention_years"] == 3
    assert entry.detail["waves"] == {
        OLD: {"responses": {OTHER: 2, TOPIC: 3}, "exclusions": 1, "invitations": 5}
    }
    assert entry.detail["deleted"] == {"responses": 5, "exclusions": 1, "invitations": 5}


def test_a_period_shorter_than_contents_is_refused(db: Database) -> None:
    before, log = counts(db), audit_rows(db)
    result = invoke(db, "--older-than", "2y", "--yes")
    assert result.exit_code != 0
    assert "短于内容规定的保存期限 3 年" in result.output
    assert counts(db) == before and audit_rows(db) == log


def test_without_confirmation_nothing_is_deleted(db: Database) -> None:
    before = counts(db)
    result = invoke(db, typed="n\n")
    assert result.exit_code != 0 and "确定永久删除" in result.output
    assert counts(db) == before


def test_a_longer_period_keeps_waves_that_are_not_yet_past_it(db: Database) -> None:
    before, log = counts(db), audit_rows(db)
    result = invoke(db, "--older-than", "5y", "--yes")  # 2024-end + 5 years: 2029-12-15
    assert result.exit_code == 0, result.output
    assert "无需删除" in result.output
    assert counts(db) == before and audit_rows(db) == log


def test_purge_refuses_while_the_privacy_notice_promises_another_period(
    db: Database, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    site = content / "site.yml"
    site.write_text(
        site.read_text(encoding="utf-8").replace("retention_years: 3", "retention_years: 2"),
        encoding="utf-8",
    )
    before = counts(db)
    result = invoke(db, "--yes", content=content)
    assert result.exit_code != 0
    assert "隐私说明承诺保存 3 年，而 site.yml 的 retention_years 是 2" in result.output
    assert counts(db) == before


def test_shipped_privacy_notice_promises_the_configured_period() -> None:
    from generator.content.loader import load_content

    content = load_content(CONTENT)
    standard = content.questionnaires.standard
    assert standard is not None
    assert promised_retention_years(standard.privacy) == content.site.retention_years


@pytest.mark.parametrize(
    ("text", "months"), [("3y", 36), ("3", 36), ("3 年", 36), ("36m", 36), ("40个月", 40)]
)
def test_periods_are_read_in_years_or_months(text: str, months: int) -> None:
    assert retention.months_of(text) == months


@pytest.mark.parametrize("text", ["0y", "three", "3w", ""])
def test_unreadable_periods_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="无法识别的期限"):
        retention.months_of(text)


def test_months_are_added_on_the_calendar() -> None:
    leap = datetime(2024, 2, 29, 10, tzinfo=UTC)
    assert retention.add_months(leap, 12) == datetime(2025, 2, 28, 10, tzinfo=UTC)
    assert retention.add_months(leap, 48) == leap.replace(year=2028)
    assert retention.add_months(datetime(2026, 1, 31, tzinfo=UTC), 1).day == 28
