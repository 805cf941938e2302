"""`yiti monitor import`: one export file → validated, de-duplicated records in the store.

Batches are validated as they are read and written straight to a staging file beside the
store's parts; only the request ids stay in memory, to find repeats and ids already stored.
At 25 million rows, holding every record (or a second copy of it) is what would break the
memory budget. Usually every row is new and the staging file is simply renamed into place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from generator.content.models import Directory
from generator.monitor.checks import Places, check_batch, records_table
from generator.monitor.columns import CATEGORY, REQUEST_ID, ROW
from generator.monitor.fields import numeric_keys, text_array
from generator.monitor.places import streets_frame
from generator.monitor.reading import InputError, RaggedRowsError, read_batches
from generator.monitor.store import Staging, import_lock, staging, stored_ids, write_rejects
from generator.monitor.validate import (
    drop_repeats,
    empty_rejects,
    failed_rows,
    parse_times,
    rows_to_store,
    same_as_first,
    validate,
    with_raw_fields,
)


@dataclass(frozen=True)
class ImportResult:
    """What one import did; `rejects` holds every rejected row (ROW, REASON, fields)."""

    read: int
    stored: int
    already_stored: int
    rejects: pd.DataFrame
    part: Path | None
    rejects_file: Path | None
    skipped: int = 0  # blank rows and totals rows: no record, not counted as read
    copies: int = 0  # rows that repeat an earlier row of the file in every field: not stored


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
    streets = streets_frame(directory)

    def batches(exact: bool = False) -> Iterable[pa.RecordBatch]:
        return read_batches(path, encoding, mapping, exact=exact)

    try:
        result = _stage(path, batches, streets, store)
    except RaggedRowsError:
        # Some line has the wrong number of fields: reread exactly so row numbers stay true.
        result = _stage(path, partial(batches, exact=True), streets, store)
    if len(result.rejects):
        target = rejects_file or default_rejects_file(store, path)
        result = replace(result, rejects_file=write_rejects(target, result.rejects))
    return result


def _stage(
    path: Path, batches: Callable[[], Iterable[pa.RecordBatch]], streets: pd.DataFrame, store: Path
) -> ImportResult:
    """Check batch by batch into a staging file, then keep the rows that are new."""
    with import_lock(store), staging(store) as stage:
        ids, rejects, skipped = _write_checked(path, batches(), streets, stage)
        keep, involved, already = rows_to_store(ids, stored_ids(store))
        repeated = stage.rows(involved.to_numpy())
        copies = same_as_first(repeated)  # the same record twice: nothing to reject
        repeats = drop_repeats(repeated.loc[~copies])[1]
        part = stage.commit(keep.to_numpy())
    read = len(ids) + sum(len(r) for r in rejects)
    if len(repeats):  # staged rows are typed: take the text of repeated rows from the file again
        repeats = with_raw_fields(repeats, _raw_rows(batches(), set(repeats[ROW])))
    rejected = _in_row_order(empty_rejects(), *rejects, repeats)
    stored = int(keep.sum())
    return ImportResult(read, stored, already, rejected, part, None, skipped, int(copies.sum()))


def _write_checked(
    path: Path, batches: Iterable[pa.RecordBatch], streets: pd.DataFrame, stage: Staging
) -> tuple[pd.Series, list[pd.DataFrame], int]:
    """Stage the rows that pass; (their request ids as keys, rejects of each batch, rows
    skipped as holding no record)."""
    places = Places.of(streets)
    rejects: list[pd.DataFrame] = []
    keys: list[np.ndarray] | None = []
    seen = skipped = 0
    for batch in batches:
        checked = check_batch(batch, places, parse_times)
        seen += batch.num_rows
        skipped += int(checked.skip.sum())
        records = records_table(checked)
        stage.write_table(records)
        if keys is not None:  # plain-number ids: keep int64 keys, not 25 million strings
            found = numeric_keys(text_array(records.column(REQUEST_ID)))
            keys = None if found is None else [*keys, found]
        if not checked.ok.all():
            rejects.append(failed_rows(batch, checked, streets))
    if seen == skipped:
        raise InputError(
            f"{path.name}：只有表头，没有记录"
            + ("（只有空行、合计行或重复的表头）" if seen else "")
        )
    if keys is None:
        return stage.ids(), rejects, skipped
    return pd.Series(np.concatenate([np.empty(0, "int64"), *keys])), rejects, skipped


def _raw_rows(batches: Iterable[pa.RecordBatch], rows: set[int]) -> pd.DataFrame:
    """The rows numbered `rows`, as read from the file (ROW and the fields, as text)."""
    wanted = pa.array(sorted(rows), pa.int64())
    found = [
        batch.filter(pc.is_in(batch.column(ROW), value_set=wanted)).to_pandas() for batch in batches
    ]
    frame: pd.DataFrame = pd.concat(found, ignore_index=True)
    return frame


def default_rejects_file(store: Path, source: Path) -> Path:
    """`<store>/rejects/<file stem>-<local time>.csv`."""
    return store / "rejects" / f"{source.stem}-{datetime.now():%Y%m%d-%H%M%S}.csv"


def _validated(
    batches: Iterable[pa.RecordBatch], streets: pd.DataFrame
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    return [validate(batch, streets) for batch in batches]


def _in_row_order(*frames: pd.DataFrame) -> pd.DataFrame:
    both = pd.concat([f for f in frames if len(f)] or [frames[0]], ignore_index=True)
    return both.sort_values(ROW, kind="stable").reset_index(drop=True)
