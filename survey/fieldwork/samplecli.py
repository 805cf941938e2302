"""`yiti survey sample draw|release`: the stratified telephone sample and its replicates."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli import CONTENT_OPTION
from survey.cli.options import DATABASE_OPTION, content, database
from survey.fieldwork import draw, sampling
from survey.fieldwork import settings as fieldwork_settings
from survey.fieldwork.commands import TOPIC, WAVE, now, refused
from survey.storage.audit import cli_actor


@click.group()
def sample() -> None:
    """The telephone sample: draw it from the frame, release it replicate by replicate."""


@sample.command("draw")
@TOPIC
@WAVE
@click.option("--size", type=int, help="Cases to draw, shared by districts as the frame is.")
@click.option(
    "--quotas",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="CSV district,size[,completes]: fixed sizes per district instead of --size.",
)
@click.option("--completes", type=int, help="Completed interviews wanted (default: the size).")
@click.option("--replicates", type=int, default=1, show_default=True)
@click.option("--seed", type=click.IntRange(0, sampling.SEED_LIMIT - 1), help="Random seed.")
@click.option("--redraw", is_flag=True, help="Draw again (only before any release).")
@DATABASE_OPTION
@CONTENT_OPTION
def draw_command(
    topic: str,
    wave: str,
    size: int | None,
    quotas: Path | None,
    completes: int | None,
    replicates: int,
    seed: int | None,
    redraw: bool,
    database_url: str | None,
    content_dir: Path,
) -> None:
    """Draw a stratified random sample by district from TOPIC's frame for WAVE.

    Proportional to the frame (--size) or fixed per district (--quotas); split into
    --replicates groups, each itself stratified. The seed is printed and audited: the same
    frame and seed give the same sample.
    """
    if (size is None) == (quotas is None):
        raise click.UsageError("请给出 --size 或 --quotas 之一")
    loaded = content(content_dir)
    districts = tuple(d.name for d in loaded.directory.districts)
    with refused(), database(database_url) as db:
        fieldwork_settings.require_topic_wave(loaded, topic, wave)
        frame_sizes = draw.frame_counts(db, topic, wave, districts)
        fixed = sampling.fixed_sizes(quotas, frame_sizes, districts) if quotas else None
        chosen = sampling.new_seed() if seed is None else seed
        plan = draw.Plan(size, fixed, completes, replicates, chosen, redraw)
        drawn = draw.draw_sample(db, topic, wave, districts, plan, (now(), cli_actor()))
    click.echo(
        f"已抽取 {int(drawn.sizes.sum()):,} 个样本，分为 {replicates} 组，随机种子 {drawn.seed}"
        f"（重抽同一样本：--seed {drawn.seed}）"
    )
    for district, n in drawn.sizes.items():
        if n or drawn.quotas.get(district, 0):
            click.echo(f"  {district}：抽中 {n}，配额（完成数）{drawn.quotas.get(district, 0)}")
    click.echo("发放第一组：yiti survey sample release --next")


@sample.command("release")
@TOPIC
@WAVE
@click.option("--replicate", type=int, help="The replicate to release.")
@click.option("--next", "next_one", is_flag=True, help="The lowest replicate not yet released.")
@DATABASE_OPTION
def release_command(
    topic: str, wave: str, replicate: int | None, next_one: bool, database_url: str | None
) -> None:
    """Make one replicate of TOPIC's sample for WAVE callable now."""
    if (replicate is None) == (not next_one):
        raise click.UsageError("请给出 --replicate R 或 --next 之一")
    with refused(), database(database_url) as db:
        chosen, counts = draw.release(db, topic, wave, replicate, (now(), cli_actor()))
    click.echo(f"已发放第 {chosen} 组：{sum(counts.values()):,} 个样本，现在起可以拨打")
