"""`yiti survey frame|fieldwork|sample …`: a wave's telephone fieldwork from the command line.

    frame import FILE       the evaluator's list of contacts → encrypted cases
    fieldwork open|close    calling hours and attempt cap; closing makes phones purgeable
    fieldwork status        settings, cases by district and status, quotas
    fieldwork new-key       a key for YITI_FIELDWORK_KEY
    (sample draw|release    the stratified sample: survey.fieldwork.samplecli)

Errors become exit status 1 with the reason in Chinese here and nowhere else.
"""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli import CONTENT_OPTION
from survey.cli.options import DATABASE_OPTION, content, database
from survey.fieldwork import settings as fieldwork_settings
from survey.fieldwork.commands import TOPIC, WAVE, cipher, now, refused
from survey.fieldwork.crypto import ENV, new_key
from survey.fieldwork.frame import load_mapping, read_chunks
from survey.fieldwork.importer import Counts, Target, import_frame, new_batch
from survey.storage.audit import cli_actor


@click.group()
def frame() -> None:
    """The sample frame: the evaluator's list of contacts for a topic's wave."""


@frame.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@TOPIC
@WAVE
@click.option(
    "--mapping",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="YAML file mapping the file's column names to fields (contact_id, phone, district, "
    "street).",
)
@click.option("--encoding", help="CSV text encoding (default: detected; e.g. gb18030, utf-8).")
@click.option("--rejects", type=click.Path(path_type=Path, dir_okay=False), help="Rejects CSV.")
@DATABASE_OPTION
@CONTENT_OPTION
def import_command(
    file: Path,
    topic: str,
    wave: str,
    mapping: Path | None,
    encoding: str | None,
    rejects: Path | None,
    database_url: str | None,
    content_dir: Path,
) -> None:
    """Import FILE (CSV in UTF-8 or GB18030, or XLSX) as TOPIC's frame for WAVE.

    One row per contact: id, phone, district, street (optional), other columns kept as
    attributes. Phones are stored encrypted; repeats of an id or a phone keep the first row;
    bad rows go to a rejects file with their row numbers. Importing a file again adds nothing.
    """
    loaded = content(content_dir)
    at = now()
    target = Target(topic, wave, new_batch(at))
    rejects_file = rejects or file.with_name(f"{file.stem}-rejects-{at:%Y%m%d-%H%M%S}.csv")
    detail = {"file": file.name, "mapping": mapping.name if mapping else None}
    with refused(), database(database_url) as db:
        columns = load_mapping(mapping) if mapping else None
        counts = import_frame(
            db,
            cipher(),
            loaded,
            target,
            read_chunks(file, columns, encoding),
            rejects_file,
            (at, cli_actor(), detail),
        )
    click.echo(summary(counts))
    if counts.rejected:
        click.echo(f"不合格的行（行号与原因，电话已隐去中间四位）已写入 {rejects_file}")


def summary(counts: Counts) -> str:
    """What an import did, in one line a person can check against the file."""
    return (
        f"读取 {counts.read:,} 行：新存入 {counts.stored:,} 个联系人，之前已导入 "
        f"{counts.already_stored:,} 个，重复 {counts.duplicates:,} 行（同编号或同号码，"
        f"保留第一次出现的行），空行 {counts.blank:,} 行，不合格 {counts.rejected:,} 行"
    )


@click.group()
def fieldwork() -> None:
    """Telephone fieldwork: the phone key, opening and closing a wave's calling."""


@fieldwork.command("new-key")
def new_key_command() -> None:
    """Print a new random key for YITI_FIELDWORK_KEY (the phones' encryption key).

    Set it once, on every server, and keep it: phones imported with one key cannot be read
    with another.
    """
    click.echo(f"{ENV}={new_key()}")


@fieldwork.command("open")
@TOPIC
@WAVE
@click.option(
    "--hours",
    default=fieldwork_settings.DEFAULT_HOURS,
    show_default=True,
    help="Calling hours, Beijing time.",
)
@click.option(
    "--max-attempts",
    "attempts",
    type=int,
    default=fieldwork_settings.DEFAULT_ATTEMPTS,
    show_default=True,
    help="Calls per case at most.",
)
@DATABASE_OPTION
@CONTENT_OPTION
def open_command(
    topic: str, wave: str, hours: str, attempts: int, database_url: str | None, content_dir: Path
) -> None:
    """Open TOPIC's calling for WAVE (again: change its hours or attempt cap)."""
    loaded = content(content_dir)
    with refused(), database(database_url) as db:
        fieldwork_settings.require_topic_wave(loaded, topic, wave)
        row = fieldwork_settings.open_fieldwork(
            db, topic, wave, hours, attempts, now(), cli_actor()
        )
    click.echo(
        f"{topic} {wave} 电话调查已开始：拨打时间 {row.calling_from}-{row.calling_until}"
        f"（北京时间），每个号码最多拨打 {row.max_attempts} 次"
    )


@fieldwork.command("close")
@TOPIC
@WAVE
@DATABASE_OPTION
def close_command(topic: str, wave: str, database_url: str | None) -> None:
    """Close TOPIC's calling for WAVE; its phones can then be deleted by `yiti survey purge`."""
    with refused(), database(database_url) as db:
        unresolved = fieldwork_settings.close_fieldwork(db, topic, wave, now(), cli_actor())
    click.echo(
        f"{topic} {wave} 电话调查已结束（仍在拨打中的样本 {unresolved} 个不再发放）；"
        "运行 yiti survey purge 删除该批次的电话号码"
    )


@fieldwork.command("status")
@TOPIC
@WAVE
@DATABASE_OPTION
@CONTENT_OPTION
def status_command(topic: str, wave: str, database_url: str | None, content_dir: Path) -> None:
    """Show TOPIC's fieldwork settings for WAVE and its cases by district and status."""
    order = [d.name for d in content(content_dir).directory.districts]
    with refused(), database(database_url) as db:
        found = fieldwork_settings.status(db, topic, wave)
    for line in status_lines(topic, wave, found, order):
        click.echo(line)


STATES = ("frame", "drawn", "released", "held", "final")
STATE_LABELS = {
    "frame": "未抽中",
    "drawn": "已抽未发放",
    "released": "已发放",
    "held": "拨打中",
    "final": "已结案",
}


def status_lines(
    topic: str, wave: str, found: fieldwork_settings.Status, order: list[str]
) -> list[str]:
    """The status report: settings, then one line per district with its counts and quota."""
    row = found.wave
    if row is None:
        head = f"{topic} {wave}：电话调查尚未开始"
    else:
        state = "已结束" if row.closed_at else "进行中"
        purged = "，号码已删除" if row.purged_at else ""
        seed = f"，抽样种子 {row.seed}" if row.seed is not None else ""
        head = (
            f"{topic} {wave}：电话调查{state}{purged}；拨打时间 {row.calling_from}-"
            f"{row.calling_until}，最多拨打 {row.max_attempts} 次{seed}"
        )
    lines = [head, "区\t" + "\t".join(STATE_LABELS[s] for s in STATES) + "\t配额（完成数）"]
    totals = dict.fromkeys(STATES, 0)
    for district in [d for d in order if d in found.counts or d in found.quotas]:
        counts = found.counts.get(district, {})
        for state in STATES:
            totals[state] += counts.get(state, 0)
        cells = [str(counts.get(s, 0)) for s in STATES]
        lines.append("\t".join([district, *cells, str(found.quotas.get(district, "-"))]))
    quota = sum(found.quotas.values())
    lines.append("\t".join(["合计", *(str(totals[s]) for s in STATES), str(quota or "-")]))
    return lines
