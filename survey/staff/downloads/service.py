"""Building downloads: streamed CSV, XLSX and SAV through temporary files, manifests, audit.

CSV streams: a generator pulls 10,000 rows at a time from the database, writes them and lets
them go, so memory stays flat however many rows there are. XLSX and SAV cannot stream (a ZIP
container, and pyreadstat writes a whole table), so they are written to a temporary file in
chunks, then sent from an open handle whose path is already unlinked: nothing is left behind,
even if the client hangs up. Every download leaves `download` entries in the audit log; a
streamed CSV leaves one when it starts and one when it ends or is abandoned, with the rows sent.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

from survey.analysis import dispositions
from survey.analysis.export import (
    SAV_MAX_ROWS,
    XLSX_MAX_ROWS,
    XLSX_TOO_LARGE,
    ExportTooLargeError,
    Manifest,
    Tally,
    csv_bytes,
    csv_table_bytes,
    file_sha256,
    write_sav,
    write_xlsx,
)
from survey.analysis.variables import codebook, guard
from survey.staff.downloads import cases, rows
from survey.staff.downloads.scope import Scope
from survey.staff.downloads.table import declared
from survey.storage.audit import append
from survey.storage.db import Database

# Data formats: file extension and media type.
FORMATS: Final[dict[str, tuple[str, str]]] = {
    "csv": ("csv", "text/csv; charset=utf-8"),
    "csv-utf8": ("utf8.csv", "text/csv; charset=utf-8"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "sav": ("sav", "application/x-spss-sav"),
    "codebook": ("codebook.csv", "text/csv; charset=utf-8"),
    # Telephone fieldwork: one row per issued case with its AAPOR disposition (no phone).
    "dispositions": ("dispositions.csv", "text/csv; charset=utf-8"),
    "dispositions-utf8": ("dispositions.utf8.csv", "text/csv; charset=utf-8"),
    "dispositions-codebook": ("dispositions.codebook.csv", "text/csv; charset=utf-8"),
}
DISPOSITIONS: Final = ("dispositions", "dispositions-utf8", "dispositions-codebook")
MANIFEST: Final = "manifest"


@dataclass(frozen=True)
class Request:
    """Who asks for which scope, when; carried into the audit entries and the manifest."""

    db: Database
    scope: Scope
    actor: str
    at: datetime
    source: str = ""

    def audit(self, fmt: str, **detail: Any) -> None:
        """One `download` entry: who, wave, topic(s), format, filters and what happened."""
        body = {"format": fmt, "filters": self.scope.filters()} | detail
        target = f"{self.scope.slug}/{self.scope.wave}"
        append(
            self.db, self.at, self.actor, "download", target=target, detail=body, source=self.source
        )


def tables(request: Request) -> Iterator[pa.Table]:
    """The scope's rows as declared Arrow tables, one chunk at a time."""
    variables = request.scope.variables()
    for part in rows.raw_chunks(request.db, request.scope.wave, request.scope.topics):
        yield declared(part, variables)


def frames(request: Request) -> Iterator[pd.DataFrame]:
    """The same chunks as pandas frames, text as Python strings, for openpyxl and pyreadstat."""
    for table in tables(request):
        frame = table.to_pandas()
        text = [name for name in frame.columns if pd.api.types.is_string_dtype(frame[name])]
        frame[text] = frame[text].astype(object).where(frame[text].notna(), None)
        yield frame


def csv_stream(request: Request, *, bom: bool) -> Iterator[bytes]:
    """The CSV download's body. Audited now, before a byte is sent (a client that hangs up at
    once is still traced), and again when the body is finished or abandoned, with its rows."""
    fmt = "csv" if bom else "csv-utf8"
    request.audit(fmt, status="started")
    return _csv_body(request, fmt, bom)


def _csv_body(request: Request, fmt: str, bom: bool) -> Iterator[bytes]:
    tally = Tally()
    blocks = csv_table_bytes(tables(request), request.scope.variables(), bom=bom, tally=tally)
    try:
        yield from blocks
    except GeneratorExit:
        blocks.close()  # ends the database read now, not when the garbage collector gets to it
        request.audit(fmt, status="aborted", rows=tally.rows)
        raise
    request.audit(fmt, status="completed", rows=tally.rows, sha256=tally.sha256())


@dataclass(frozen=True)
class Built:
    """A finished file: an open handle (its path already removed), rows and SHA-256."""

    handle: IO[bytes]
    rows: int
    sha256: str


def build(request: Request, fmt: str) -> Built:
    """Write `fmt` to a temporary file in chunks; raises ExportTooLargeError for a huge SAV."""
    with tempfile.TemporaryDirectory(prefix="yiti-download-") as tmp:
        path = Path(tmp) / request.scope.filename(FORMATS[fmt][0])
        count = write(request, fmt, path)
        digest = file_sha256(path)
        handle = path.open("rb")  # stays readable after the directory is removed (POSIX)
    return Built(handle, count, digest)


