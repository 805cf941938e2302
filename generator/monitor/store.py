"""The record store: Parquet files under `instance/monitoring/records/`, one per import.

Each import adds one part file, written to a hidden temporary name and renamed into place, so
a crash leaves either the whole import or none of it; earlier parts are never rewritten. A lock
file keeps two imports from checking request ids against the store at the same time.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from generator.monitor.columns import (
    CATEGORY,
    DISTRICT,
    KIND,
    KINDS,
    REASON,
    RECEIVED_AT,
    RECORD_COLUMNS,
    REQUEST_ID,
    ROW,
    STREET,
    TEXT,
)
from generator.monitor.mapping import FIELD_LABELS
from generator.monitor.validate import REJECT_COLUMNS
from generator.sheets.cells import guard

DEFAULT_STORE = Path("instance/monitoring")
SCHEMA = pa.schema(
    [
        (REQUEST_ID, pa.string()),
        (RECEIVED_AT, pa.timestamp("ms")),  # Parquet has no seconds unit
        (KIND, pa.string()),
        (CATEGORY, pa.string()),
        (DISTRICT, pa.string()),
        (STREET, pa.string()),
        (TEXT, pa.string()),
    ]
)
STAGED_SCHEMA = SCHEMA.append(pa.field(ROW, pa.int64()))
# What the tables need: no request ids, no kinds (a quarter less memory at 25M records).
ANALYSIS_COLUMNS = (RECEIVED_AT, CATEGORY, DISTRICT, STREET, TEXT)
# Few distinct values: read back as pandas categoricals (codes, not 25 million strings).
DICTIONARY_COLUMNS = (KIND, CATEGORY, DISTRICT, STREET)
REJECT_HEADERS = {ROW: "行号", REASON: "原因", **FIELD_LABELS}
# Snappy: fast to write and read; dictionary pages only where values repeat (ids and text
# would only waste the attempt).
_WRITE_OPTIONS = {"compression": "snappy", "use_dictionary": list(DICTIONARY_COLUMNS)}
_PENDING_WRITES = 2  # batches queued for the writer thread: bounds the memory they hold


def records_dir(store: Path) -> Path:
    """Where the part files live."""
    return store / "records"


def part_files(store: Path) -> list[Path]:
    """Stored part files (temporary files start with a dot and are never listed)."""
    return sorted(records_dir(store).glob("part-*.parquet"))


def empty_records() -> pd.DataFrame:
    """A record frame with no rows and the stored dtypes."""
    return pd.DataFrame(
        {
            REQUEST_ID: pd.Series(dtype="str"),
            RECEIVED_AT: pd.Series(dtype="datetime64[s]"),
            KIND: pd.Categorical([], categories=list(KINDS)),
            CATEGORY: pd.Categorical([]),
            DISTRICT: pd.Categorical([]),
            STREET: pd.Categorical([]),
            TEXT: pd.Series(dtype="str"),
        }
    )


def read_records(store: Path, columns: tuple[str, ...] = RECORD_COLUMNS) -> pd.DataFrame:
    """Every stored record (only `columns`), or an empty frame when nothing is stored."""
    parts = part_files(store)
    if not parts:
        return empty_records().loc[:, list(columns)]
    table = pq.read_table(
        [str(p) for p in parts],
        columns=list(columns),
        read_dictionary=[c for c in DICTIONARY_COLUMNS if c in columns],
    )
    frame: pd.DataFrame = table.to_pandas()
    types = {c: "str" for c in (REQUEST_ID, TEXT)} | {RECEIVED_AT: "datetime64[s]"}
    return frame.astype({c: t for c, t in types.items() if c in columns})


def stored_ids(store: Path) -> pd.Series:
    """Request ids already stored."""
    return read_records(store, (REQUEST_ID,))[REQUEST_ID]


def write_part(store: Path, frames: Iterable[pd.DataFrame]) -> Path | None:
    """Add the records of `frames` as one new part file, atomically; return its path."""
    with staging(store) as stage:
        for frame in frames:
            stage.write(frame)
        return stage.commit(None)


class Staging:
    """An import being written: a hidden file beside the parts, renamed into place by `commit`.

    Batches are written as they are validated, so an import never holds all its records in
    memory; the row each record came from is kept (column ROW) for tracing it back. Parquet
    encoding runs in a writer thread (Arrow releases the GIL), so on two cores it overlaps
    with checking the next batch; a failed write is raised by a later call.
    """

    def __init__(self, store: Path) -> None:
        folder = records_dir(store)
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.path = folder / f".staging-{uuid.uuid4().hex}.parquet"
        self._writer: Any = pq.ParquetWriter(self.path, STAGED_SCHEMA, **_WRITE_OPTIONS)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="monitor-parquet-writer")
        self._pending: deque[Future[None]] = deque()

    def write(self, records: pd.DataFrame) -> None:
        """Append one batch of records (with or without ROW)."""
        frame = records.reindex(columns=[*RECORD_COLUMNS, ROW])
        self.write_table(pa.Table.from_pandas(frame, preserve_index=False))

    def write_table(self, table: pa.Table) -> None:
        """Append one Arrow batch of records (STAGED_SCHEMA's columns) in the writer thread."""
        while len(self._pending) >= _PENDING_WRITES:
            self._pending.popleft().result()
        staged = table.cast(STAGED_SCHEMA)
        self._pending.append(self._thread.submit(self._writer.write_table, staged))

    def rows(self, mask: np.ndarray) -> pd.DataFrame:
        """The staged rows where `mask` (over all rows, in order) is true."""
        self._close()
        tables = list(_filtered(self.path, mask)) or [STAGED_SCHEMA.empty_table()]
        frame: pd.DataFrame = pa.concat_tables(tables).to_pandas()
        return frame.astype({RECEIVED_AT: "datetime64[s]"})

    def ids(self) -> pd.Series:
        """Every staged request id, in order."""
        self._close()
        table = pq.read_table(self.path, columns=[REQUEST_ID])
        ids: pd.Series = table.column(REQUEST_ID).to_pandas()
        return ids.astype("str")

    def commit(self, keep: np.ndarray | None) -> Path | None:
        """Move the kept rows (all if `keep` is None) into a new part file; its path or None."""
        self._close()
        if keep is not None and not keep.any():
            return None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        target = self.folder / f"part-{stamp}-{uuid.uuid4().hex[:8]}.parquet"
        if keep is None or keep.all():
            _fsync(self.path)
            self.path.replace(target)
            return target
        with (
            _atomic(target) as temp,
            pq.ParquetWriter(temp, STAGED_SCHEMA, **_WRITE_OPTIONS) as out,
        ):
            for table in _filtered(self.path, keep):
                out.write_table(table)
        return target

    def _close(self) -> None:
        """Finish the queued writes (raising the first failure) and close the file."""
        if self._writer is None:
            return
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._thread.shutdown(wait=True, cancel_futures=True)
            self._pending.clear()
            self._writer.close()
            self._writer = None

    def discard(self) -> None:
        """Forget everything staged."""
        self._close()
        self.path.unlink(missing_ok=True)


@contextmanager
def staging(store: Path) -> Iterator[Staging]:
    """A Staging that is always cleaned up: committed rows stay, everything else goes."""
    stage = Staging(store)
    try:
        yield stage
    finally:
        stage.discard()


def _filtered(path: Path, mask: np.ndarray) -> Iterator[pa.Table]:
    """Each row group of `path`, keeping the rows where `mask` is true."""
    handle = pq.ParquetFile(path)
    start = 0
    for index in range(handle.num_row_groups):
        rows = handle.metadata.row_group(index).num_rows
        here = mask[start : start + rows]
        start += rows
        if here.any():  # read a row group only when some of its rows are wanted
            group = handle.read_row_group(index)
            yield group if here.all() else group.filter(pa.array(here))


def write_rejects(path: Path, rejects: pd.DataFrame) -> Path:
    """Rejected rows as CSV with Chinese headers, UTF-8 with BOM so Excel opens it as text;
    a cell a spreadsheet would run as a formula gets a leading apostrophe, the rest is as read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = guard(rejects.loc[:, list(REJECT_COLUMNS)]).rename(columns=REJECT_HEADERS)
    with _atomic(path) as temp:
        # CRLF line ends: the csv writer then quotes any cell holding a CR or LF of its own,
        # which with "\n" alone it does not do for a bare CR (the row would break in two).
        frame.to_csv(temp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path


@contextmanager
def import_lock(store: Path) -> Iterator[None]:
    """Hold an exclusive lock on the store for one import."""
    store.mkdir(parents=True, exist_ok=True)
    with (store / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _atomic(target: Path) -> Iterator[Path]:
    """Yield a hidden temporary path beside `target`; rename it into place only on success."""
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield temp
        _fsync(temp)
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """Make sure the file's bytes are on disk before it is renamed into place."""
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
