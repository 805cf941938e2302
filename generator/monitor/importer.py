"""`yiti monitor import`: one export file → validated, de-duplicated records in the store.

Batches are validated as they are read and kept typed (categoricals, timestamps), never as
one concatenated copy: at 25 million rows a second copy of every record is what would break
the memory budget. Only the request ids are gathered, to find repeats and stored ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from generator.models import Directory
from generator.monitor.columns import CATEGORY, REQUEST_ID, ROW
from generator.monitor.places import streets_frame
from generator.monitor.reading import InputError, RaggedRowsError, read_batches
from generator.monitor.store import import_lock, stored_ids, write_part, write_rejects
from generator.monitor.validate import drop_repeats, rows_to_store, validate


@dataclass(frozen=True)
class ImportResult:
    """What one import did; `rejects` holds every rejected row (ROW, REASON, fields)."""

    read: int
    stored: int
    already_stored: int
    rejects: pd.DataFrame
    part: Path | None
    rejects_file: Path | None


def validated_parts(
    path: Path,
    directory: Directory,
    encoding: str | None = None,
    mapping: dict[str, str] | None = None,
) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    """Read and validate a file batch by batch: (typed record batches, rejects so far)."""
    streets = streets_frame(directory)
    try:
        parts = _validated(read_batches(path, encoding, mapping), streets)
    except RaggedRowsError:
        # Some line has the wrong number of fields: reread exactly so row numbers stay true.
        parts = _validated(read_batches(path, encoding, mapping, exact=True), streets)
    if not parts:
        raise InputError(f"{path.name}：只有表头，没有记录")
    return [r for r, _ in parts], pd.concat([j for _, j in parts], ignore_index=True)


def read_valid(
    path: Path,
    directory: Directory,
    encoding: str | None = None,
    mapping: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """A whole (small) file as one frame: (records, rejects, rows read). No store involved."""
    parts, rejects = validated_parts(path, directory, encoding, mapping)
    records = pd.concat(parts, ignore_index=True).astype({CATEGORY: "category"})
    records, repeats = drop_repeats(records)
    rejects = _in_row_order(rejects, repeats)
    return records, rejects, len(records) + len(rejects)


def import_file(
    path: Path,
    directory: Directory,
    store: Path,
    encoding: str | None = None,
    mapping: dict[str, str] | None = None,
    rejects_file: Path | None = None,
) -> ImportResult:
    """Import `path` into `store`; rejects go to `rejects_file` (default: under the store)."""
    parts, rejects = validated_parts(path, directory, encoding, mapping)
    ids = pd.concat([p[REQUEST_ID] for p in parts], ignore_index=True)
    with import_lock(store):
        keep, repeat, already = rows_to_store(ids, stored_ids(store))
        stored = int(keep.sum())
        part = write_part(store, _selected(parts, keep.to_numpy())) if stored else None
    read = len(ids) + len(rejects)
    rejects = _in_row_order(rejects, _repeat_rejects(parts, ids, repeat))
    written = None
    if len(rejects):
        written = write_rejects(rejects_file or default_rejects_file(store, path), rejects)
    return ImportResult(read, stored, already, rejects, part, written)


def default_rejects_file(store: Path, source: Path) -> Path:
    """`<store>/rejects/<file stem>-<local time>.csv`."""
    return store / "rejects" / f"{source.stem}-{datetime.now():%Y%m%d-%H%M%S}.csv"


def _validated(
    batches: Iterable[pd.DataFrame], streets: pd.DataFrame
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    return [validate(batch, streets) for batch in batches]


def _repeat_rejects(parts: list[pd.DataFrame], ids: pd.Series, repeat: pd.Series) -> pd.DataFrame:
    """Rejects for rows repeating an earlier request id of the same file (usually none)."""
    if not repeat.any():
        return drop_repeats(parts[0].iloc[:0])[1]
    repeated = ids.isin(ids[repeat]).to_numpy()
    if not repeated.any():
        return drop_repeats(parts[0].iloc[:0])[1]
    rows = pd.concat(list(_selected(parts, repeated, keep_row=True)), ignore_index=True)
    return drop_repeats(rows)[1]


def _selected(
    parts: list[pd.DataFrame], mask: np.ndarray, keep_row: bool = False
) -> Iterator[pd.DataFrame]:
    """The rows of each batch where `mask` (over all batches in order) is true."""
    start = 0
    for part in parts:
        here = mask[start : start + len(part)]
        start += len(part)
        chosen = part if here.all() else part.loc[here]
        yield chosen if keep_row else chosen.drop(columns=ROW)


def _in_row_order(*frames: pd.DataFrame) -> pd.DataFrame:
    both = pd.concat([f for f in frames if len(f)] or [frames[0]], ignore_index=True)
    return both.sort_values(ROW, kind="stable").reset_index(drop=True)