def write(request: Request, fmt: str, path: Path) -> int:
    """Write `fmt` of the request's scope to `path` in chunks; returns the rows written."""
    return _writers()[fmt](request, path)


def answered(db: Database) -> set[tuple[str, str]]:
    """The (wave, topic) pairs with responses: the downloads page lists only these."""
    return rows.answered(db)


def surveyed(db: Database) -> set[tuple[str, str]]:
    """The (wave, topic) pairs with telephone fieldwork: their rows offer the dispositions."""
    return cases.surveyed(db)


def expected_rows(request: Request) -> int:
    """How many rows the scope holds now (one indexed count): decides request or worker."""
    return rows.count(request.db, request.scope.wave, request.scope.topics)


def _writers() -> dict[str, Callable[[Request, Path], int]]:
    return {
        "csv": _csv_file,
        "csv-utf8": _csv_file_utf8,
        "xlsx": _xlsx,
        "sav": _sav,
        "codebook": _codebook,
        "dispositions": _dispositions,
        "dispositions-utf8": _dispositions_utf8,
        "dispositions-codebook": _dispositions_codebook,
    }


def _csv_file(request: Request, path: Path, bom: bool = True) -> int:
    tally = Tally()
    with path.open("wb") as out:
        for block in csv_table_bytes(
            tables(request), request.scope.variables(), bom=bom, tally=tally
        ):
            out.write(block)
    return tally.rows


def _csv_file_utf8(request: Request, path: Path) -> int:
    return _csv_file(request, path, bom=False)


def _xlsx(request: Request, path: Path) -> int:
    expected = rows.count(request.db, request.scope.wave, request.scope.topics)
    if expected > XLSX_MAX_ROWS:  # Excel could not open it; refuse before reading a row
        raise ExportTooLargeError(XLSX_TOO_LARGE.format(max_rows=XLSX_MAX_ROWS))
    meta = _metadata(request)
    return write_xlsx(frames(request), request.scope.variables(), path, meta, prepared=True)


def _sav(request: Request, path: Path) -> int:
    expected = rows.count(request.db, request.scope.wave, request.scope.topics)
    if expected > SAV_MAX_ROWS:  # refuse before reading a row, not after a million
        raise ExportTooLargeError(f"SPSS 文件最多 {SAV_MAX_ROWS} 行；请缩小范围，或下载 CSV")
    return write_sav(frames(request), request.scope.variables(), path, prepared=True)


def _codebook(request: Request, path: Path) -> int:
    book = guard(codebook(request.scope.variables()))
    path.write_bytes(book.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"))
    return len(book)


def has_fieldwork(request: Request) -> bool:
    """Whether a topic of the request's scope has telephone fieldwork (else: nothing to give)."""
    return bool(cases.with_fieldwork(request.db, request.scope.wave, request.scope.topics))


def _dispositions(request: Request, path: Path, bom: bool = True) -> int:
    scope = request.scope
    tally = Tally()
    with path.open("wb") as out:
        chunks = cases.chunks(request.db, scope.wave, scope.topics)
        for block in csv_bytes(chunks, dispositions.VARIABLES, bom=bom, tally=tally):
            out.write(block)
    return tally.rows


def _dispositions_utf8(request: Request, path: Path) -> int:
    return _dispositions(request, path, bom=False)


def _dispositions_codebook(request: Request, path: Path) -> int:
    book = guard(codebook(dispositions.VARIABLES))
    path.write_bytes(book.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"))
    return len(book)


def _metadata(request: Request) -> dict[str, str]:
    scope = request.scope
    return scope.filters() | {
        "questionnaire_versions": "；".join(scope.versions()),
        "generated_at": request.at.isoformat(),
        "generated_by": request.actor,
    }


def manifest(request: Request, of: str) -> Manifest:
    """The manifest of format `of`, built the same way as the download and hashed.

    CSV and the codebook are byte-for-byte reproducible, so this SHA-256 matches a CSV
    downloaded while the rows stayed the same. XLSX and SAV embed their creation time, so the
    views never rebuild one for a manifest: theirs comes with the background job's very file
    (survey/staff/downloads/background.py), and an inline one's SHA-256 travels with it
    (X-Content-SHA256) and into the audit log.
    """
    built = build(request, of)
    built.handle.close()
    request.audit(MANIFEST, of=of, rows=built.rows, sha256=built.sha256)
    return Manifest(
        file=request.scope.filename(FORMATS[of][0]),
        format=of,
        rows=built.rows,
        sha256=built.sha256,
        filters=request.scope.filters() | {"generated_by": request.actor},
        questionnaire_version="；".join(request.scope.versions()),
        generated_at=request.at,
    )
