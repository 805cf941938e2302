"""Which column of an export holds which field: built-in header aliases plus an optional file.

Exports from different systems name the same field differently (受理时间, 来电时间, …). The
built-in aliases cover the common names; a mapping file (YAML, `源列名: 字段`) covers the rest
and wins over the aliases (the rules are `generator.sheets.columns`'s, shared with the survey's
frame import). Documented in content/monitoring/README.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import RootModel

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
from generator.sheets import columns as tabular
from generator.sheets.columns import MappingError

__all__ = ["MappingError", "load_mapping", "ordered_fields", "resolve_headers"]

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
FIELDS = tabular.Fields(
    order=RECORD_COLUMNS,
    required=REQUIRED_FIELDS,
    aliases=ALIASES,
    labels=FIELD_LABELS,
    guide="content/monitoring/README.md",
)


class MappingFile(RootModel[dict[str, Field]]):
    """A mapping file: source header → field name, e.g. `来件时间: received_at`."""


def load_mapping(path: Path) -> dict[str, str]:
    """Read and validate a mapping file; problems are located as `file:line: field: message`."""
    return tabular.load_mapping(path, MappingFile)


def resolve_headers(headers: list[str], mapping: dict[str, str] | None = None) -> dict[str, str]:
    """Source header → field for every monitoring field found (see `tabular.resolve_headers`)."""
    return tabular.resolve_headers(headers, mapping, FIELDS)


def ordered_fields(found: dict[str, str]) -> list[str]:
    """The fields present, in record-column order."""
    return tabular.ordered_fields(found, FIELDS)
