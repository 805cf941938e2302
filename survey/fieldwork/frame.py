"""Read the evaluator's frame file (CSV in UTF-8 or GB18030, or XLSX) in chunks of text rows.

One row per contact: an id, a phone, a district, a street (optional) and any other columns,
which are kept as the case's attributes. Columns are found as the monitoring import finds
them (`generator.sheets.columns`: built-in aliases, or a `--mapping` file), and the text encoding is
detected the same way (`generator.monitor.reading.detect_encoding`). Every value stays text
here, so a bad value becomes a reported reject in `checks`, never a parse failure. Rows are
numbered as a spreadsheet shows them: the header is row 1, the first contact row 2.
"""

from __future__ import annotations

import codecs
import datetime as dt
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any, Final, Literal

import openpyxl
import pandas as pd
from pydantic import RootModel

from generator.errors import YitiError
from generator.monitor.reading import detect_encoding, normalise_encoding
from generator.sheets import columns as tabular

CONTACT_ID: Final = "contact_id"
PHONE: Final = "phone"
DISTRICT: Final = "district"
STREET: Final = "street"
ROW: Final = "row"
FIELDS: Final = tabular.Fields(
    order=(CONTACT_ID, PHONE, DISTRICT, STREET),
    required=(CONTACT_ID, PHONE, DISTRICT),
    aliases={
        CONTACT_ID: ("contact_id", "id", "编号", "联系人编号", "工单编号", "诉求编号", "工单号"),
        PHONE: ("phone", "电话", "手机", "手机号", "手机号码", "联系电话", "电话号码", "来电号码"),
        DISTRICT: ("district", "区", "所属区", "区县"),
        STREET: ("street", "街乡镇", "街道", "所属街乡镇"),
    },
    labels={CONTACT_ID: "编号", PHONE: "电话", DISTRICT: "区", STREET: "街乡镇"},
    guide="README.md 的“电话调查”一节",
)
CHUNK_ROWS: Final = 50_000  # rows read, checked and stored at a time: bounds memory
_SAMPLE_BYTES: Final = 256 << 10  # enough text to tell UTF-8 from GB18030 reliably


class FrameError(YitiError):
    """The frame cannot be imported at all; nothing was stored."""


class FrameMapping(RootModel[dict[str, Literal["contact_id", "phone", "district", "street"]]]):
    """A mapping file for frames: source header → field, e.g. `联系方式: phone`."""


def load_mapping(path: Path) -> dict[str, str]:
    """A frame mapping file, validated (problems located as `file:line: field: message`)."""
    return tabular.load_mapping(path, FrameMapping)


def read_chunks(
    path: Path,
    mapping: dict[str, str] | None = None,
    encoding: str | None = None,
    rows: int = CHUNK_ROWS,
) -> Iterator[pd.DataFrame]:
    """Frames of at most `rows` rows: ROW, the four fields ("" when absent), then every other
    column under its own header, all as text ("" for empty cells)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(path, mapping, rows)
    if suffix in (".csv", ".txt"):
        return _csv(path, mapping, encoding, rows)
    raise FrameError(f"{path.name}：不支持的文件类型，应为 .csv 或 .xlsx")


def _csv(
    path: Path, mapping: dict[str, str] | None, encoding: str | None, rows: int
) -> Iterator[pd.DataFrame]:
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE_BYTES)
    if not head.strip():
        raise FrameError(f"{path.name}：文件为空")
    enc = normalise_encoding(encoding) if encoding else text_encoding(head)
    first = 2
    try:
        # Inside the try: an unclosed quote or bad bytes in the first lines fail here already.
        reader = pd.read_csv(
            path,
            encoding=enc,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            chunksize=rows,
        )
        with reader:
            for chunk in reader:
                yield _fields(_one_field_more(chunk, path.name, first), mapping, first)
                first += len(chunk)
    except UnicodeError as exc:  # also UTF-16's "stream does not start with BOM"
        raise FrameError(f"{path.name}：按 {enc} 读取失败（{exc}），请用 --encoding 指定") from exc
    except pd.errors.ParserError as exc:
        raise FrameError(f"{path.name}：{_parser_problem(exc)}；请修正该行后重新导入") from exc


def _one_field_more(chunk: pd.DataFrame, name: str, first: int) -> pd.DataFrame:
    """The chunk as the file has it when its first row has one field more than the header.

    Some exports end every line with a comma. pandas then takes the first column for an
    index and shifts every value one column left (the phone read as the id, and so on), so
    each row would be rejected for the wrong reasons. The fields are put back in place; the
    extra one is dropped when empty everywhere, else the file is refused at its first row.
    """
    if isinstance(chunk.index, pd.RangeIndex):
        return chunk
    extra = "\0extra"  # no header holds a NUL
    table = chunk.reset_index().set_axis([*chunk.columns, extra], axis=1)
    filled = (table[extra] != "").to_numpy()
    if filled.any():
        row = first + int(filled.argmax())
        raise FrameError(
            f"{name}：第 {row} 行比表头多一列（“{table[extra].iloc[filled.argmax()][:40]}”）；"
            "请删去多余的内容或给该列加上表头后重新导入"
        )
    return table.drop(columns=[extra])


def text_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) if the first bytes decode so, else GB18030 if they decode so,
    else the monitoring import's detection. Beijing's files are one or the other, and on a
    small file a statistical detector may take GB18030 text for Korean."""
    sample = head[: head.rfind(b"\n") + 1] or head  # never cut a character in two
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return "utf-8-sig" if sample.startswith(codecs.BOM_UTF8) else encoding
    return detect_encoding(head)


