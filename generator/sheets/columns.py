"""Which column of someone's spreadsheet holds which field: header aliases plus a mapping file.

Exports from different systems name the same field differently (受理时间, 来电时间, …; 电话,
联系电话, …). Each import names its fields once (`Fields`: order, required ones, built-in
aliases, Chinese labels); a mapping file (YAML, `源列名: 字段`) covers other names and wins over
the aliases. Shared by the monitoring import and the survey's fieldwork frame import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import RootModel, ValidationError

from generator.content.yamlsource import read_yaml
from generator.errors import ContentError, YitiError


@dataclass(frozen=True)
class Fields:
    """The fields one kind of import reads, and how people name their columns."""

    order: tuple[str, ...]  # every field, in the order records keep them
    required: tuple[str, ...]
    aliases: Mapping[str, tuple[str, ...]]  # field → header names recognised without a mapping
    labels: Mapping[str, str]  # field → its name in Chinese, for messages
    guide: str  # where mapping files for this import are explained

    def alias_fields(self) -> dict[str, str]:
        """Header name → field, for every built-in alias."""
        return {alias: field for field, names in self.aliases.items() for alias in names}


class MappingError(YitiError):
    """The file's headers do not supply every required field."""


def load_mapping(path: Path, model: type[RootModel[Any]]) -> dict[str, str]:
    """Read and validate a mapping file; problems are located as `file:line: field: message`.

    `model` is a RootModel of `dict[str, Literal[…fields…]]`, so an unknown field is named.
    """
    source, problems = read_yaml(path)
    if source is None:
        raise ContentError(problems)
    try:
        return dict(model.model_validate(source.data).root)
    except ValidationError as exc:
        raise ContentError(source.problems_from(exc)) from exc


def resolve_headers(
    headers: list[str], mapping: dict[str, str] | None, fields: Fields
) -> dict[str, str]:
    """Source header → field for every field found.

    A field the mapping names takes only the mapping's column (the aliases then do not count).
    Raises MappingError listing every problem: mapping entries for columns the file does not
    have, a field claimed by more than one column, required fields with no column.
    """
    mapped = {clean_header(h): f for h, f in (mapping or {}).items()}
    names = {h: clean_header(h) for h in headers}
    aliases = fields.alias_fields()
    problems = [f"映射文件中的列“{h}”不在文件中" for h in mapped if h not in names.values()]
    found = {h: f for h in headers if (f := _field_of(names[h], mapped, aliases)) is not None}
    problems += [
        f"“{h}”列出现了 {n} 次，无法确定用哪一列：请在文件中删去或改名多余的列"
        for h, n in Counter(headers).items()
        if n > 1 and h in found
    ]
    for field in fields.order:
        claimed = [h for h, f in found.items() if f == field]
        if len(claimed) > 1:
            problems.append(
                f"{'、'.join(f'“{h}”' for h in claimed)} 都对应 {fields.labels[field]}（{field}），"
                "一个字段只能取一列：请在映射文件中只写要用的那一列"
            )
    missing = [f for f in fields.required if f not in found.values()]
    if missing:
        problems.append(
            f"找不到这些必需的列：{'、'.join(f'{fields.labels[f]}（{f}）' for f in missing)}"
        )
    if problems:
        raise MappingError(
            "；".join(problems) + f"。文件的列为：{'、'.join(headers)}。"
            f"请用 --mapping 指定一个映射文件（见 {fields.guide}）"
        )
    return found


def clean_header(header: str) -> str:
    """Headers are compared without surrounding spaces or a byte-order mark."""
    return header.strip().lstrip("\ufeff").strip()


def _field_of(name: str, mapped: dict[str, str], aliases: dict[str, str]) -> str | None:
    """The field a header names: the mapping's, else a built-in alias of a field not mapped."""
    if name in mapped:
        return mapped[name]
    field = aliases.get(name)
    return None if field in mapped.values() else field


def ordered_fields(found: dict[str, str], fields: Fields) -> list[str]:
    """The fields present, in the fields' order."""
    return [f for f in fields.order if f in found.values()]
