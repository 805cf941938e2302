"""`yiti monitor …`: import hotline records, make synthetic ones, print the tables."""

from __future__ import annotations

from enum import IntEnum
from fractions import Fraction
from pathlib import Path

import click
import pandas as pd

from generator.cli import CONTENT_OPTION
from generator.content.loader import Content, load_content
from generator.errors import ContentError, YitiError
from generator.monitor.api import load_records, monitoring_for_site
from generator.monitor.columns import LABEL, REASON, ROW, TOPIC
from generator.monitor.importer import ImportResult, import_file
from generator.monitor.mapping import load_mapping
from generator.monitor.places import districts_frame, streets_frame
from generator.monitor.ranking import DEFAULT_TOP_N
from generator.monitor.report import (
    format_half_month,
    format_ranking,
    latest_rises,
    latest_rows,
)
from generator.monitor.store import DEFAULT_STORE
from generator.monitor.synth import build_model, chunks, write_synth
from generator.monitor.topics import rules_frame

STORE_OPTION = click.option(
    "--store",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_STORE,
    show_default=True,
    help="Folder of the record store (Parquet files).",
)
SHOWN_REJECTS = 20  # rejects printed to the terminal; all of them are in the rejects file


@click.group()
def monitor() -> None:
    """Complaint monitoring: import records, half-month volumes per topic, street ranking."""


@monitor.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--encoding", help="CSV text encoding (default: detected; e.g. gb18030, utf-8).")
@click.option(
    "--mapping",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="YAML file mapping the file's column names to fields (see content/monitoring/README.md).",
)
@click.option(
    "--rejects", type=click.Path(path_type=Path, dir_okay=False), help="Rejects CSV path."
)
@click.option(
    "--accept-rejects",
    "accepted_share",
    type=click.FloatRange(min=0, max=1),
    default=0.0,
    show_default=True,
    help="Share of rejected rows (0–1, e.g. 0.01 for 1%) that still exits 0.",
)
@STORE_OPTION
@CONTENT_OPTION
def import_command(
    file: Path,
    encoding: str | None,
    mapping: Path | None,
    rejects: Path | None,
    accepted_share: float,
    store: Path,
    content_dir: Path,
) -> None:
    """Import hotline records from FILE (CSV in UTF-8 or GB18030, XLSX or Parquet).

    Every invalid row is listed with its row number and reasons and written to a rejects file;
    request ids already stored are skipped, so importing a file twice counts nothing twice.

    \b
    Exit status, for scheduled jobs:
      0  every row accepted (stored, or stored before), or rejects within --accept-rejects
      1  nothing read: the file, its columns, the mapping or the content has a problem
      2  the command line is wrong
      3  some rows rejected (more than --accept-rejects); the valid rows are stored
      4  every row rejected: nothing imported
    """
    content = _load_or_exit(content_dir)
    try:
        columns = load_mapping(mapping) if mapping else None
        result = import_file(file, content.directory, store, encoding, columns, rejects)
    except YitiError as exc:  # ContentError (mapping file) included: it lists every problem
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:  # a store that cannot be written (not a folder, no rights, disk full)
        raise click.ClickException(
            f"读写失败：{exc.filename or file}：{exc.strerror or exc}。已有的记录不受影响；"
            f"请检查文件和存储文件夹 {store} 是否可读写、磁盘是否已满，然后重新导入"
        ) from exc
    status = import_status(result, accepted_share)
    click.echo(import_summary(result))
    click.echo(f"结果：{STATUS_TEXT[status]}（退出码 {int(status)}）")
    click.get_current_context().exit(int(status))


class ImportStatus(IntEnum):
    """`yiti monitor import`'s exit status (1 and 2 are click's: error, usage)."""

    ACCEPTED = 0
    SOME_REJECTED = 3
    NOTHING_IMPORTED = 4


STATUS_TEXT = {
    ImportStatus.ACCEPTED: "全部接受",
    ImportStatus.SOME_REJECTED: "有不合格行，合格的行已存入",
    ImportStatus.NOTHING_IMPORTED: "全部不合格，什么也没有导入",
}


def import_status(result: ImportResult, accepted_share: float = 0.0) -> ImportStatus:
    """What a scheduled job should know: all accepted, some rows rejected, or nothing imported."""
    rejected = len(result.rejects)
    if rejected and rejected == result.read:
        return ImportStatus.NOTHING_IMPORTED
    # Exact fractions: 1 reject in 100 rows is within 0.01, whatever the float rounding.
    if rejected and Fraction(rejected, result.read) > Fraction(str(accepted_share)):
        return ImportStatus.SOME_REJECTED
    return ImportStatus.ACCEPTED


