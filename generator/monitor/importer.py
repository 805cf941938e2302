"""`yiti monitor import`: one export file → validated, de-duplicated records in the store."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from generator.models import Directory
from generator.monitor.columns import ROW
from generator.monitor.places import streets_frame
from generator.monitor.reading import InputError, RaggedRowsError, read_batches
from generator.monitor.store import import_lock, stored_ids, write_part, write_rejects
from generator.monitor.validate import drop_repeats, split_stored, validate


@dataclass(frozen=True)
class ImportResult:
    """What one import did; `rejects` holds every rejected row (ROW, REASON, fields)."""

    read: int
    stored: int
    already_stored: int
    rejects: pd.DataFrame
    part: Path | None
    rejects_file: Path | None


def read_valid(
    path: Path,
    directory: Directory,
    encoding: str | None = None,
    mapping: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Read and validate a whole file: (records, rejects, rows read). No store involved."""
    streets = streets_frame(directory)
    try:
        parts = _validated(read_batches(path, encoding, mapping), streets)
    except RaggedRowsError:
        # Some line has the wrong number of fields: reread exactly so row numbers stay true.
        parts = _validated(read_batches(path, encoding, mapping, exact=True), streets)
    if not parts:
        raise InputError(f"{path.name}：只有表头，没有记录")
    records = pd.concat([r for r, _ in parts], ignore_index=True)
    rejects = pd.concat([j for _, j in parts], ignore_index=True)
    records, repeats = drop_repeats(records)
    rejects = pd.concat([rejects, repeats], ignore_index=True).sort_values(ROW, kind="stable")
    return records, rejects.reset_index(drop=True), len(records) + len(rejects)


def import_file(
    path: Path,
    directory: Directory,
    store: Path,
    encoding: str | None = None,
    mapping: dict[str, str] | None = None,
    rejects_file: Path | None = None,
) -> ImportResult:
    """Import `path` into `store`; rejects go to `rejects_file` (default: under the store)."""
    records, rejects, read = read_valid(path, directory, encoding, mapping)
    with import_lock(store):
        new, already = split_stored(records, stored_ids(store))
        part = write_part(store, new.drop(columns=[ROW])) if len(new) else None
    written = None
    if len(rejects):
        written = write_rejects(rejects_file or default_rejects_file(store, path), rejects)
    return ImportResult(read, len(new), already, rejects, part, written)


def default_rejects_file(store: Path, source: Path) -> Path:
    """`<store>/rejects/<file stem>-<local time>.csv`."""
    return store / "rejects" / f"{source.stem}-{datetime.now():%Y%m%d-%H%M%S}.csv"


def _validated(
    batches: Iterable[pd.DataFrame], streets: pd.DataFrame
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    return [validate(batch, streets) for batch in batches]
