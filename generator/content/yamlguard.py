"""What YAML accepts, or refuses in words that mislead, when an editor meant something else.

- Anchors and aliases (`&a`, `*a`) share one node: a file of a few hundred bytes can stand for
  billions of values ("billion laughs"), or for a value that contains itself. Both are refused,
  at the anchor's line, before anything walks the tree (`yamlaliases`).
- Text pasted from Word, WeChat or the web brings full-width, non-breaking and zero-width
  spaces that look like indentation or nothing at all, and line separators (U+2028) that YAML
  takes for line breaks: YAML's own error then points at the wrong thing or the wrong line.
- Text that starts with `[`, `{`, a quote or `*` (`[试点] 老楼`, `{{ 7*7 }}`) is YAML syntax,
  and text after ` #` is a comment: the first gets "quote it" with the quoted value, the
  second is refused rather than published cut short.
- A value YAML read as a number, yes/no, a date or a list says so; an unclosed quote that YAML
  closed at the next quote further down is reported where it opens.
- A file saved in GB18030 (the Chinese Windows default) is named as such, at its first line
  that is not UTF-8.

Imports only PyYAML, yamlaliases and generator.errors: yamlsource.py calls it while reading a file.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

import yaml
from yaml.nodes import Node, ScalarNode

from generator.content.yamlaliases import children
from generator.errors import Problem

# Characters that look like a space or like nothing, with the name an editor knows them by.
_INVISIBLE = {
    "\u3000": "全角空格",
    "\u00a0": "不换行空格",
    "\u200b": "零宽空格",
    "\u200c": "零宽不连字",
    "\u200d": "零宽连字",
    "\u2060": "零宽不换行空格",
    "\ufeff": "零宽不换行空格（BOM）",
}

_KEY_OR_ITEM = re.compile(r"- |[^\s:#][^:]*:(\s|$)")


def invisible_problem(label: str, text: str, error: yaml.MarkedYAMLError) -> Problem | None:
    """A syntax error on a line that starts with a space YAML does not count as one."""
    lines = text.split("\n")
    marks = [m.line for m in (error.problem_mark, error.context_mark) if m is not None]
    # libyaml may read such a line as the previous value's continuation and stop on the next.
    for number in sorted({n for line in marks for n in (line, line - 1) if 0 <= n < len(lines)}):
        line = lines[number]
        lead = line[: len(line) - len(line.lstrip("".join(_INVISIBLE) + " \t"))]
        found = next((c for c in lead if c in _INVISIBLE), None)
        # Only where a key or a list item follows: a paragraph of a `>`/`|` text may start so.
        if found is not None and _KEY_OR_ITEM.match(line[len(lead) :]):
            return Problem(
                label,
                number + 1,
                "",
                f"YAML 语法错误：行首有{_INVISIBLE[found]}（U+{ord(found):04X}，"
                "常见于从 Word 或微信粘贴），YAML 只认半角空格：请删除它，用普通空格缩进",
            )
    return None


def said_visibly(text: str) -> str:
    """`text` with each invisible or look-alike space written as its code point, so a message
    that quotes a key or a name shows why it does not match."""
    return "".join(
        f"⟨U+{ord(c):04X} {_INVISIBLE[c]}⟩"
        if c in _INVISIBLE
        else (f"⟨U+{ord(c):04X}⟩" if unicodedata.category(c) == "Cf" else c)
        for c in text
    )


def encoding_problem(label: str, data: bytes, error: UnicodeDecodeError) -> Problem:
    """Not UTF-8: the first line that is not, and GB18030 named when the bytes are that."""
    line = data[: error.start].count(b"\n") + 1
    try:
        data.decode("gb18030")
        guess = "，看起来是 GB18030/GBK 编码（Windows 中文默认）"
    except UnicodeDecodeError:
        guess = ""
    return Problem(
        label,
        line,
        "",
        f"不是 UTF-8 编码的文本（第 {error.start + 1} 字节）{guess}："
        "请在编辑器里选“另存为”，编码选 UTF-8",
    )


def hint_for(error: Any) -> str:
    """What to add to a pydantic error's message when YAML read something else than the
    editor typed: a value that became a number, a date or a list, a key with a hidden space."""
    value = error.get("input")
    if error["type"] == "extra_forbidden" and error["loc"]:
        key = str(error["loc"][-1])
        shown = said_visibly(key)
        return f"（字段名里有看不见的字符：{shown}，请删除后重新输入）" if shown != key else ""
    if error["type"] != "string_type":
        return ""
    if value is None:
        return "：冒号后没有内容，请填写，或删除这一项"
    kind = next((said for types, said in _READ_AS if isinstance(value, types)), None)
    if kind is None:
        return ""
    scalar = isinstance(value, (int, float, date)) and not isinstance(value, bool)
    read = f"（{value}）" if scalar else ""
    return f'：YAML 把它读成了{kind}{read}；要写成文字，请给整个值加引号："……"'


# What YAML makes of an unquoted value, most specific first (a bool is an int in Python).
_READ_AS: list[tuple[type | tuple[type, ...], str]] = [
    (bool, "真假值（yes、no、on、off、true、false 都是）"),
    ((int, float), "数字"),
    ((datetime, date), "日期"),
    (list, "列表（以 [ 或“- ”开头）"),
    (dict, "键值结构（以 { 开头，或含有“: ”）"),
]


def comment_problems(label: str, text: str, root: Node) -> list[Problem]:
    """Unquoted text followed by ` #` on its line: YAML drops the rest as a comment, so
    `地址: 3号楼 #2单元` would be published as “3号楼”. Comments after true, numbers and
    dates, or on a line of their own, are fine."""
    lines = text.split("\n")
    # Only a line with text, then blanks, then # can hold one (most files have one or none),
    # and only the values spanning such a line are looked into: a walk of every value cost a
    # 100-topic build a tenth of a second.
    suspects = {number for number, line in enumerate(lines) if _AFTER_TEXT.search(line)}
    out, seen, stack = [], set(), [root] if suspects else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if not isinstance(node, ScalarNode):
            stack += [c for c in children(node) if _spans(c, suspects)]
            continue
        if node.style or node.tag != _STR:
            continue
        end = node.end_mark
        if end.line in suspects and _COMMENT.match(lines[end.line][end.column :]):
            out.append(
                Problem(
                    label,
                    end.line + 1,
                    "",
                    "“ #”之后的文字会被 YAML 当作注释丢掉：如果它是内容，请给整个值加引号"
                    "（或去掉 # 前的空格）；如果是注释，请移到上一行",
                )
            )
    return sorted(out)


_STR = "tag:yaml.org,2002:str"


def _spans(node: Node, lines: set[int]) -> bool:
    """Whether `node` starts or ends on one of `lines`, or runs across one."""
    first, last = node.start_mark.line, node.end_mark.line
    return any(first <= line <= last for line in lines)


_COMMENT = re.compile(r"[ \t]+#")
_AFTER_TEXT = re.compile(r"\S[ \t]+#")


# Line breaks to YAML, but not to an editor, which shows them as nothing or as a symbol: every
# line number YAML gives after one would be off by one, and a value is cut where it stands.
_HIDDEN_BREAKS = {"\u2028": "行分隔符", "\u2029": "段分隔符", "\x85": "下一行控制符"}


def hidden_break_problems(label: str, text: str) -> list[Problem]:
    """Each line with a break YAML sees and an editor does not (pasted from the web, WeChat)."""
    if not any(found in text for found in _HIDDEN_BREAKS):  # the usual file: no line looked at
        return []
    return [
        Problem(
            label,
            number,
            "",
            f"含有看不见的换行符 U+{ord(found):04X}（{_HIDDEN_BREAKS[found]}，常见于从网页或微信"
            "粘贴），YAML 会在这里断行：请删除它",
        )
        for number, line in enumerate(text.split("\n"), start=1)
        for found in sorted({c for c in line if c in _HIDDEN_BREAKS})
    ]


# What YAML takes a value's first character for, when the editor meant it as text.
_SPECIAL_STARTS = {
    "[": "列表的开始",
    "{": "键值结构的开始（{{ }}、{: } 也是）",
    '"': "引号（引号要包住整个值）",
    "'": "引号（引号要包住整个值）",
    "*": "别名",
    "&": "锚点",
    "!": "标签",
    "|": "多行文字的标记",
    ">": "多行文字的标记",
}
_VALUE = re.compile(r"^(?P<key>\s*(?:- )*(?:[^\s:#'\"][^:#]*:\s+)?(?:- )*)(?P<value>\S.*)$")
# Errors inside a bracket or quote that was meant as one: those messages already say it.
_MEANT = (
    "while parsing a flow sequence",
    "while parsing a flow mapping",
    "while scanning a quoted",
    "while parsing a quoted",
    "while increasing",  # nesting deeper than libyaml's 1,000 levels: not a typed value
)


def special_start_problem(label: str, text: str, error: yaml.MarkedYAMLError) -> Problem | None:
    """A value that starts with `[`, `{`, a quote, `*`… and goes on as text (`[试点] 老楼`,
    `"老楼"加装电梯`, `{{ 7*7 }}`): YAML's words (缩进不对, 缺少值) would point elsewhere."""
    found = error.problem_mark
    lines = text.split("\n")
    if found is None or found.line >= len(lines) or (error.context or "").startswith(_MEANT):
        return None
    match = _VALUE.match(lines[found.line].rstrip())
    if match is None or match["value"][0] not in _SPECIAL_STARTS:
        return None
    if found.column <= len(match["key"]):
        return None
    start, value = match["value"][0], match["value"]
    value = value if len(value) <= 40 else value[:40] + "……"
    quoted = " ".join(filter(None, [match["key"].strip(), "'" + value.replace("'", "''") + "'"]))
    return Problem(
        label,
        found.line + 1,
        "",
        f"YAML 语法错误：这一行的值以“{start}”开头，YAML 把它当作{_SPECIAL_STARTS[start]}："
        f"如果这是文字，请给整个值加单引号，写作 {quoted}",
    )


