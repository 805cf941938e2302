"""`yiti survey …`: create and upgrade the database, mint invitation codes, freeze questionnaires."""

from __future__ import annotations

import csv
import os
import zlib
from datetime import UTC, datetime
from pathlib import Path

import click

from generator.cli import CONTENT_OPTION
from generator.content.loader import Content
from generator.content.models import Topic
from generator.content.questionnaires import QUESTIONNAIRES_DIR
from generator.content.questionnaires import freeze as freeze_versions
from generator.errors import ContentError
from survey.cli.admin import publish_export, purge
from survey.cli.options import DATABASE_OPTION, content, content_problems, database, shown
from survey.cli.sample import sample_responses, sample_targets, store_sample
from survey.cli.users import user
from survey.fieldwork.cli import fieldwork, frame
from survey.fieldwork.commands import cipher as fieldwork_cipher
from survey.fieldwork.commands import refused
from survey.fieldwork.sample_data import store_sample_fieldwork
from survey.fieldwork.samplecli import sample
from survey.jobs.cli import worker
from survey.ops.cli import COMMANDS as OPS_COMMANDS
from survey.storage.audit import append, cli_actor
from survey.storage.migrate import current_revision, has_tables
from survey.storage.migrate import upgrade as upgrade_schema
from survey.storage.repository import count_responses, create_invitations, invitation_counts


@click.group()
def survey() -> None:
    """The satisfaction survey: database, invitation codes, questionnaire freezing."""


@survey.command("init-db")
@DATABASE_OPTION
def init_db(database_url: str | None) -> None:
    """Create the survey tables in an empty database (SQLite under instance/ by default)."""
    with database(database_url) as db:
        if has_tables(db):
            revision = current_revision(db)
            click.echo(f"数据库已初始化（版本 {revision}）；要升级请运行 yiti survey upgrade")
            return
        upgrade_schema(db)
        click.echo(f"已创建调查数据库（版本 {current_revision(db)}）：{shown(db)}")


@survey.command()
@DATABASE_OPTION
def upgrade(database_url: str | None) -> None:
    """Create or upgrade the survey tables to the latest migration, saying which it did."""
    with database(database_url) as db:
        before = current_revision(db)
        upgrade_schema(db)
        click.echo(f"{_upgraded(before, current_revision(db))}：{shown(db)}")


def _upgraded(before: str | None, after: str | None) -> str:
    """What `upgrade` did, for the operator who runs it by hand or from a deploy script."""
    if before is None:
        return f"已创建调查数据库的全部表（版本 {after}）"
    if before != after:
        return f"已把调查数据库从版本 {before} 升级到 {after}"
    return f"调查数据库已是最新版本（{after}），未做改动"


@survey.command()
@click.option("--topic", required=True, help="Topic slug, e.g. ebike-charging.")
@click.option("--wave", required=True, help="Wave id, e.g. 2026-end.")
@click.option("--count", required=True, type=click.IntRange(1, 200_000), help="How many codes.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV to write (default: invitations-<topic>-<wave>-<time>.csv).",
)
@DATABASE_OPTION
@CONTENT_OPTION
def invite(
    topic: str,
    wave: str,
    count: int,
    out: Path | None,
    database_url: str | None,
    content_dir: Path,
) -> None:
    """Write COUNT single-use invitation codes for one topic and wave to a CSV.

    Only a hash of each code is stored, and using a code records only that it was used, never
    which response used it. Keep the CSV safe: it is the only copy of the codes.
    """
    _require_invitation_wave(content_dir, topic, wave)
    batch = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out or Path(f"invitations-{topic}-{wave}-{batch}.csv")
    try:  # the CSV is the only copy of the codes: never overwrite one
        handle = path.open("x", encoding="utf-8", newline="")
    except FileExistsError:
        raise click.ClickException(f"{path} 已存在；邀请码文件是唯一副本，不会覆盖") from None
    except OSError as exc:  # a missing folder, no permission: before any code is made
        raise click.ClickException(
            f"{path}：无法创建（{exc.strerror}）；请检查 --out 的目录"
        ) from None
    with handle, database(database_url) as db:
        codes = create_invitations(db, topic, wave, count, batch)
        detail = {"count": count, "batch": batch, "file": str(path)}
        append(
            db,
            datetime.now(UTC),
            cli_actor(),
            "invitations.create",
            target=f"{topic}/{wave}",
            detail=detail,
        )
        writer = csv.writer(handle)
        writer.writerow(["code", "topic", "wave", "batch"])
        writer.writerows([code, topic, wave, batch] for code in codes)
        counts = invitation_counts(db, topic, wave)
    issued = f"该批次共发出 {counts['issued']} 个，已用 {counts['used']} 个"
    click.echo(f"已写入 {count} 个邀请码：{path}（{issued}）")


