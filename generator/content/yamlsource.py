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
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.content.yamlaliases import alias_problem
from generator.content.yamlguard import (
    comment_problems,
    encoding_problem,
    explained_syntax,
    hidden_break_problems,
    hint_for,
)
from generator.errors import Problem

Loc = tuple[str | int, ...]

# Pydantic's error types, said for an editor (in Chinese, with the English term in brackets).
_MESSAGES: dict[str, str] = {
    "missing": "必填项缺失 (required)，请补上这一项",
    "extra_forbidden": "不认识的字段 (unknown field)，请检查拼写或删除",
    "string_type": "应为文字 (text expected)",
    "string_too_short": "不能为空 (must not be empty)",
    "string_too_long": "太长 (too long)：最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不对 (bad format)：{pattern_hint}",
    "int_parsing": "应为整数 (whole number expected)",
    "int_type": "应为整数 (whole number expected)",
    "int_from_float": "应为整数，不能有小数 (whole number expected)",
    "float_parsing": "应为数字 (number expected)",
    "float_type": "应为数字 (number expected)",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表 (list expected)：每项以“- ”开头",
    "dict_type": "应为键值结构 (mapping expected)",
    "model_type": "应为键值结构 (mapping expected)",
    "too_short": "至少需要 {min_length} 项 (at least {min_length} items)",
    "too_long": "最多 {max_length} 项 (at most {max_length} items)",
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
        return template.format(**ctx) + hint_for(error)
    except (KeyError, IndexError):
        return str(error["msg"])


def label_for(path: Path) -> str:
    """The path as an editor would type it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


INVALID_DATE = "日期不存在，请检查年、月、日"
# libyaml's words for what is wrong (the problem) and for the construct it was reading (the
# context), said for an editor. Anything not listed keeps its English words after the Chinese.
_YAML_WORDS: dict[str, str] = {
    "while scanning a quoted scalar": "这里开始的引号没有闭合",
    "while parsing a quoted scalar": "这里的引号里有写法错误",
    "while scanning a simple key": "这一行缺少“键: 值”中的冒号",
    "while parsing a flow sequence": "这里开始的方括号 [ ] 没有正确闭合",
    "while parsing a flow mapping": "这里开始的花括号 { } 没有正确闭合",
    "while scanning a block scalar": "这里开始的多行文字（| 或 >）格式不对",
    "while scanning an anchor": "锚点（&）写法不对",
    "while scanning an alias": "别名（*）写法不对",
    "while scanning a tag": "标签（!）写法不对",
    "found unexpected end of stream": "直到文件末尾也没有找到结束的引号",
    "found unknown escape character": "双引号里有无法识别的反斜杠转义，请把 \\ 写成 \\\\ 或改用单引号",
    "found invalid Unicode character escape code": "双引号里的 \\u 转义不是有效的字符",
    "did not find expected hexdecimal number": "双引号里 \\x、\\u 后面应是十六进制数字",
    "could not find expected ':'": "缺少冒号",
    "did not find expected ',' or ']'": "缺少逗号或右方括号 ]",
    "did not find expected ',' or '}'": "缺少逗号或右花括号 }",
    "mapping values are not allowed in this context": (
        "这里不能出现“键: 值”：冒号后要有空格，值里含有“: ”时请给整个值加引号，或检查缩进"
    ),
    "did not find expected key": "缩进不对：这一行与上面的键没有对齐",
    "did not find expected '-' indicator": "缩进不对：列表项应以“- ”开头并对齐",
    "did not find expected node content": "这里缺少值",
    "found character that cannot start any token": (
        "这里有 YAML 不能识别的字符（常见原因：用了 Tab 缩进，或值以 @、` 开头而没加引号）"
    ),
    "found a tab character that violate": "这一行用了 Tab 缩进，YAML 只能用空格缩进",
    "block sequence entries are not allowed in this context": "这里不能开始列表（- ），请检查缩进",
    "found undefined alias": "用到了没有定义的别名（*）",
    "could not determine a constructor for the tag": "不认识的标签（!），请删除或给值加引号",
    "expected a single document in the stream": (
        "一个文件只能有一份内容：这一行的 --- 开始了第二份，请删除它，或把第二份移到另一个文件"
    ),
    "but found another document": "",
    "while increasing": "",
    "exceeded maximum nesting depth": "括号或缩进嵌套超过 1000 层，请检查括号是否成对",
    # Contexts that name no construct of their own: the problem says it all.
    "while scanning for the next token": "",
    "while scanning a plain scalar": "",
    "while parsing a block mapping": "",
    "while parsing a block collection": "",
    "while parsing a block node": "",
    "while parsing a flow node": "",
}
# Constructs whose start is where the editor must look (an unclosed quote is found at the end of
# the file); for the others the problem's own line is the one to fix.
_STARTS = (
    "while scanning a quoted",
    "while scanning a simple key",
    "while scanning a block scalar",
    "while parsing a quoted",
    "while parsing a flow",
)


def syntax_problem(label: str, error: yaml.MarkedYAMLError) -> Problem:
    """A YAML syntax error at the line where the broken construct starts, said in Chinese."""
    context, problem = error.context or "", error.problem or ""
    start = error.context_mark if context.startswith(_STARTS) else None
    mark = start or error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 0
    parts = [part for part in (context, problem) if part]
    said = [_words(part) for part in parts]
    message = "；".join(filter(None, said)) or "无法解析"
    if None in said:
        message += f"（{'; '.join(parts)}）"
    found = error.problem_mark
    if (
        start is not None
        and found is not None
        and found.line + 1 != line
        and "end of" not in problem
    ):
        message += f"（在第 {found.line + 1} 行发现）"
    return Problem(label, line, "", f"YAML 语法错误：{message}")


class _Loader(yaml.CSafeLoader):
    """The C safe loader, with impossible dates (2022-02-30) located like syntax errors."""

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            problem = f"{INVALID_DATE}：{node.value}"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from exc


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _words(english: str) -> str | None:
    """libyaml's words said in Chinese ("" when nothing needs saying), None if not known."""
    if english.startswith(INVALID_DATE):
        return english  # ours, already said in Chinese
    return next((said for key, said in _YAML_WORDS.items() if english.startswith(key)), None)


def read_yaml(path: Path) -> tuple[Source | None, list[Problem]]:
    """Parse one YAML file; a syntax error becomes a located problem, never a traceback."""
    label = label_for(path)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [encoding_problem(label, raw, exc)]
    except OSError as exc:
        return None, [Problem(label, 0, "", f"无法读取文件：{exc.strerror}")]
    if breaks := hidden_break_problems(label, text):
        return None, breaks
    node, data, refused = _parse(label, text)
    if refused:
        return None, refused
    if data is None:
        return None, [Problem(label, 1, "", "文件是空的（或只有注释）：请写入内容，或删除这个文件")]
    if not isinstance(data, dict) or not isinstance(node, MappingNode):
        return None, [
            Problem(label, 1, "", "文件顶层应为键值结构（key: value），而不是单个值或列表")
        ]
    lines: dict[Loc, int] = {}
    problems: list[Problem] = []
    _index(node, (), lines, problems, label)
    problems += comment_problems(label, text, node)
    return (None, problems) if problems else (Source(path, label, data, lines), [])


def _parse(label: str, text: str) -> tuple[Node | None, Any, list[Problem]]:
    """The document's node and data, or the problem that stops reading it (syntax, a
    character YAML refuses, aliases without end), said in Chinese at its line."""
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            refused = alias_problem(label, node) if node is not None else None
            if refused is not None:
                return None, None, [refused]
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        return None, None, [explained_syntax(label, text, exc) or syntax_problem(label, exc)]
    except yaml.reader.ReaderError as exc:  # libyaml counts bytes of the UTF-8 text
        line = text.encode("utf-8")[: exc.position].count(b"\n") + 1
        code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "?"
        message = f"YAML 语法错误：含有 YAML 不允许的字符 {code}（控制字符），请删除"
        return None, None, [Problem(label, line, "", message)]
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        return None, None, [Problem(label, 0, "", f"YAML 无法解析：{exc}")]
    return node, data, []


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
