"""Which records count toward which topic, by each topic's monitoring rule, on whole columns.

A record counts toward a topic when its category is one of the topic's categories (any
category, if the topic lists none), its text contains one of the keywords, and it contains
none of the exclude keywords. Categories narrow, keywords decide: the categories are broad
(住房 covers property certificates, elevators and property fees alike), so a category alone
would count every housing request toward three topics. Records without text match no topic.

A topic is counted from the year before its own (the baseline for 同比) to the year after
(last year's topics keep being tracked).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from generator.content.models import Topic
from generator.monitor.columns import (
    CATEGORIES,
    CATEGORY,
    EXCLUDE,
    KEYWORDS,
    RECEIVED_AT,
    REQUEST_ID,
    TEXT,
    TOPIC,
    TOPIC_YEAR,
)

BASELINE_YEARS = 1  # years counted before a topic's own year, for 同比
TRACKED_YEARS_AFTER = 1  # years a topic keeps being tracked after its own
HIT_COLUMNS = (TOPIC, TOPIC_YEAR, REQUEST_ID, RECEIVED_AT)
# Text is searched in this many slices at once: Arrow's regex kernel releases the GIL.
_WORKERS = max(1, min(4, os.cpu_count() or 1))
_PARALLEL_FROM = 100_000  # fewer texts are searched in one piece: handing out costs more


def rules_frame(topics: Iterable[Topic]) -> pd.DataFrame:
    """One row per topic: slug, year, and its rule's categories, keywords and exclusions."""
    rows = [
        {
            TOPIC: t.slug,
            TOPIC_YEAR: t.year,
            CATEGORIES: tuple(t.monitoring.categories),
            KEYWORDS: tuple(t.monitoring.keywords),
            EXCLUDE: tuple(t.monitoring.exclude_keywords),
        }
        for t in topics
    ]
    return pd.DataFrame(rows, columns=[TOPIC, TOPIC_YEAR, CATEGORIES, KEYWORDS, EXCLUDE]).astype(
        {TOPIC: "str", TOPIC_YEAR: "int64"}
    )


def counted_years(topic_year: int) -> tuple[int, int]:
    """First and last calendar year whose records are counted for a topic of `topic_year`."""
    return topic_year - BASELINE_YEARS, topic_year + TRACKED_YEARS_AFTER


def assign_topics(records: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Every (topic, record) match as HIT_COLUMNS; a record may count toward several topics.

    REQUEST_ID is carried only when the records have it: counting needs just the times, and
    at 25 million records not loading the ids saves about half a gigabyte. The text column is
    converted for the regex kernel once, and the hits are gathered as row positions and made
    into one frame at the end: per topic, pandas' own steps (masks, `loc`, `assign`, a
    frame each) cost more than the search itself on a site's few thousand records, 100 times.
    """
    columns = [TOPIC, TOPIC_YEAR, CATEGORIES, KEYWORDS, EXCLUDE]
    rows = [_Rule(str(t), int(y), tuple(c), tuple(k), tuple(e))
            for t, y, c, k, e in rules[columns].itertuples(index=False, name=None)]  # fmt: skip
    years = _years(records)
    if not rows or years is None:
        return _without_ids(empty_hits(), records)
    search = _Search(records)
    with ThreadPoolExecutor(_WORKERS, thread_name_prefix="monitor-topics") as pool:
        found = [(rule, search.hits(rule, years, pool)) for rule in rows]
    at = np.concatenate([positions for _, positions in found])
    counts = [len(positions) for _, positions in found]
    carried = [c for c in (REQUEST_ID, RECEIVED_AT) if c in records]
    hits = pd.DataFrame(
        {
            TOPIC: np.repeat([rule.topic for rule, _ in found], counts),
            TOPIC_YEAR: np.repeat([rule.year for rule, _ in found], counts),
            **{c: records[c].iloc[at].reset_index(drop=True) for c in carried},
        }
    )
    return _without_ids(hits.astype({TOPIC: "str", TOPIC_YEAR: "int64"}), records)


def _without_ids(hits: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    return hits if REQUEST_ID in records else hits.drop(columns=REQUEST_ID, errors="ignore")


class _Rule(NamedTuple):
    topic: str
    year: int
    categories: tuple[str, ...]
    keywords: tuple[str, ...]
    exclude: tuple[str, ...]


class _Search:
    """The records' columns a rule reads, converted once for all rules."""

    def __init__(self, records: pd.DataFrame) -> None:
        self.records = records
        self.when = records[RECEIVED_AT].to_numpy()
        self.text = pa.array(records[TEXT].array) if len(records) else pa.array([], pa.string())

    def hits(self, rule: _Rule, years: tuple[int, int], pool: ThreadPoolExecutor) -> np.ndarray:
        """Row positions of the records `rule` counts, in record order."""
        first, last = counted_years(rule.year)
        if years[1] < first or last < years[0]:
            return np.zeros(0, dtype=np.int64)
        keep = np.ones(len(self.records), dtype=bool)
        if years[0] < first or last < years[1]:  # only part of the records are in the window
            start, end = np.datetime64(f"{first}-01-01"), np.datetime64(f"{last + 1}-01-01")
            keep &= (self.when >= start) & (self.when < end)
        if rule.categories:
            keep &= self.records[CATEGORY].isin(list(rule.categories)).to_numpy()
        at = np.flatnonzero(keep)
        text = self.text if len(at) == len(keep) else self.text.take(pa.array(at))
        match = _contains(text, _pattern(rule.keywords), pool)
        if rule.exclude:
            match &= ~_contains(text, _pattern(rule.exclude), pool)
        found: np.ndarray = at[match]
        return found


def _years(records: pd.DataFrame) -> tuple[int, int] | None:
    """First and last year in the records (None when there are none)."""
    if records.empty:
        return None
    when = records[RECEIVED_AT]
    return pd.Timestamp(when.min()).year, pd.Timestamp(when.max()).year


def empty_hits() -> pd.DataFrame:
    """No matches, with the hit dtypes."""
    return pd.DataFrame(
        {
            TOPIC: pd.Series(dtype="str"),
            TOPIC_YEAR: pd.Series(dtype="int64"),
            REQUEST_ID: pd.Series(dtype="str"),
            RECEIVED_AT: pd.Series(dtype="datetime64[s]"),
        }
    )


def contains(text: pd.Series, pattern: str) -> np.ndarray:
    """Whether each text has a match of the regex `pattern` (missing text has none), as
    `str.contains` says; the slices are searched in parallel. At 25 million records the
    search is most of the assignment's time, and one core would sit idle."""
    values = pa.array(text.array) if len(text) else pa.array([], pa.string())
    with ThreadPoolExecutor(_WORKERS, thread_name_prefix="monitor-topics") as pool:
        return _contains(values, pattern, pool)


def _contains(values: pa.Array, pattern: str, pool: ThreadPoolExecutor) -> np.ndarray:
    if len(values) < _PARALLEL_FROM:
        return _search(values, pattern)
    step = max(1, -(-len(values) // _WORKERS))
    slices = [values.slice(start, step) for start in range(0, len(values), step)]
    found = list(pool.map(lambda part: _search(part, pattern), slices))
    return np.concatenate([np.zeros(0, dtype=bool), *found])


def _search(values: pa.Array, pattern: str) -> np.ndarray:
    matched = pc.match_substring_regex(values, pattern).fill_null(False)
    return np.asarray(matched.to_numpy(zero_copy_only=False), dtype=bool)


def _pattern(words: Iterable[str]) -> str:
    """Literal words as one alternation (the regex engine scans the text once for all)."""
    return "|".join(re.escape(w) for w in words)