def _require_invitation_wave(content_dir: Path, topic: str, wave: str) -> None:
    loaded = content(content_dir)
    running = [t for t in loaded.topics if wave in t.waves]
    if topic not in {t.slug for t in running}:
        raise click.ClickException(_not_running(loaded, topic, wave, running))
    questionnaire = loaded.questionnaires.for_wave(topic, wave)
    if questionnaire is None:
        raise click.ClickException(f"议题 {topic} 在 {wave} 没有问卷（请检查 slug 和批次）")
    if questionnaire.access != "invitation":
        raise click.ClickException(
            f"{topic} 在 {wave} 是开放式调查，不使用邀请码；要用邀请码，请在 "
            f"{content_dir}/{QUESTIONNAIRES_DIR}/topics/{topic}.yml 中写 access: invitation"
        )


def _not_running(loaded: Content, topic: str, wave: str, running: list[Topic]) -> str:
    """Why TOPIC cannot have codes for WAVE, and which topics can."""
    known = any(t.slug == topic for t in loaded.topics)
    problem = f"议题 {topic} 不参加 {wave} 调查" if known else f"没有议题 {topic}"
    if not running:
        return f"{problem}；{wave} 没有任何议题参加调查（见 content/site.yml 和各议题的 waves）"
    names = "、".join(f"{t.slug}（{t.title}）" for t in running)
    return f"{problem}。{wave} 进行调查的议题：{names}"


@survey.command("sample-data")
@click.option(
    "--count", default=1200, type=click.IntRange(1, 1_000_000), help="Responses per topic."
)
@click.option("--if-empty", is_flag=True, help="Do nothing if the database holds any response.")
@DATABASE_OPTION
@CONTENT_OPTION
def sample_data(count: int, if_empty: bool, database_url: str | None, content_dir: Path) -> None:
    """Store synthetic responses (channel `sample`) for every topic with a questionnaire,
    and a synthetic telephone frame (138-0000-xxxx, flagged sample) for one topic's current
    wave, opened, drawn and with its first replicate released.

    For demos and training (`make run` calls it with --if-empty): results pages, downloads and
    interviewers have something to work with. Refused with YITI_ENV=production.
    """
    if os.environ.get("YITI_ENV") == "production":
        raise click.ClickException("YITI_ENV=production 下不能写入示例答卷")
    loaded = content(content_dir)
    now = datetime.now(UTC)
    with database(database_url) as db:
        if if_empty and count_responses(db):
            click.echo("数据库中已有答卷，未写入示例答卷")
        else:
            for questionnaire in sample_targets(loaded, now):
                seed = zlib.crc32(f"{questionnaire.topic}/{questionnaire.wave}".encode())
                made = sample_responses(loaded, questionnaire, count, now, seed)
                stored = store_sample(db, made)
                click.echo(
                    f"已写入示例答卷 {stored} 份：{questionnaire.topic} {questionnaire.wave}"
                )
        # The telephone sample is idempotent by itself (a wave with fieldwork is left alone).
        with refused():
            said = store_sample_fieldwork(db, fieldwork_cipher(), loaded, now, cli_actor())
        click.echo(said or "示例电话调查已存在（或没有进行中的批次），未改动")


@survey.command()
@CONTENT_OPTION
def freeze(content_dir: Path) -> None:
    """Record the fingerprint of every questionnaire version whose wave has opened.

    Run it when a wave opens and commit content/questionnaires/frozen.yml; from then on
    `yiti check` refuses any change to those versions.
    """
    try:
        added = freeze_versions(content_dir, datetime.now(UTC))
    except ContentError as exc:
        raise content_problems(exc) from exc
    click.echo(f"新冻结：{'、'.join(added)}" if added else "没有需要新冻结的版本")


# Backup and restore live in survey/ops (deployment tooling), under the same `yiti survey`.
for _command in OPS_COMMANDS:
    survey.add_command(_command)
survey.add_command(user)
survey.add_command(publish_export)
survey.add_command(purge)
survey.add_command(worker)
survey.add_command(frame)
survey.add_command(fieldwork)
survey.add_command(sample)