def _parser_problem(error: pd.errors.ParserError) -> str:
    """pandas' "Expected 4 fields in line 7, saw 5" said in Chinese, with the line number."""
    words = str(error).replace(",", " ").split()
    numbers = [w for w in words if w.isdigit()]
    if "Expected" in words and len(numbers) >= 3:
        expected, line, seen = numbers[:3]
        return f"第 {line} 行有 {seen} 列，表头只有 {expected} 列"
    if "EOF" in words and numbers:  # "EOF inside string starting at row 1", counted from 0
        return f"第 {int(numbers[-1]) + 1} 行的双引号没有配对（到文件末尾都没有结束的引号）"
    return f"无法按 CSV 读取（{error}）"


def _xlsx(path: Path, mapping: dict[str, str] | None, rows: int) -> Iterator[pd.DataFrame]:
    """The first sheet, streamed row by row (read-only mode keeps memory flat)."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or mislabelled file
        raise FrameError(f"{path.name}：无法按 Excel 文件读取（{exc}）") from exc
    try:
        values = book.worksheets[0].iter_rows(values_only=True)
        header = _unique([_cell(v) for v in next(values, ())])
        if not any(header):
            raise FrameError(f"{path.name}：第一张工作表没有表头")
        first = 2
        while block := list(islice(values, rows)):
            table = [[_cell(v) for v in row[: len(header)]] for row in block]
            table = [row + [""] * (len(header) - len(row)) for row in table]
            yield _fields(pd.DataFrame(table, columns=header, dtype=str), mapping, first)
            first += len(block)
    finally:
        book.close()


def _unique(header: list[str]) -> list[str]:
    """Header names made unique as pandas makes a CSV's: a blank one `Unnamed: i` (i from 0),
    a repeat `name.1`, `name.2` … (two blank or equal header cells broke the import)."""
    out: list[str] = []
    for index, name in enumerate(header):
        name = name or f"Unnamed: {index}"
        given, repeat = name, 0
        while name in out:
            repeat += 1
            name = f"{given}.{repeat}"
        out.append(name)
    return out


def _cell(value: Any) -> str:
    """A cell as the text a person sees: 13800138000, not 13800138000.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _fields(chunk: pd.DataFrame, mapping: dict[str, str] | None, first: int) -> pd.DataFrame:
    """Headers renamed to fields, ROW in front, missing fields as "", other columns kept."""
    headers = [str(h) for h in chunk.columns]
    found = tabular.resolve_headers(headers, mapping, FIELDS)
    table = chunk.set_axis(headers, axis=1).rename(columns=found)
    for field in FIELDS.order:
        if field not in table.columns:
            table[field] = ""
    extra = [h for h in headers if h not in found]
    out = table[[*FIELDS.order, *extra]].reset_index(drop=True)
    out.insert(0, ROW, range(first, first + len(out)))
    return out


def attribute_columns(chunk: pd.DataFrame) -> list[str]:
    """The columns of a read chunk that are not ROW or a field: kept as attributes."""
    return [c for c in chunk.columns if c != ROW and c not in FIELDS.order]
