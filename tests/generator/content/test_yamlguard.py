"""What YAML accepts, or refuses in misleading words, when an editor meant something else."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.content.loader import load_content
from tests.generator.conftest import ELEVATORS, edit, messages

E = str(ELEVATORS)
TITLE = "\ntitle: 老楼加装电梯\n"


def laughs(levels: int) -> str:
    """The "billion laughs": each anchor is a list of nine aliases of the one before."""
    text = 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * 9)
        text += f"a{level}: &a{level} [{aliases}]\n"
    return text


def test_an_alias_bomb_is_refused_at_its_anchor_at_once(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, TITLE, f"\n{laughs(10)}title: *a9\n")
    started = time.monotonic()
    found = messages(content_dir)
    assert time.monotonic() - started < 5  # it took longer than any editor waits
    # a5 is the first to stand for more than 100,000 values (9**6): its own line is named.
    assert found == [
        f"{E}:{line + 5}: YAML 锚点和别名（& 与 *）层层引用，展开后超过 100000 项："
        "请直接写出内容，不要嵌套引用"
    ]


@pytest.mark.parametrize("loop", ["loop: &x [*x]", "loop: &x {a: {b: *x}}"])
def test_an_alias_inside_its_own_anchor_is_refused_not_a_crash(
    content_dir: Path, loop: str
) -> None:
    line = edit(content_dir / ELEVATORS, TITLE, f"\n{loop}\ntitle: 老楼加装电梯\n")
    assert messages(content_dir) == [
        f"{E}:{line}: YAML 锚点（&）里用别名（*）引用了它自己，内容会无限展开：请删除这个别名"
    ]


def test_an_alias_that_repeats_a_list_still_loads(content_dir: Path) -> None:
    edit(
        content_dir / ELEVATORS,
        "  partners: [市规划自然资源委, 市财政局,",
        "  partners: &all [市规划自然资源委, 市财政局,",
    )
    edit(content_dir / ELEVATORS, "      partners: [各管线产权单位]", "      partners: *all")
    (topic,) = load_content(content_dir).topics_of(2022)
    assert "市财政局" in topic.lists.tasks[2].partners


@pytest.mark.parametrize(
    ("space", "name"),
    [
        ("\u3000\u3000", "全角空格（U+3000"),
        ("\u00a0\u00a0", "不换行空格（U+00A0"),
        ("\ufeff  ", "U+FEFF"),
    ],
)
def test_a_pasted_space_as_indentation_is_named_at_its_line(
    content_dir: Path, space: str, name: str
) -> None:
    old = "  lead_department: 市住房城乡建设委\n"
    line = edit(content_dir / ELEVATORS, old, f"{space}lead_department: 市住房城乡建设委\n")
    (found,) = messages(content_dir)
    assert found.startswith(f"{E}:{line}: YAML 语法错误：行首有"), found
    assert name in found and "YAML 只认半角空格" in found, found


def test_a_full_width_space_opening_a_paragraph_is_not_blamed(content_dir: Path) -> None:
    # Chinese paragraphs start with two full-width spaces; the missing colon is the error.
    old = "  并把加装后的运行维护责任落实到位。\nstatus: tracking"
    line = edit(content_dir / ELEVATORS, old, f"  \u3000\u3000{old.replace(': ', ' ')}")
    (found,) = messages(content_dir)
    assert found.startswith(f"{E}:{line + 1}: YAML 语法错误：这一行缺少“键: 值”中的冒号"), found


def test_a_file_saved_in_gb18030_is_named_with_its_first_bad_line(content_dir: Path) -> None:
    text = (content_dir / ELEVATORS).read_text(encoding="utf-8")
    (content_dir / ELEVATORS).write_bytes(text.encode("gb18030"))
    (found,) = messages(content_dir)
    # Line 1 is an ASCII comment; line 2 is the first with Chinese.
    assert found.startswith(f"{E}:2: 不是 UTF-8 编码的文本"), found
    assert "GB18030" in found and "UTF-8" in found


def test_a_hidden_character_in_a_key_is_shown_by_its_code(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, TITLE, "\ntitle\u200b: 老楼加装电梯\n")
    assert (
        f"{E}:{line}: title\u200b: 不认识的字段 (unknown field)，请检查拼写或删除"
        "（字段名里有看不见的字符：title⟨U+200B 零宽空格⟩，请删除后重新输入）"
    ) in messages(content_dir)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("2022", "YAML 把它读成了数字（2022）；要写成文字，请给整个值加引号"),
        ("1:30", "YAML 把它读成了数字（90）"),
        ("yes", "YAML 把它读成了真假值（yes、no、on、off、true、false 都是）；"),
        ("2022-03-01", "YAML 把它读成了日期（2022-03-01）"),
        ("", "冒号后没有内容，请填写，或删除这一项"),
    ],
)
def test_a_title_yaml_reads_as_no_text_says_what_it_read_and_to_quote_it(
    content_dir: Path, typed: str, said: str
) -> None:
    line = edit(content_dir / ELEVATORS, TITLE, f"\ntitle: {typed}\n")
    (found,) = messages(content_dir)
    assert found.startswith(f"{E}:{line}: title: 应为文字 (text expected)：{said}"), found


def test_a_too_long_slug_and_a_fractional_month_are_said_in_chinese(content_dir: Path) -> None:
    line_slug = edit(content_dir / ELEVATORS, "slug: old-building-elevators", "slug: " + "a" * 61)
    line_month = edit(content_dir / ELEVATORS, "\nmonth: 3\n", "\nmonth: 3.5\n")
    found = messages(content_dir)
    assert f"{E}:{line_slug}: slug: 太长 (too long)：最多 60 个字符" in found
    assert f"{E}:{line_month}: month: 应为整数，不能有小数 (whole number expected)" in found


def test_text_after_a_spaced_hash_is_reported_not_dropped_as_a_comment(
    content_dir: Path,
) -> None:
    line = edit(content_dir / ELEVATORS, TITLE, "\ntitle: 老楼加装电梯 #试点\n")
    assert messages(content_dir) == [
        f"{E}:{line}: “ #”之后的文字会被 YAML 当作注释丢掉：如果它是内容，请给整个值加引号"
        "（或去掉 # 前的空格）；如果是注释，请移到上一行"
    ]


def test_comments_after_numbers_flags_and_on_their_own_line_still_load(content_dir: Path) -> None:
    edit(content_dir / ELEVATORS, "\nmonth: 3\n", "\n# 三月启动\nmonth: 3  # 三月\n")
    edit(content_dir / ELEVATORS, "\nsample: true\n", "\nsample: true  # 示例\n")
    edit(content_dir / ELEVATORS, TITLE, '\ntitle: "老楼加装电梯 #1"  # 引号里的 # 是内容\n')
    (topic,) = load_content(content_dir).topics_of(2022)
    assert topic.title == "老楼加装电梯 #1"


@pytest.mark.parametrize("mark", ["\u2028", "\u2029", "\x85"])
def test_a_pasted_line_separator_is_named_at_the_line_an_editor_sees(
    content_dir: Path, mark: str
) -> None:
    # YAML breaks the line there: the summary's next words became a key "without a colon",
    # reported one line further down than the editor's line.
    line = edit(content_dir / ELEVATORS, "本议题推动", f"本议题{mark}推动")
    (found,) = messages(content_dir)
    assert found.startswith(f"{E}:{line}: 含有看不见的换行符 U+{ord(mark):04X}"), found
    assert "请删除它" in found


@pytest.mark.parametrize(
    ("typed", "start", "meaning"),
    [
        ("[试点] 老楼加装电梯", "[", "列表的开始"),
        ('"老楼"加装电梯', '"', "引号（引号要包住整个值）"),
        ("{: .x} 老楼", "{", "键值结构的开始（{{ }}、{: } 也是）"),
        ("{{ 7*7 }}", "{", "键值结构的开始（{{ }}、{: } 也是）"),
        ("*注意 老楼", "*", "别名"),
    ],
)
def test_text_starting_with_a_yaml_sign_asks_for_quotes_with_the_quoted_value(
    content_dir: Path, typed: str, start: str, meaning: str
) -> None:
    line = edit(content_dir / ELEVATORS, TITLE, f"\ntitle: {typed}\n")
    assert messages(content_dir) == [
        f"{E}:{line}: YAML 语法错误：这一行的值以“{start}”开头，YAML 把它当作{meaning}："
        f"如果这是文字，请给整个值加单引号，写作 title: '{typed}'"
    ]


def test_a_list_item_starting_with_a_bracket_is_quoted_as_an_item(content_dir: Path) -> None:
    old = "    - problem: 管线改移协调难、费用高\n"
    line = edit(content_dir / ELEVATORS, old, f"{old}    - [试点] 老楼\n") + 1
    assert messages(content_dir) == [
        f"{E}:{line}: YAML 语法错误：这一行的值以“[”开头，YAML 把它当作列表的开始："
        "如果这是文字，请给整个值加单引号，写作 - '[试点] 老楼'"
    ]


@pytest.mark.parametrize("levels", [600, 1500])
def test_brackets_nested_without_end_are_said_in_chinese_not_a_crash(
    content_dir: Path, levels: int
) -> None:
    deep = "[" * levels + "]" * levels
    line = edit(content_dir / ELEVATORS, TITLE, f"\ndeep: {deep}\ntitle: 老楼加装电梯\n")
    (found,) = messages(content_dir)
    assert found.startswith(f"{E}:{line}: "), found
    assert "嵌套超过" in found and "请检查" in found and "recursion" not in found, found
