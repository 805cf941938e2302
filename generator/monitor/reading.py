"""Read an export (CSV, XLSX or Parquet) into raw Arrow batches of text, one at a time.

Every field stays text here, so a bad value becomes a reported reject in `validate`, never a
parse failure that stops the whole file. Rows are numbered as a spreadsheet shows them: the
header is row 1, the first record row 2.
"""

from __future__ import annotations

import codecs
import csv
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import charset_normalizer
import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from generator.errors import YitiError
from generator.monitor.columns import CATEGORY, DISTRICT, KIND, READ_PROBLEM, ROW, STREET
from generator.monitor.layout import Layout, csv_layout, long_cells
from generator.monitor.mapping import ordered_fields, resolve_headers
from generator.monitor.prefetch import prefetch

BATCH_ROWS = 1_000_000  # rows per raw batch: bounds memory on a 25M-row year
_BLOCK_BYTES = 16 << 20  # pyarrow CSV block (about 130,000 rows); arrow reads several ahead
_SAMPLE_BYTES = 256 << 10  # enough text to tell UTF-8 from GB18030 reliably
# The GB family nests (GB2312 ⊂ GBK ⊂ GB18030): always decode with the superset.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "hz"}
FORMATS = ("csv", "xlsx", "parquet")
# Few distinct values: read as dictionaries, so validation looks up each distinct value once.
_CSV_TYPES = dict.fromkeys(
    (KIND, CATEGORY, DISTRICT, STREET), pa.dictionary(pa.int32(), pa.string())
)


class InputError(YitiError):
    """The file cannot be read at all (unknown format, undecodable text, no header)."""


class RaggedRowsError(Exception):
    """The fast CSV reader met rows with the wrong number of fields; reread exactly."""


def file_format(path: Path) -> str:
    """csv, xlsx or parquet, from the file name."""
    suffix = path.suffix.lower().lstrip(".")
    fmt = {"txt": "csv", "tsv": "csv", "xls": "xlsx", "pq": "parquet"}.get(suffix, suffix)
    if fmt not in FORMATS:
        raise InputError(f"{path.name}：不支持的文件类型，应为 .csv、.xlsx 或 .parquet")
    return fmt


def detect_encoding(sample: bytes) -> str:
    """The text encoding of a file from its first bytes: UTF-8 if it decodes, else detected."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    # Excel's "Unicode text" is UTF-16 with a byte-order mark; Python's codec reads the mark.
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    end = max(sample.rfind(b"\n"), sample.rfind(b"\r"))  # a line end: LF, CRLF or a bare CR
    sample = sample[: end + 1] or sample  # never cut a character in two
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        raise InputError("无法识别文件的编码，请用 --encoding 指定（如 gb18030 或 utf-8）")
    return normalise_encoding(best.encoding)


def normalise_encoding(name: str) -> str:
    """A codec name Python knows, with any GB-family name widened to GB18030."""
    try:
        canonical = codecs.lookup(name).name
    except LookupError as exc:
        raise InputError(f"不认识的编码：{name}") from exc
    return "gb18030" if canonical.replace("_", "") in _GB_FAMILY else canonical


def read_batches(
    path: Path,
    encoding: str | None = None,
    mapping: dict[str, str] | None = None,
    exact: bool = False,
) -> Iterator[pa.RecordBatch]:
    """Raw batches (ROW, each mapped field as text, READ_PROBLEM unless there can be none) from
    any supported file. KIND, CATEGORY, DISTRICT and STREET may be dictionary-encoded.

    For CSV, the fast reader raises RaggedRowsError if a row has the wrong number of fields; call
    again with `exact=True` to read line by line and report those rows by number.
    """
    fmt = file_format(path)
    if fmt == "xlsx":
        return map(_to_batch, _xlsx(path, mapping))
    if fmt == "parquet":
        return _parquet(path, mapping)
    enc = normalise_encoding(encoding) if encoding else detect_encoding(_head(path))
    if exact:
        return map(_to_batch, _csv_exact(path, enc, mapping))
    return prefetch(_csv_fast(path, enc, mapping))


def _to_batch(frame: pd.DataFrame) -> pa.RecordBatch:
    return pa.RecordBatch.from_pandas(frame, preserve_index=False)


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(_SAMPLE_BYTES)


def _layout(path: Path, encoding: str, mapping: dict[str, str] | None) -> Layout:
    """The file's delimiter and header row; every problem named with the file."""
    try:
        return csv_layout(path, encoding, mapping)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path.name}：按 {encoding} 读取失败（{exc}），请用 --encoding 指定"
        ) from exc
    except csv.Error as exc:
        raise InputError(f"{path.name}：无法按 CSV 读取表头（{exc}）") from exc
    except YitiError as exc:
        raise InputError(f"{path.name}：{exc}") from exc


def _frame(columns: dict[str, pd.Series], found: dict[str, str], first_row: int) -> pd.DataFrame:
    """Rename source headers to fields, number the rows, and add an empty READ_PROBLEM."""
    n = len(next(iter(columns.values())))
    data = {found[h]: _as_text(s) for h, s in columns.items()}
    out = pd.DataFrame({f: data[f] for f in ordered_fields(found)})
    out.insert(0, ROW, np.arange(first_row, first_row + n, dtype="int64"))
    out[READ_PROBLEM] = pd.Series("", index=out.index, dtype="str")
    return out


