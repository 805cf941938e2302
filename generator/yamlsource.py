"""Read YAML keeping line numbers, so every problem can point at `file:line`.

PyYAML's C parser composes the node tree (about 30x faster than a pure-Python round-trip
parser on our topic files); we index every key and item's line while constructing plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.nodes import MappingNode, Node, SequenceNode

from generator.errors import Problem

Loc = tuple[str | int, ...]

# Pydantic's error types, said for an editor (in Chinese, with the English term in brackets).
_MESSAGES: dict[str, str] = {
    "missing": "必填项缺失 (required)，请补上这一项",
    "extra_forbidden": "不认识的字段 (unknown field)，请检查拼写或删除",
    "string_type": "应为文字 (text expected)",
    "string_too_short": "不能为空 (must not be empty)",
    "string_pattern_mismatch": "格式不对 (bad format)：{pattern_hint}",
    "int_parsing": "应为整数 (whole number expected)",
    "int_type": "应为整数 (whole number expected)",
    "float_parsing": "应为数字 (number expected)",
    "float_type": "应为数字 (number expected)",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表 (list expected)：每项以“- ”开头",
    "dict_type": "应为键值结构 (mapping expected)",
    "model_type": "应为键值结构 (mapping expected)",
    "too_short": "至少需要 {min_length} 项 (at least {min_length} items)",
    "literal_error": "只能是以下之一 (one of)：{expected}",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD (date expected)",
    "date_from_datetime_inexact": "应为日期 YYYY-MM-DD，不带时间 (date expected)",
    "date_parsing": "应为日期 YYYY-MM-DD (date expected)",
    "date_type": "应为日期 YYYY-MM-DD (date expected)",
    "datetime_parsing": "应为带时区的时间，如 2024-06-15T09:00:00+08:00",
    "datetime_type": "应为带时区的时间，如 2024-06-15T09:00:00+08:00",
    "greater_than_equal": "不能小于 {ge} (must be ≥ {ge})",
    "greater_than": "必须大于 {gt} (must be > {gt})",
    "less_than_equal": "不能大于 {le} (must be ≤ {le})",
    "value_error": "{error}",
    "url_parsing": "不是有效网址 (invalid URL)，应以 http:// 或 https:// 开头",
    "url_scheme": "网址应以 http:// 或 https:// 开头",
}
_PATTERN_HINTS = {
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$": "只用小写英文字母、数字和连字符，如 old-elevators",
    r"^\d{4}-(mid|end)$": "调查批次写作 YYYY-mid 或 YYYY-end，如 2024-mid",
}


@dataclass(frozen=True)
class Source:
    """A parsed YAML file, where it came from, and the line of every key and list item."""

    path: Path
    label: str
    data: Any
    lines: dict[Loc, int]

    def line_of(self, loc: Loc) -> int:
        """Line (1-based) of the deepest part of `loc` that exists in the file."""
        for depth in range(len(loc), 0, -1):
            line = self.lines.get(loc[:depth])
            if line is not None:
                return line
        return 1

    def problem(self, loc: Loc, message: str) -> Problem:
        """A problem located at `loc` in this file."""
        return Problem(self.label, self.line_of(loc), format_loc(loc), message)

    def problems_from(self, error: ValidationError) -> list[Problem]:
        """Every pydantic error of `error`, located and said for an editor."""
        return [self.problem(_clean(e["loc"]), message_for(e)) for e in error.errors()]


def format_loc(loc: Loc) -> str:
    """`('qa', 2, 'answer')` → `qa[2].answer`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _clean(loc: tuple[Any, ...]) -> Loc:
    # Pydantic adds validator names such as 'function-after[...]' for some types; drop them.
    return tuple(p for p in loc if isinstance(p, int) or "[" not in str(p))


def message_for(error: Any) -> str:
    """A pydantic error said for an editor (Chinese, with the English term)."""
    template = _MESSAGES.get(error["type"])
    ctx = dict(error.get("ctx") or {})
    ctx.setdefault("pattern_hint", _PATTERN_HINTS.get(str(ctx.get("pattern")), ctx.get("pattern")))
    if template is None:
        return str(error["msg"])
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return str(error["msg"])


def label_for(path: Path) -> str:
    """The path as an editor would type it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_yaml(path: Path) -> tuple[Source | None, list[Problem]]:
    """Parse one YAML file; a syntax error becomes a located problem, never a traceback."""
    label = label_for(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [
            Problem(label, 0, "", f"不是 UTF-8 编码的文本（第 {exc.start} 字节），请另存为 UTF-8")
        ]
    except OSError as exc:
        return None, [Problem(label, 0, "", f"无法读取文件：{exc.strerror}")]
    try:
        loader = yaml.CSafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        return None, [Problem(label, line, "", f"YAML 语法错误：{exc.problem or exc.context}")]
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        return None, [Problem(label, 0, "", f"YAML 无法解析：{exc}")]
    if not isinstance(data, dict) or not isinstance(node, MappingNode):
        return None, [
            Problem(label, 1, "", "文件顶层应为键值结构（key: value），而不是单个值或列表")
        ]
    lines: dict[Loc, int] = {}
    problems: list[Problem] = []
    _index(node, (), lines, problems, label)
    return (None, problems) if problems else (Source(path, label, data, lines), [])


def _index(
    node: Node, loc: Loc, lines: dict[Loc, int], problems: list[Problem], label: str
) -> None:
    """Record the line of every key and item below `node`; duplicate keys are problems."""
    if len(loc) > 50:  # aliases can nest without end; content is never this deep
        return
    if isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*loc, i)] = item.start_mark.line + 1
            _index(item, (*loc, i), lines, problems, label)
    elif isinstance(node, MappingNode):
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node.value, str) else str(key_node.value)
            here = (*loc, key)
            if here in lines:
                problems.append(
                    Problem(
                        label,
                        key_node.start_mark.line + 1,
                        format_loc(here),
                        "YAML 语法错误：重复的键，请删除其中一个",
                    )
                )
            lines[here] = key_node.start_mark.line + 1
            _index(value, here, lines, problems, label)
