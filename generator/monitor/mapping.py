"""Which column of an export holds which field: built-in header aliases plus an optional file.

Exports from different systems name the same field differently (受理时间, 来电时间, …). The
built-in aliases cover the common names; a mapping file (YAML, `源列名: 字段`) covers the rest
and wins over the aliases. Documented in content/monitoring/README.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import RootModel, ValidationError

from generator.errors import ContentError, YitiError
from generator.monitor.columns import (
    CATEGORY,
    DISTRICT,
    KIND,
    RECEIVED_AT,
    RECORD_COLUMNS,
    REQUEST_ID,
    REQUIRED_FIELDS,
    STREET,
    TEXT,
)
from generator.yamlsource import read_yaml

Field = Literal["request_id", "received_at", "kind", "category", "district", "street", "text"]

# Header names recognised without a mapping file, compared after trimming spaces.
ALIASES: dict[str, tuple[str, ...]] = {
    REQUEST_ID: ("request_id", "工单编号", "工单号", "诉求编号", "编号"),
    RECEIVED_AT: ("received_at", "受理时间", "来电时间", "登记时间", "诉求时间"),
    KIND: ("kind", "诉求性质", "诉求类型"),
    CATEGORY: ("category", "问题分类", "一级分类", "诉求分类"),
    DISTRICT: ("district", "区", "所属区", "区县", "承办区"),
    STREET: ("street", "街乡镇", "街道", "所属街乡镇", "承办街乡镇"),
    TEXT: ("text", "诉求内容", "问题描述", "诉求摘要", "内容"),
}
FIELD_LABELS: dict[str, str] = {
    REQUEST_ID: "诉求编号",
    RECEIVED_AT: "受理时间",
    KIND: "诉求性质",
    CATEGORY: "问题分类",
    DISTRICT: "区",
    STREET: "街乡镇",
    TEXT: "诉求内容",
}


_ALIAS_FIELDS = {alias: field for field, names in ALIASES.items() for alias in names}


class MappingFile(RootModel[dict[str, Field]]):
    """A mapping file: source header → field name, e.g. `来件时间: received_at`."""


class MappingError(YitiError):
    """The file's headers do not supply every required field."""


def load_mapping(path: Path) -> dict[str, str]:
    """Read and validate a mapping file; problems are located as `file:line: field: message`."""
    source, problems = read_yaml(path)
    if source is None:
        raise ContentError(problems)
    try:
        return dict(MappingFile.model_validate(source.data).root)
    except ValidationError as exc:
        raise ContentError(source.problems_from(exc)) from exc


def resolve_headers(headers: list[str], mapping: dict[str, str] | None = None) -> dict[str, str]:
    """Source header → field for every field found.

    A field the mapping names takes only the mapping's column (the aliases then do not count).
    Raises MappingError listing every problem: mapping entries for columns the file does not
    have, a field claimed by more than one column, required fields with no column.
    """
    mapped = {_clean(h): f for h, f in (mapping or {}).items()}
    names = {h: _clean(h) for h in headers}
    problems = [f"映射文件中的列“{h}”不在文件中" for h in mapped if h not in names.values()]
    found = {h: f for h in headers if (f := _field_of(names[h], mapped)) is not None}
    for field in RECORD_COLUMNS:
        claimed = [h for h, f in found.items() if f == field]
        if len(claimed) > 1:
            problems.append(
                f"{'、'.join(f'“{h}”' for h in claimed)} 都对应 {FIELD_LABELS[field]}（{field}），"
                "一个字段只能取一列：请在映射文件中只写要用的那一列"
            )
    missing = [f for f in REQUIRED_FIELDS if f not in found.values()]
    if missing:
        problems.append(
            f"找不到这些必需的列：{'、'.join(f'{FIELD_LABELS[f]}（{f}）' for f in missing)}"
        )
    if problems:
        raise MappingError(
            "；".join(problems) + f"。文件的列为：{'、'.join(headers)}。"
            "请用 --mapping 指定一个映射文件（见 content/monitoring/README.md）"
        )
    return found


def _clean(header: str) -> str:
    """Headers are compared without surrounding spaces or a byte-order mark."""
    return header.strip().lstrip("\ufeff").strip()


def _field_of(name: str, mapped: dict[str, str]) -> str | None:
    """The field a header names: the mapping's, else a built-in alias of a field not mapped."""
    if name in mapped:
        return mapped[name]
    field = _ALIAS_FIELDS.get(name)
    return None if field in mapped.values() else field


def ordered_fields(found: dict[str, str]) -> list[str]:
    """The fields present, in record-column order."""
    return [f for f in RECORD_COLUMNS if f in found.values()]