def _as_text(values: pd.Series) -> pd.Series:
    """Text with "" for missing; categoricals (dictionary-encoded CSV columns) stay as they are."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.reset_index(drop=True)
    return values.fillna("").astype("str").reset_index(drop=True)


def _csv_fast(
    path: Path, encoding: str, mapping: dict[str, str] | None
) -> Iterator[pa.RecordBatch]:
    layout = _layout(path, encoding, mapping)
    if not layout.records_follow:  # Arrow cannot read a lone header without a line end
        return
    found = layout.found
    ragged: list[str] = []
    row = layout.first_row
    try:
        for batch in _open_csv(path, encoding, layout, ragged):
            if ragged:
                raise RaggedRowsError
            yield _arrow_batch(batch, found, row)
            row += batch.num_rows
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path.name}：按 {encoding} 读取失败（{exc}），请用 --encoding 指定"
        ) from exc
    if ragged:
        raise RaggedRowsError


def _arrow_batch(batch: pa.RecordBatch, found: dict[str, str], first_row: int) -> pa.RecordBatch:
    """The CSV reader's batch with fields for headers and ROW in front: no copy of the text."""
    header = {f: h for h, f in found.items()}
    fields = ordered_fields(found)
    rows = pa.array(np.arange(first_row, first_row + batch.num_rows, dtype="int64"))
    return pa.RecordBatch.from_arrays(
        [rows, *(batch.column(header[f]) for f in fields)], names=[ROW, *fields]
    )


def _arrow_encoding(encoding: str) -> str:
    """Arrow reads UTF-8 (and skips a BOM) natively only when told 'utf8'; any other name
    sends every byte through a Python transcoder that buffers the file ahead."""
    return "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding


def _open_csv(path: Path, encoding: str, layout: Layout, ragged: list[str]) -> Any:
    """Arrow's streaming CSV reader; rows with the wrong number of fields land in `ragged`."""
    found = layout.found

    def on_invalid(row: pacsv.InvalidRow) -> str:
        ragged.append(row.text)
        return "skip"

    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            encoding=_arrow_encoding(encoding), block_size=_BLOCK_BYTES, skip_rows=layout.skip
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=layout.delimiter, invalid_row_handler=on_invalid, ignore_empty_lines=False
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={h: _CSV_TYPES.get(f, pa.string()) for h, f in found.items()},
            include_columns=list(found),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _csv_exact(path: Path, encoding: str, mapping: dict[str, str] | None) -> Iterator[pd.DataFrame]:
    """Record by record with the csv module: slower, but every row keeps its number."""
    layout = _layout(path, encoding, mapping)
    header, found = layout.header, layout.found
    try:
        with path.open(encoding=encoding, newline="") as handle, long_cells():
            reader = csv.reader(handle, delimiter=layout.delimiter)
            for _ in range(layout.skip + 1):  # the rows above the header, and the header
                next(reader)
            where = [header.index(h) for h in found]
            rows: list[list[str]] = []
            problems: list[str] = []
            first = layout.first_row
            for line in reader:
                problems.append(_width_problem(line, len(header)))
                rows.append([line[i] if i < len(line) else "" for i in where])
                if len(rows) == BATCH_ROWS:
                    yield _rows_frame(rows, problems, found, first)
                    first, rows, problems = first + len(rows), [], []
            if rows:
                yield _rows_frame(rows, problems, found, first)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path.name}：按 {encoding} 读取失败（{exc}），请用 --encoding 指定"
        ) from exc


def _width_problem(line: list[str], expected: int) -> str:
    # A row with no text at all is a blank row (skipped by the checks), whatever its width.
    if len(line) == expected or not any(cell.strip() for cell in line):
        return ""
    return f"列数不对：应为 {expected} 列，实际 {len(line)} 列"


def _rows_frame(
    rows: list[list[str]], problems: list[str], found: dict[str, str], first: int
) -> pd.DataFrame:
    columns = pd.DataFrame(rows, columns=list(found), dtype="str")
    frame = _frame({h: columns[h] for h in found}, found, first)
    return frame.assign(**{READ_PROBLEM: pd.Series(problems, dtype="str")})


def _xlsx(path: Path, mapping: dict[str, str] | None) -> Iterator[pd.DataFrame]:
    """The sheet that holds the records, in batches of text rows (see `workbook`)."""
    # Imported here: openpyxl costs `yiti build`, which reads no export, 0.2 s to import.
    from generator.monitor.workbook import sheet_rows

    try:
        sheet = sheet_rows(path, mapping)
    except YitiError as exc:
        raise InputError(str(exc)) from exc
    found, first = sheet.layout.found, sheet.layout.first_row
    while rows := list(itertools.islice(sheet.rows, BATCH_ROWS)):
        yield _rows_frame(rows, [""] * len(rows), found, first)
        first += len(rows)


def _parquet(path: Path, mapping: dict[str, str] | None) -> Iterator[pa.RecordBatch]:
    handle = pq.ParquetFile(path)
    found = resolve_headers(handle.schema_arrow.names, mapping)
    row = 2
    for batch in handle.iter_batches(batch_size=BATCH_ROWS, columns=list(found)):
        text = batch.select(list(found)).cast(pa.schema([(h, pa.string()) for h in found]))
        yield _arrow_batch(_without_nulls(text), found, row)
        row += batch.num_rows


def _without_nulls(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Missing values as "", as a CSV has them."""
    columns = [c.fill_null("") if c.null_count else c for c in batch.columns]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)