def import_summary(result: ImportResult) -> str:
    """What an import did, with the first rejects spelled out."""
    lines = [
        f"读取 {result.read:,} 行：新存入 {result.stored:,} 条，已存在跳过 "
        f"{result.already_stored:,} 条，不合格 {len(result.rejects):,} 行" + _skipped_note(result)
    ]
    for row, reason in result.rejects[[ROW, REASON]].head(SHOWN_REJECTS).itertuples(index=False):
        lines.append(f"  第 {row} 行：{reason}")
    if len(result.rejects) > SHOWN_REJECTS:
        lines.append(f"  ……其余 {len(result.rejects) - SHOWN_REJECTS:,} 行见不合格记录文件")
    if result.rejects_file is not None:
        lines.append(f"不合格记录已写入 {result.rejects_file}")
    return "\n".join(lines)


def _skipped_note(result: ImportResult) -> str:
    """Rows read that hold no new record and are not rejects either."""
    notes = [f"空行、合计行或重复的表头 {result.skipped:,} 行"] if result.skipped else []
    if result.copies:
        notes.append(f"与前面某行完全相同的重复行 {result.copies:,} 行")
    return f"（另有{'、'.join(notes)}，已跳过）" if notes else ""


@monitor.command()
@click.option("--year", "years", type=int, multiple=True, required=True, help="Year; repeatable.")
@click.option("--records", type=click.IntRange(min=1), required=True, help="Records per year.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--topic-share",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Multiplier on how many records mention a topic (raise it for small samples).",
)
@click.option("--encoding", default="utf-8", show_default=True, help="CSV encoding.")
@CONTENT_OPTION
def synth(
    years: tuple[int, ...],
    records: int,
    out: Path,
    seed: int,
    topic_share: float,
    encoding: str,
    content_dir: Path,
) -> None:
    """Write synthetic hotline records (CSV or Parquet, by --out's suffix): not real data."""
    content = _load_or_exit(content_dir)
    rules = rules_frame(content.topics)
    streets, districts = streets_frame(content.directory), districts_frame(content.directory)
    tables = (
        table
        for year in years
        for table in chunks(
            build_model(year, rules, streets, districts, seed, topic_share), records, seed
        )
    )
    try:
        written = write_synth(out, tables, encoding)
    except YitiError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {written:,} synthetic records to {out}")


@monitor.command()
@click.option("--month", help="Ranking month, YYYY-MM (default: the latest).")
@click.option("--topic", help="Show every half month of this topic (slug).")
@click.option(
    "--top", "top_n", type=click.IntRange(min=1), default=DEFAULT_TOP_N, show_default=True
)
@STORE_OPTION
@CONTENT_OPTION
def report(
    month: str | None, topic: str | None, top_n: int, store: Path, content_dir: Path
) -> None:
    """Print the half-month table of tracked topics and a month's street ranking."""
    content = _load_or_exit(content_dir)
    try:
        loaded = load_records(content, store)
        tables = monitoring_for_site(content, loaded.records, top_n)
    except YitiError as exc:
        raise click.ClickException(str(exc)) from exc
    if loaded.sample:
        click.echo("（存储中没有记录，以下为示例数据）")
    titles = _titles(content)
    click.echo(format_half_month(_half_month_view(tables.half_month, topic), titles))
    if topic is None:
        rises = latest_rises(tables.half_month)
        names = "、".join(
            f"{titles.get(t, t)}（{label}）" for t, label in rises[[TOPIC, LABEL]].values
        )
        click.echo(f"最近一期突增的议题：{names or '无'}")
    click.echo()
    click.echo(format_ranking(tables.ranking, month, tables.cut_months))


def _half_month_view(table: pd.DataFrame, topic: str | None) -> pd.DataFrame:
    if topic is None:
        return latest_rows(table)
    if topic not in set(table[TOPIC]):
        raise click.ClickException(f"没有议题“{topic}”的监测数据（请用议题的 slug）")
    return table.loc[table[TOPIC] == topic]


def _titles(content: Content) -> dict[str, str]:
    return {t.slug: t.title for t in content.topics}


def _load_or_exit(content_dir: Path) -> Content:
    try:
        return load_content(content_dir)
    except ContentError as exc:
        raise click.ClickException(f"内容有问题，请先运行 yiti check：\n{exc}") from exc
