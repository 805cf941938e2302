"""One topic's results in one wave: the figures, every section, and the weighting switch.

The frame holds the topic's mid-year and year-end waves (for the change test); every other
section reads only the requested wave. Weighting is a view, not a different dataset: the
unweighted n stays beside the weighted rate and its effective n.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, cast

import pandas as pd

from generator.content.models import Topic, Wave
from generator.content.models.site import Site
from survey.analysis.columns import (
    AWARENESS,
    CI_HIGH,
    CI_LOW,
    DEFINITION,
    EXCLUDED,
    NOTE,
    SOLVED,
    SUPPRESSED,
    WAVE,
    WENT_BADLY,
    WENT_WELL,
    N,
)
from survey.analysis.rates import summary
from survey.analysis.weighting import (
    N_EFFECTIVE,
    RATE_UNWEIGHTED,
    RATE_WEIGHTED,
    district_margins,
    weighted_rates,
)
from survey.staff.evaluators import fieldwork as calls
from survey.staff.evaluators import sections, store
from survey.staff.evaluators.present import Figure, count, excluded_note, figure, interval, percent
from survey.state import AppState

# The answers the topic page's figures read; comments are read on their own (store.comments).
ANSWERS: Final = (SOLVED, AWARENESS, WENT_WELL, WENT_BADLY)
COMMENTS_SHOWN: Final = 50
Weighting = Literal["none", "district_population"]
MODES: Final[dict[str, str]] = {"none": "未加权", "district_population": "按区人口加权"}


@dataclass(frozen=True)
class Weighted:
    """Unweighted n and rate, weighted rate with its interval, and effective n, side by side."""

    n: str
    rate_unweighted: str
    rate_weighted: str
    interval: str
    n_effective: str
    note: str
    definition: str


@dataclass(frozen=True)
class TopicResults:
    """Everything the topic page shows, as finished text."""

    topic: Topic
    wave: Wave
    weighting: Weighting
    excluded: str  # how many responses were excluded, as every figure states
    figures: tuple[Figure, ...]
    fieldwork: calls.Fieldwork  # AAPOR rates and dispositions, or why there are none
    modes: calls.ModeSplit | None  # 满意率 web vs phone; None without responses
    weighted: Weighted | None
    weighting_problem: str
    distribution: sections.Distribution | None
    districts: tuple[sections.Cell, ...]
    change: sections.Change
    drivers: tuple[sections.Driver, ...]
    comments: tuple[sections.Comment, ...]
    comments_total: int


def mode(requested: str | None, wave: Wave) -> Weighting:
    """The view asked for in the URL, else the wave's default from content/site.yml."""
    return cast(Weighting, requested if requested in MODES else wave.weighting)


def year_waves(site: Site, wave: Wave) -> list[str]:
    """The wave ids of `wave`'s year that are in the calendar (mid-year first)."""
    year = wave.id.split("-")[0]
    known = {w.id for w in site.waves}
    return [w for w in (f"{year}-mid", f"{year}-end") if w in known]


def topic_results(state: AppState, topic: Topic, wave: Wave, weighting: Weighting) -> TopicResults:
    """Compute the topic page from the stored responses and exclusions."""
    site = state.content.site
    definition = site.satisfaction
    both = year_waves(site, wave)
    frame = store.frame(state.db, [topic.slug], both, ANSWERS)
    current = frame.loc[frame[WAVE] == wave.id]
    weighted, problem = _weighted(state, current) if weighting != "none" else (None, "")
    shown, total = store.comments(state.db, topic.slug, wave.id, COMMENTS_SHOWN)
    return TopicResults(
        topic=topic,
        wave=wave,
        weighting=weighting,
        excluded=excluded_note(int(current[EXCLUDED].sum())),
        figures=tuple(figure(r) for r in summary(current, definition).to_dict("records")),
        fieldwork=calls.fieldwork(state.db, topic.slug, wave.id),
        modes=calls.mode_split(state.db, current, definition, topic.slug, wave.id),
        weighted=weighted,
        weighting_problem=problem,
        distribution=sections.answer_distribution(current, definition, topic.title),
        districts=sections.districts(
            current, definition, [d.name for d in state.content.directory.districts]
        ),
        change=_change(frame, both, site),
        drivers=sections.drivers(current, state.questionnaire(topic.slug, wave.id)),
        comments=sections.comments(shown),
        comments_total=total,
    )


def _change(frame: pd.DataFrame, both: list[str], site: Site) -> sections.Change:
    if len(both) < 2:
        return sections.Change("日历中没有同一年的年中和年底两期调查，无法比较。")
    return sections.change(frame, site.satisfaction, sections.names_of(both))


def _weighted(state: AppState, frame: pd.DataFrame) -> tuple[Weighted | None, str]:
    """The weighted view, or why it cannot be computed (say, no valid answers)."""
    margins = district_margins(state.content.directory.districts)
    try:
        table = weighted_rates(frame, state.content.site.satisfaction, margins)
    except ValueError as error:
        return None, f"无法加权：{error}"
    if table.empty:
        return None, "没有有效回答，无法加权。"
    r = table.iloc[0]
    hidden = bool(r[SUPPRESSED])
    return (
        Weighted(
            n=count(r[N]),
            rate_unweighted="不公布" if hidden else percent(r[RATE_UNWEIGHTED]),
            rate_weighted="不公布" if hidden else percent(r[RATE_WEIGHTED]),
            interval="" if hidden else interval(r[CI_LOW], r[CI_HIGH]),
            n_effective=f"{r[N_EFFECTIVE]:,.1f}",
            note=str(r[NOTE]),
            definition=str(r[DEFINITION]),
        ),
        "",
    )
