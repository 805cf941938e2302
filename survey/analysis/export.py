"""Downloads from an iterator of row chunks: CSV and XLSX stream, SPSS needs the whole table.

The repository yields DataFrame chunks (say 10,000 rows); CSV bytes are produced one chunk at a
time and XLSX rows go through XlsxWriter's constant-memory mode (each row is flushed to a temporary
file once the next begins; 1.1 to 1.5 times as fast as openpyxl's write-only mode, BENCHMARKS.md),
so neither holds every row. pyreadstat can only write a whole DataFrame:
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
import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.format import Format  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from survey.analysis.errors import ExportTooLargeError as ExportTooLargeError
from survey.analysis.variables import (
    FORMULA_STARTS,
    Variable,
    codebook,
    coded,
    guard,
    guard_arrow,
    measure,
    prepare,
    spss_format,
)

BOM: Final = "\ufeff"  # lets Excel on Chinese Windows read UTF-8 instead of GBK
SHEETS: Final = ("responses", "codebook", "metadata")
# Measured (bench/export.py): a 500,000-row download of the standard questionnaire peaks at about
# 840 MB (1,000,000 rows at about 1.9 GB before); large SPSS downloads belong in a background job.
SAV_MAX_ROWS: Final = 1_000_000
# One Excel sheet holds 1,048,576 rows; the first is the header.
XLSX_MAX_ROWS: Final = 1_048_575
XLSX_TOO_LARGE: Final = "Excel 工作表最多 {max_rows} 行答卷；请按议题分别下载，或下载 CSV"
# Text stays text: no "=…" formulas, no links, no numbers parsed from strings.
WORKBOOK_OPTIONS: Final = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
# Characters XML 1.0 forbids (openpyxl refuses them); a pasted comment may carry one.
ILLEGAL_XML: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
REPLACEMENT: Final = "\ufffd"
GUARD_NOTE: Final = (
    "以 = + - @、制表符或回车开头的文本：CSV 中前加单引号（'）；XLSX 中以文本保存（不作为公式）。"
)


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
    max_rows: int = XLSX_MAX_ROWS,
) -> int:
    """Sheets responses, codebook and metadata, written by XlsxWriter in constant-memory mode.

    `prepared`: the chunks already hold the declared columns (the download path), so
    `prepare` is skipped. More than `max_rows` rows (one Excel sheet's limit) raise
    ExportTooLargeError: Excel would not open the file.
    """
    workbook = xlsxwriter.Workbook(str(out) if isinstance(out, Path) else out, WORKBOOK_OPTIONS)
    quoted = workbook.add_format({"quote_prefix": True})
    responses, book, meta = (workbook.add_worksheet(title) for title in SHEETS)
    _write_row(responses, 0, [v.name for v in variables], quoted)
    rows = 0
    for chunk in chunks:
        table = chunk if prepared else prepare(chunk, variables)
        if rows + len(table) > max_rows:
            workbook.close()
            raise ExportTooLargeError(XLSX_TOO_LARGE.format(max_rows=max_rows))
        for record in table.itertuples(index=False, name=None):
            rows += 1
            _write_row(responses, rows, record, quoted)
    _write_frame(book, codebook(variables), quoted)
    details = {**metadata, "rows": str(rows), "formula_guard": GUARD_NOTE}
    _write_frame(meta, pd.DataFrame(list(details.items()), columns=["key", "value"]), quoted)
    workbook.close()
    return rows


def _write_frame(sheet: Worksheet, frame: pd.DataFrame, quoted: Format) -> None:
    _write_row(sheet, 0, list(frame.columns), quoted)
    for row, record in enumerate(frame.itertuples(index=False, name=None), start=1):
        _write_row(sheet, row, record, quoted)


def _write_row(sheet: Worksheet, row: int, values: Iterable[Any], quoted: Format) -> None:
    """Missing as empty; text always as text (never a formula or a link), and text that looks
    like a formula with a quote prefix, so Excel keeps it text if someone edits the cell."""
    for col, value in enumerate(values):
        if isinstance(value, str):
            value = ILLEGAL_XML.sub(REPLACEMENT, value)
            fmt = quoted if value.startswith(FORMULA_STARTS) else None
            sheet.write_string(row, col, value, fmt)
        elif value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        elif isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(row, col, value)
        else:
            sheet.write(row, col, value)


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
            v.name: {float(code): label for code, label in v.value_labels().items()}
            for v in variables
            if v.values
        },
        missing_ranges={v.name: [float(c) for c in v.missing] for v in variables if v.missing},
        variable_measure={v.name: measure(v) for v in variables},
        variable_format={v.name: f for v in variables if (f := spss_format(v)) is not None},
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