def explained_syntax(label: str, text: str, error: yaml.MarkedYAMLError) -> Problem | None:
    """A syntax error said by what the editor most likely did, if it can be told."""
    return (
        stray_quote(label, text, error)
        or invisible_problem(label, text, error)
        or special_start_problem(label, text, error)
    )


def stray_quote(label: str, text: str, error: yaml.MarkedYAMLError) -> Problem | None:
    """An unclosed quote that YAML closed at the next quote further down (then failed there):
    a quoted value running over several lines up to the error is reported where it opens."""
    found = error.problem_mark
    if found is None:
        return None
    quoted = None
    try:
        for token in yaml.scan(text, Loader=yaml.CSafeLoader):
            if token.start_mark.line > found.line:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ('"', "'"):
                quoted = token
    except yaml.YAMLError:
        pass  # the tokens before the error are what matter
    if quoted is None or quoted.start_mark.line == quoted.end_mark.line:
        return None
    if quoted.end_mark.line != found.line:
        return None
    start, end = quoted.start_mark.line + 1, quoted.end_mark.line + 1
    message = (
        f"这里开始的引号没有闭合：它一直延续到第 {end} 行的下一个引号，YAML 在那里无法继续解析"
    )
    return Problem(label, start, "", f"YAML 语法错误：{message}")
