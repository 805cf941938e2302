"""`yiti survey publish-export` and `yiti survey purge`: the admin's acts that run on a server.

publish-export turns the published waves (the `publications` table, written from the admin
page) into reviewed files under content/results/, which `yiti build` reads; purge deletes
responses past the retention period set in content.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from generator.cli import CONTENT_OPTION
from generator.content.loader import Content
from generator.content.published import PublishedTopic, PublishedWave, dump, results_dir
from survey.cli.options import DATABASE_OPTION, content, database, shown
from survey.fieldwork import purge as phone_purge
from survey.staff.admin.store import publications
from survey.storage import retention
from survey.storage.audit import cli_actor
from survey.storage.db import Database
from survey.waves import local_time, wave_name


@click.command("publish-export")
@DATABASE_OPTION
@CONTENT_OPTION
def publish_export(database_url: str | None, content_dir: Path) -> None:
    """Write each published wave's results to content/results/<wave>.yml for `yiti build`.

    Files of waves no longer published are removed. Review and commit the changes, then build
    the site: the public pages change only through reviewed files.
    """
    content(content_dir)  # the files are checked against the calendar and topics by build
    folder = results_dir(content_dir)
    with database(database_url) as db:
        published = publications(db)
        wanted = {
            wave: PublishedWave(
                wave=wave,
                # SQLite hands times back without their zone; they are stored in UTC.
                published_at=p.published_at.replace(tzinfo=p.published_at.tzinfo or UTC),
                topics={s: PublishedTopic.model_validate(r) for s, r in p.results.items()},
            )
            for wave, p in published.items()
        }
        source = shown(db)
    changes = _sync(folder, {wave: dump(w) for wave, w in wanted.items()})
    click.echo(f"已发布的批次 {len(wanted)} 个（来自 {source}）")
    for line in changes or ["content/results/ 已是最新，没有变化"]:
        click.echo(line)


def _sync(folder: Path, texts: dict[str, str]) -> list[str]:
    """Make `folder` hold exactly `texts` (wave → file text); what changed, one line each."""
    folder.mkdir(parents=True, exist_ok=True)
    changes = []
    for wave, text in sorted(texts.items()):
        path = folder / f"{wave}.yml"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changes.append(f"写入 {path}")
    for path in sorted(folder.glob("*.yml")):
        if path.stem not in texts:
            path.unlink()
            changes.append(f"删除 {path}（该批次已撤回）")
    return changes


@click.command()
@click.option(
    "--older-than",
    "older_than",
    help="Delete waves that closed longer ago than this: 3y, 36m (default: retention_years).",
)
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@DATABASE_OPTION
@CONTENT_OPTION
def purge(
    older_than: str | None, dry_run: bool, yes: bool, database_url: str | None, content_dir: Path
) -> None:
    """Delete responses (with their exclusions and invitation codes) past the retention period,
    and the phones of every telephone fieldwork that has been closed.

    The period is content/site.yml `retention_years`, which the privacy notice promises;
    --older-than may lengthen it, never shorten it. Published aggregates, fieldwork cases and
    calls (without phones) and the audit log stay; the purge is recorded in the audit log.
    """
    loaded = content(content_dir)
    months = _months(loaded, older_than)
    at = retention.now()
    with database(database_url) as db:
        for wave in retention.unknown_waves(db, loaded.site):
            click.echo(f"注意：批次 {wave} 不在 site.yml 的调查日历中，其答卷不会被删除", err=True)
        due = retention.plan(db, retention.due_waves(loaded.site, at, months))
        phones = phone_purge.plan(db)
        if not due:
            click.echo(f"没有结束超过 {_period(months)} 的批次答卷，无需删除")
        else:
            _show(due, months, dry_run)
        _show_phones(phones, dry_run)
        if dry_run or not (due or phones.due):
            return
        if not yes:
            click.confirm("确定永久删除以上答卷或号码吗？此操作无法撤销", abort=True)
        if due:
            _run(db, loaded, due, months, at)
        if phones.due:
            removed = phone_purge.purge_phones(db, phones.due, at, cli_actor())
            click.echo(f"已删除电话调查号码 {removed} 个（访问记录与结果保留）；已记入审计日志")


def _months(loaded: Content, older_than: str | None) -> int:
    """The period to purge at, in months: refused if shorter than content's.

    Content loading already refused a privacy notice that promises another period (or none).
    """
    years = loaded.site.retention_years
    try:
        months = retention.months_of(older_than) if older_than else years * 12
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--older-than") from None
    if months < years * 12:
        raise click.ClickException(
            f"--older-than {older_than} 短于内容规定的保存期限 {years} 年"
            "（content/site.yml retention_years，隐私说明向受访者承诺了这一期限）；拒绝删除"
        )
    return months


def _show(due: list[retention.Due], months: int, dry_run: bool) -> None:
    head = "将删除（试运行，未做任何修改）" if dry_run else "将删除"
    click.echo(f"{head}：结束超过 {_period(months)} 的批次")
    for d in due:
        closed = local_time(d.closes)
        click.echo(f"  {wave_name(d.wave)}（{d.wave}，{closed} 结束）：答卷 {d.total} 份")
        for topic, n in d.responses.items():
            click.echo(f"    {topic}：{n} 份")
        click.echo(f"    排除记录 {d.exclusions} 条，邀请码 {d.invitations} 个")


def _show_phones(phones: phone_purge.PhonePlan, dry_run: bool) -> None:
    """Fieldwork phones that go (closed waves) and those kept (calling still open)."""
    for topic, wave in phones.still_open:
        click.echo(
            f"注意：{topic} {wave} 的电话调查仍在进行，号码不删除"
            f"（结束后再删除：yiti survey fieldwork close --topic {topic} --wave {wave}）"
        )
    if phones.due:
        head = "将删除（试运行，未做任何修改）" if dry_run else "将删除"
        click.echo(f"{head}：电话调查已结束的批次的号码（访问记录与结果保留）")
    for item in phones.due:
        click.echo(
            f"  {item.topic} {item.wave}（{local_time(item.closed_at)} 结束）：号码 {item.phones} 个"
        )


def _run(
    db: Database, loaded: Content, due: list[retention.Due], months: int, at: datetime
) -> None:
    detail = {"older_than_months": months, "retention_years": loaded.site.retention_years}
    deleted = retention.purge(db, due, cli_actor(), at, detail)
    click.echo(
        f"已删除答卷 {deleted['responses']} 份、排除记录 {deleted['exclusions']} 条、"
        f"邀请码 {deleted['invitations']} 个；已记入审计日志"
    )


def _period(months: int) -> str:
    return f"{months // 12} 年" if months % 12 == 0 else f"{months} 个月"
