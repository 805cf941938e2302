"""Downloads from an iterator of row chunks: CSV and XLSX stream, SPSS needs the whole table.

The repository yields DataFrame chunks (say 10,000 rows); CSV bytes are produced one chunk at a
time and XLSX rows go through openpyxl's write-only mode (rows are spooled to a temporary file, not
kept as cell objects), so neither holds every row. pyreadstat can only write a whole DataFrame:
`write_sav` codes each chunk to compact columns as it arrives and refuses more than `max_rows`,
so the SPSS download's memory is bounded and known. Every file gets a manifest with its SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
import pyreadstat
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from survey.analysis.variables import (
    FORMULA_STARTS,
    Variable,
    codebook,
    coded,
    guard,
    guard_arrow,
    prepare,
)

BOM: Final = "\ufeff"  # lets Excel on Chinese Windows read UTF-8 instead of GBK
SHEETS: Final = ("responses", "codebook", "metadata")
# Measured (bench/export.py): a 500,000-row download of the standard questionnaire peaks at about
# 840 MB (1,000,000 rows at about 1.9 GB before); large SPSS downloads belong in a background job.
SAV_MAX_ROWS: Final = 1_000_000
# Characters XML 1.0 forbids (openpyxl refuses them); a pasted comment may carry one.
ILLEGAL_XML: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
REPLACEMENT: Final = "\ufffd"
GUARD_NOTE: Final = (
    "以 = + - @、制表符或回车开头的文本：CSV 中前加单引号（'）；XLSX 中以文本保存（不作为公式）。"
)


class ExportTooLargeError(ValueError):
    """The SPSS file would need more rows in memory than allowed; CSV has no such limit."""


@dataclass
class Tally:
    """Filled in while an export streams: rows written and the SHA-256 of every byte."""

    rows: int = 0
    digest: Any = field(default_factory=hashlib.sha256)

    def sha256(self) -> str:
        """Hex digest of the bytes so far."""
        return str(self.digest.hexdigest())


def _csv_header(variables: Sequence[Variable], bom: bool) -> bytes:
    header = pd.DataFrame(columns=[v.name for v in variables]).to_csv(
        index=False, lineterminator="\r\n"
    )
    return ((BOM if bom else "") + header).encode("utf-8")


def csv_table_bytes(
    tables: Iterable[pa.Table],
    variables: Sequence[Variable],
    *,
    bom: bool = True,
    tally: Tally | None = None,
) -> Generator[bytes, None, None]:
    """`csv_bytes` for chunks already in the declared columns (Arrow tables): the download path.

    Arrow's CSV writer quotes every text cell ("needed" quoting), which spreadsheets and
    pandas read exactly as the unquoted form; the guard runs on every chunk before writing.
    """
    tally = tally if tally is not None else Tally()
    first = _csv_header(variables, bom)
    tally.digest.update(first)
    yield first
    options = pacsv.WriteOptions(include_header=False, eol="\r\n", batch_size=4096)
    for table in tables:
        sink = pa.BufferOutputStream()
        pacsv.write_csv(guard_arrow(table), sink, options)
        block = sink.getvalue().to_pybytes()
        tally.rows += table.num_rows
        tally.digest.update(block)
        yield block


def csv_bytes(
    chunks: Iterable[pd.DataFrame],
    variables: Sequence[Variable],
    *,
    bom: bool = True,
    tally: Tally | None = None,
) -> Iterator[bytes]:
    """The CSV as UTF-8 byte blocks (header, then one block per chunk), pulled lazily."""
    tally = tally if tally is not None else Tally()
    first = _csv_header(variables, bom)
    tally.digest.update(first)
    yield first
    for chunk in chunks:
        table = guard(prepare(chunk, variables))
        block = table.to_csv(index=False, header=False, lineterminator="\r\n").encode("utf-8")
        tally.rows += len(table)
        tally.digest.update(block)
        yield block


def write_csv(
    chunks: Iterable[pd.DataFrame],
    variables: Sequence[Variable],
    out: IO[bytes],
    *,
    bom: bool = True,
) -> Tally:
    """Write the CSV to a binary stream block by block; returns rows and SHA-256."""
    tally = Tally()
    for block in csv_bytes(chunks, variables, bom=bom, tally=tally):
        out.write(block)
    return tally


def write_xlsx(
    chunks: Iterable[pd.DataFrame],
    variables: Sequence[Variable],
    out: Path | IO[bytes],
    metadata: Mapping[str, str],
    *,
    prepared: bool = False,
) -> int:
    """Sheets responses, codebook and metadata, written in openpyxl's write-only mode.

    `prepared`: the chunks already hold the declared columns (the download path), so
    `prepare` is skipped.
    """
    workbook = Workbook(write_only=True)
    responses, book, meta = (workbook.create_sheet(title) for title in SHEETS)
    responses.append([v.name for v in variables])
    rows = 0
    for chunk in chunks:
        table = chunk if prepared else prepare(chunk, variables)
        for record in table.itertuples(index=False, name=None):
            responses.append([_cell(responses, value) for value in record])
        rows += len(table)
    _append_frame(book, codebook(variables))
    details = {**metadata, "rows": str(rows), "formula_guard": GUARD_NOTE}
    _append_frame(meta, pd.DataFrame(list(details.items()), columns=["key", "value"]))
    workbook.save(out)
    return rows


def _append_frame(sheet: WriteOnlyWorksheet, frame: pd.DataFrame) -> None:
    sheet.append(list(frame.columns))
    for record in frame.itertuples(index=False, name=None):
        sheet.append([_cell(sheet, value) for value in record])


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """Missing as empty; text that looks like a formula stored as text with a quote prefix."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if not isinstance(value, str):
        return value
    value = ILLEGAL_XML.sub(REPLACEMENT, value)
    if not value.startswith(FORMULA_STARTS):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    cell.quotePrefix = True  # and Excel keeps it text if someone edits the cell
    return cell


def write_sav(
    chunks: Iterable[pd.DataFrame],
    variables: Sequence[Variable],
    path: Path,
    *,
    max_rows: int = SAV_MAX_ROWS,
    prepared: bool = False,
) -> int:
    """SPSS .sav with variable labels, value labels and user-missing codes (pyreadstat)."""
    parts, rows = [], 0
    for chunk in chunks:
        rows += len(chunk)
        if rows > max_rows:
            raise ExportTooLargeError(f"SPSS 文件最多 {max_rows} 行；请缩小范围，或下载 CSV")
        parts.append(coded(chunk if prepared else prepare(chunk, variables), variables))
    empty = pd.DataFrame({v.name: pd.Series(dtype=_sav_dtype(v)) for v in variables})
    table = pd.concat(parts, ignore_index=True) if parts else empty
    pyreadstat.write_sav(
        table,
        str(path),
        column_labels=[v.label for v in variables],
        variable_value_labels={
            v.name: {float(code): label for code, label in v.values} for v in variables if v.values
        },
        missing_ranges={v.name: [float(c) for c in v.missing] for v in variables if v.missing},
    )
    return rows


def _sav_dtype(variable: Variable) -> str:
    return "object" if variable.kind == "text" else "float64"


@dataclass(frozen=True)
class Manifest:
    """What was downloaded: enough to check a file years later against the audit log."""

    file: str
    format: str
    rows: int
    sha256: str
    filters: Mapping[str, str]
    questionnaire_version: str
    generated_at: datetime
    notes: tuple[str, ...] = (GUARD_NOTE,)

    def to_json(self) -> str:
        """Pretty JSON with Chinese kept readable."""
        data = asdict(self) | {"generated_at": self.generated_at.isoformat()}
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in blocks."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
