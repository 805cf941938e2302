"""Plain text is shown as written, Markdown is sanitised, and templates escape by type."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup
from jinja2 import TemplateAssertionError

from generator.content.models import Topic
from generator.content.models.text import Markdown, markdown_html, plain_html
from generator.site.render.environment import environment, path
from tests.generator.conftest import ELEVATORS, edit, messages


def through_mkdocs(html: str) -> BeautifulSoup:
    """What a browser gets once MkDocs has read our output as Markdown (with its extensions)."""
    extensions = ["admonition", "attr_list", "md_in_html", "def_list", "tables", "toc"]
    return BeautifulSoup(markdown.markdown(html, extensions=extensions), "html.parser")


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "![](https://evil.example/pixel.png)",
        "标题 {: #main .md-button hidden }",
        "{onclick=alert(4)}",
        "{{ 7*7 }} and *emphasis* and __strong__",
        "# 标题",
        "1. 列表",
        "- 列表",
        "| a | b |",
        "---",
        "> 引用",
        "!!! note",
        "<script>alert(1)</script> &amp; &#60;",
        "`code` \\* \\",
    ],
)
def test_plain_text_reads_back_exactly_after_markdown(text: str) -> None:
    soup = through_mkdocs(f"{plain_html(text)}\n\n- 项：{plain_html(text)}\n")
    assert soup.find("p") is not None and soup.find("p").get_text() == text  # type: ignore[union-attr]
    assert soup.find("li").get_text() == f"项：{text}"  # type: ignore[union-attr]
    assert not soup.find_all(["a", "img", "script", "h1", "hr", "table", "em", "strong", "code"])
    assert not soup.select("[id], [class], [hidden], [onclick]")


def test_line_breaks_in_plain_text_are_spaces() -> None:
    assert str(plain_html("甲\n\n乙\t丙\u2028丁")) == "甲 乙 丙 丁"


def test_markdown_keeps_formatting_and_safe_links() -> None:
    html = markdown_html("**须知**：见[通知](https://www.beijing.gov.cn/x?a=1&b=2)。\n\n- 一\n- 二")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("strong").get_text() == "须知"  # type: ignore[union-attr]
    link = soup.find("a")
    assert link is not None and link["href"] == "https://www.beijing.gov.cn/x?a=1&b=2"
    assert link["rel"] == ["noopener", "noreferrer"]
    assert [li.get_text() for li in soup.find_all("li")] == ["一", "二"]
    assert "\n" not in html  # one line: no blank line can end the HTML block around it


@pytest.mark.parametrize(
    ("markdown_text", "gone"),
    [
        ("[x](javascript:alert(1))", "a"),
        ("[x](JaVaScRiPt:alert(1))", "a"),
        ("[x](vbscript:msgbox(1))", "a"),
        ("[x](data:text/html,<script>alert(1)</script>)", "a"),
        ("![](https://evil.example/pixel.png)", "img"),
        ('<img src="https://evil.example/pixel.png">', "img"),
        ("<script>alert(1)</script>", "script"),
        ('<a href="https://x.example" onclick="alert(1)">x</a>', "[onclick]"),
        ("段落\n{: .md-button hidden }", "[class], [hidden]"),
        ('<iframe src="https://evil.example/"></iframe>', "iframe"),
        ("# 标题\n\n| a | b |\n| - | - |\n| 1 | 2 |", "h1, table"),
    ],
)
def test_markdown_is_sanitised_by_an_allow_list(markdown_text: str, gone: str) -> None:
    soup = through_mkdocs(str(markdown_html(markdown_text)))
    assert not soup.select(gone), soup
    assert "alert(1)</script>" not in str(soup) or soup.find("script") is None


def test_markdown_text_is_protected_from_the_second_markdown_pass() -> None:
    # Escaped in the answer, these must not become a link or a list when MkDocs reads the page.
    soup = through_mkdocs(str(markdown_html("\\[x\\](javascript:alert(1)) 和 \\*强调\\*")))
    assert not soup.find_all(["a", "em"]) and "[x](javascript:alert(1))" in soup.get_text()


def test_templates_escape_plain_text_and_render_markdown_by_type() -> None:
    template = environment().from_string("{{ plain }}|{{ md }}|{{ n }}|{{ items | join('、') }}")
    out = template.render(
        plain="**粗** [x](javascript:1)", md=Markdown("**粗**"), n=1.5, items=["*a*", "b"]
    )
    assert out == (
        "&#42;&#42;粗&#42;&#42; &#91;x&#93;&#40;javascript&#58;1&#41;|<p><strong>粗</strong></p>|"
        "1.5|&#42;a&#42;、b"
    )


@pytest.mark.parametrize("filter_name", ["safe", "e", "replace('a', 'b')", "tojson", "xmlattr"])
def test_templates_cannot_turn_text_into_markup(filter_name: str) -> None:
    with pytest.raises(TemplateAssertionError, match="No filter named"):
        environment().from_string(f"{{{{ text | {filter_name} }}}}")


@pytest.mark.parametrize("value", ["../x.md", "/survey/a-b/2024-mid/?channel=link", "x.md#a-1"])
def test_site_paths_pass_the_path_filter_unchanged(value: str) -> None:
    assert str(path(value)) == value


@pytest.mark.parametrize("value", ["javascript:alert(1)", "x) [y](z", "//evil.example/x", "a b"])
def test_the_path_filter_refuses_anything_else(value: str) -> None:
    with pytest.raises(ValueError, match="not a site path"):
        path(value)


def test_answers_are_markdown_and_everything_else_plain() -> None:
    schema = Topic.model_json_schema()
    answer = schema["$defs"]["QA"]["properties"]["answer"]
    assert answer["contentMediaType"] == "text/markdown"
    assert schema["properties"]["title"]["contentMediaType"] == "text/plain"
    assert schema["properties"]["summary"]["contentMediaType"] == "text/plain"


@pytest.mark.parametrize("character", ["\\x07", "\\x00", "\\x85", "\\ufffe"])
def test_control_characters_in_text_are_reported_with_file_and_line(
    content_dir: Path, character: str
) -> None:
    line = edit(
        content_dir / ELEVATORS, "\ntitle: 老楼加装电梯\n", f'\ntitle: "老楼{character}加装电梯"\n'
    )
    found = messages(content_dir)
    assert len(found) == 1 and found[0].startswith(
        f"{ELEVATORS}:{line}: title: 含有不可见的控制字符"
    )
    assert "（第 3 个字符），请删除" in found[0]


@pytest.mark.parametrize("invisible", ["\\u200b\\u200b", "\\ufeff", "\\u200d \\u3000"])
def test_text_of_only_zero_width_characters_counts_as_missing(
    content_dir: Path, invisible: str
) -> None:
    line = edit(content_dir / ELEVATORS, "\ntitle: 老楼加装电梯\n", f'\ntitle: "{invisible}"\n')
    (found,) = messages(content_dir)
    assert found.startswith(f"{ELEVATORS}:{line}: title: 不能为空：只有看不见的字符（如 U+"), found
    assert found.endswith("），请填写内容"), found


def test_site_names_the_theme_shows_unescaped_refuse_html_characters(content_dir: Path) -> None:
    line = edit(content_dir / "site.yml", "\ntitle: ", "\ntitle: <b>每月一题</b> ")
    found = messages(content_dir)
    assert found == [f"site.yml:{line}: title: 会原样写进每个页面的页眉、页脚和标题，不能含有 < >"]
