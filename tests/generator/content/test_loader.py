"""Loading the content folder: the shipped content passes, broken copies fail all at once."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from generator.content.loader import load_content
from generator.content.models import Topic
from generator.content.yamlsource import Source, read_yaml
from generator.errors import ContentError
from tests.conftest import CONTENT
from tests.generator.conftest import ELEVATORS, edit, messages

E = str(ELEVATORS)


def test_shipped_content_passes() -> None:
    content = load_content(CONTENT)
    assert len(content.topics) >= 1
    assert content.site.title
    assert len(content.directory.districts) == 16


def test_every_error_in_several_files_is_reported_in_one_run(content_dir: Path) -> None:
    # A missing top-level key points at line 1: the key belongs to the document itself.
    line_title = edit(content_dir / ELEVATORS, "\ntitle: 老楼加装电梯\n", "\ntitel: 老楼加装电梯\n")
    line_branch = edit(content_dir / ELEVATORS, "          to: design", "          to: nowhere")
    line_site = edit(content_dir / "site.yml", "current_year: 2024", "current_year: twenty")
    found = messages(content_dir)
    assert f"{E}:1: title: 必填项缺失 (required)，请补上这一项" in found
    assert f"{E}:{line_title}: titel: 不认识的字段 (unknown field)，请检查拼写或删除" in found
    assert f"site.yml:{line_site}: current_year: 应为整数 (whole number expected)" in found
    # The topic failed model validation, so its graph is not checked; the site error still shows.
    assert not any(f":{line_branch}:" in m for m in found)


def test_errors_in_two_topics_are_reported_together(content_dir: Path) -> None:
    other = content_dir / "topics/2022/second.yml"
    other.write_text(
        (content_dir / ELEVATORS)
        .read_text(encoding="utf-8")
        .replace("slug: old-building-elevators", "slug: second"),
        encoding="utf-8",
    )
    line_a = edit(content_dir / ELEVATORS, "          to: mediation", "          to: gone")
    line_b = edit(other, "  districts: [东城区,", "  districts: [火星区,")
    found = messages(content_dir)
    assert f"{E}:{line_a}: procedure.steps[1].branches[1].to: 没有 id 为 “gone” 的步骤" in found
    assert (
        f"topics/2022/second.yml:{line_b}: governance.districts[0]: “火星区”不在区名录中（如：朝阳区）"
        in found
    )


def test_yaml_syntax_error_names_the_line_the_bracket_opens(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "\nmonth: 3\n", "\nmonth: [3\n")
    assert messages(content_dir) == [
        f"{E}:{line}: YAML 语法错误：这里开始的方括号 [ ] 没有正确闭合；缺少逗号或右方括号 ]"
        f"（在第 {line + 1} 行发现）"
    ]


def test_unclosed_quote_is_reported_where_it_opens_not_at_the_end(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "\ntitle: 老楼加装电梯\n", '\ntitle: "老楼加装电梯\n')
    assert line == 8
    assert messages(content_dir) == [
        f"{E}:8: YAML 语法错误：这里开始的引号没有闭合；直到文件末尾也没有找到结束的引号"
    ]


def test_unclosed_quote_closed_by_a_later_quote_is_reported_where_it_opens(
    content_dir: Path,
) -> None:
    edit(content_dir / ELEVATORS, "\ntitle: 老楼加装电梯\n", '\ntitle: "老楼加装电梯\n')
    later = edit(
        content_dir / ELEVATORS,
        "      unit: 部\n      baseline: 0\n      target: 1000",
        '      unit: "部"\n      baseline: 0\n      target: 1000',
    )
    assert messages(content_dir) == [
        f"{E}:8: YAML 语法错误：这里开始的引号没有闭合：它一直延续到第 {later} 行的下一个引号，"
        "YAML 在那里无法继续解析"
    ]


@pytest.mark.parametrize(
    ("new", "offset", "said"),
    [
        ("\nmonth: 3\n\tbad: 1\n", 1, "这一行用了 Tab 缩进"),
        ("\nmonth: 3\n- 4\n", 1, "缩进不对"),
        ("\nmonth: 3: 4\n", 0, "这里不能出现“键: 值”"),
        ('\nmonth: "\\q"\n', 0, "无法识别的反斜杠转义"),
        ("\nmonth: 3\x07\n", 0, "含有 YAML 不允许的字符 U+0007"),
        ('\nmonth: "\\ud800"\n', 0, "\\u 转义不是有效的字符"),
        ("\nmonth: 3\nsummary\n", 1, "缺少“键: 值”中的冒号"),
    ],
)
def test_yaml_syntax_errors_are_said_in_chinese_at_their_line(
    content_dir: Path, new: str, offset: int, said: str
) -> None:
    line = edit(content_dir / ELEVATORS, "\nmonth: 3\n", new) + offset
    (found,) = messages(content_dir)
    assert found.startswith(f"{E}:{line}: YAML 语法错误："), found
    assert said in found and "while" not in found and "found" not in found, found


def test_duplicate_keys_are_a_syntax_error(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "\nmonth: 3\n", "\nmonth: 3\nmonth: 4\n")
    found = messages(content_dir)
    assert f"{E}:{line + 1}: month: YAML 语法错误：重复的键，请删除其中一个" in found


def test_file_that_is_not_utf8_is_reported(content_dir: Path) -> None:
    (content_dir / ELEVATORS).write_bytes("title: 老楼".encode("gb18030"))
    assert any(
        m.startswith(f"{E}:1: 不是 UTF-8 编码的文本") and "另存为" in m
        for m in messages(content_dir)
    )


@pytest.mark.parametrize("text", ["", "# 待写\n", "---\n"])
def test_an_empty_or_comment_only_file_says_it_is_empty(content_dir: Path, text: str) -> None:
    (content_dir / ELEVATORS).write_text(text, encoding="utf-8")
    assert f"{E}:1: 文件是空的（或只有注释）：请写入内容，或删除这个文件" in messages(content_dir)


def test_a_second_document_in_one_file_is_said_in_chinese(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "\nstatus: tracking\n", "\nstatus: tracking\n---\n")
    assert messages(content_dir) == [
        f"{E}:{line + 1}: YAML 语法错误：一个文件只能有一份内容：这一行的 --- 开始了第二份，"
        "请删除它，或把第二份移到另一个文件"
    ]


@pytest.mark.parametrize(
    "moved", ["topics/2022/old-building-elevators.yaml", "topics/old-building-elevators.yml"]
)
def test_a_topic_file_that_would_not_be_read_is_reported(content_dir: Path, moved: str) -> None:
    shutil.copy(content_dir / ELEVATORS, content_dir / moved)
    assert messages(content_dir) == [
        f"{moved}: 这个文件不会被读取：议题文件应为 topics/<年份>/<slug>.yml"
        "（以小写 .yml 结尾，放在年份文件夹里），请改名或移动"
    ]


def test_a_directory_saved_in_gb18030_is_named_with_its_line(content_dir: Path) -> None:
    path = content_dir / "directory/districts.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    (found,) = messages(content_dir)
    assert found.startswith("directory/districts.csv:2: 不是 UTF-8 编码的文本"), found
    assert "GB18030" in found


def test_top_level_list_is_reported(content_dir: Path) -> None:
    (content_dir / ELEVATORS).write_text("- a\n- b\n", encoding="utf-8")
    assert f"{E}:1: 文件顶层应为键值结构（key: value），而不是单个值或列表" in messages(content_dir)


def test_missing_site_file_is_reported(content_dir: Path) -> None:
    (content_dir / "site.yml").unlink()
    assert "site.yml: 文件不存在" in messages(content_dir)


def test_missing_content_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="内容目录不存在"):
        load_content(tmp_path / "nope")


def test_bad_directory_row_is_reported_with_its_line(content_dir: Path) -> None:
    edit(content_dir / "directory/districts.csv", "110105,朝阳区,3452460", "110105,朝阳区,lots")
    assert any(
        m.startswith("directory/districts.csv:4: population_2020:") for m in messages(content_dir)
    )


def test_street_in_an_unknown_district_is_reported(content_dir: Path) -> None:
    edit(
        content_dir / "directory/streets.csv",
        "110101001,东华门街道,110101,东城区,街道",
        "110101001,东华门街道,110101,东城县,街道",
    )
    assert "directory/streets.csv:2: district: 区“东城县”不在 districts.csv 中" in messages(
        content_dir
    )


def test_source_locates_the_deepest_existing_part(content_dir: Path) -> None:
    source, _ = read_yaml(content_dir / ELEVATORS)
    assert isinstance(source, Source)
    text = (content_dir / ELEVATORS).read_text(encoding="utf-8").splitlines()
    line = source.line_of(("qa", 2, "answer"))
    assert text[line - 1].strip().startswith("answer:")
    # A missing key points at its parent: where the editor must add it.
    assert source.line_of(("qa", 2, "missing")) == line - 1


yaml_text = st.text(
    alphabet=st.sampled_from([*list("abc:-[]{}'\"#&*!|>%@`,? \n\t0123456789.年题"), "\ufeff"]),
    max_size=200,
)


@pytest.fixture(scope="module")
def bare_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """site.yml and the directory only, so each fuzz example loads one topic file."""
    root = tmp_path_factory.mktemp("fuzz") / "content"
    shutil.copytree(CONTENT / "directory", root / "directory")
    shutil.copy(CONTENT / "site.yml", root / "site.yml")
    (root / "topics/2022").mkdir(parents=True)
    return root


@settings(max_examples=200, deadline=None)
@given(text=yaml_text)
def test_any_topic_text_yields_a_content_error_never_a_crash(bare_content: Path, text: str) -> None:
    (bare_content / "topics/2022/fuzz.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(bare_content)
    assert all(p.file.endswith("fuzz.yml") for p in caught.value.problems)


@settings(max_examples=200)
@given(
    data=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda kids: (
            st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=8), kids, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_any_parsed_structure_is_a_model_or_a_validation_error(data: object) -> None:
    with contextlib.suppress(ValidationError):
        Topic.model_validate(data)


def test_a_date_that_does_not_exist_is_reported_at_its_line(content_dir: Path) -> None:
    line = edit(content_dir / ELEVATORS, "        - date: 2022-09-30", "        - date: 2022-09-31")
    assert messages(content_dir) == [
        f"{E}:{line}: YAML 语法错误：日期不存在，请检查年、月、日：2022-09-31"
    ]
