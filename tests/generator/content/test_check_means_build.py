"""`yiti check` passing means `yiti build` passes, whatever text editors paste.

Every text field of a topic (as the committed JSON Schema marks them: contentMediaType) gets
arbitrary Unicode mixed with Markdown, HTML, Jinja, attribute lists, full-width punctuation,
control characters and 5,000-character paragraphs. Either the check names file:line for every
problem, or the site builds and each plain-text value appears verbatim in the page text.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from generator.content.loader import load_content
from generator.content.models.text import markdown_text
from generator.errors import ContentError, Problem
from generator.site.build import build
from tests.conftest import CONTENT, ROOT
from tests.generator.fixtures import BUILD_TIME

FIXTURE = Path(__file__).parents[1] / "data" / "golden-topic.yml"
SCHEMA = json.loads((ROOT / "schema" / "topic.schema.json").read_text(encoding="utf-8"))
TOPIC_FILE = "topics/2022/golden-topic.yml"
# Checked against content/directory: any other text is refused (with its line), never built.
DIRECTORY_FIELDS = {"districts", "streets"}
# Text that no page shows (it selects complaint records, or annotates a reading).
NOT_SHOWN = {"note", "categories", "keywords", "exclude_keywords"}
BITS = [
    "[x](javascript:alert(1))",
    "![](https://evil.example/pixel.png)",
    "{: #main .md-button hidden }",
    "{onclick=alert(4)}",
    "{{ 7*7 }}",
    "{% raw %}",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "# 标题",
    "| a | b |\n| - | - |\n| 1 | 2 |",
    "\n\n---\n\n",
    "> 引用",
    "1. 第一",
    "- 列表",
    "!!! note",
    "??? note",
    "*[HTML]: 缩写",
    "[^1]",
    ": 定义",
    "```",
    "&amp; &#60; &lt;",
    "\\",
    "<!--",
    "--8<-- 'x.md'",
    "（全角）【括号】“引号”，。；：！？",
    "\u3000",
    "\u202e",
    "😀",
    "\t",
    "    缩进",
    "\x07",
    "\x85",
    "\u2028",
    "\ufffe",
]
CONTROLS = {"\x07", "\x85", "\u2028", "\ufffe"}
# Printable text: any character but controls, surrogates, unassigned code points and the
# line and paragraph separators (U+2028, U+2029), which YAML takes for line breaks.
printable = st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Zl", "Zp"))


def texts(controls: bool) -> st.SearchStrategy[str]:
    """Hostile text; with `controls`, also control characters and blank values."""
    bits = BITS if controls else [b for b in BITS if b not in CONTROLS]
    chars = st.text(max_size=12) if controls else st.text(printable, max_size=12)
    short = st.lists(st.one_of(st.sampled_from(bits), chars), min_size=1, max_size=5).map("".join)
    long = st.sampled_from(bits).map(lambda bit: ((bit + " 一段很长的中文说明。") * 400)[:5000])
    text = st.one_of(short, short, short, long)
    return text if controls else text.map(lambda value: f"文{value}")


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema a `$ref` or an optional (`anyOf` with null) stands for."""
    if "$ref" in schema:
        return resolve(SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[-1]])
    if "anyOf" in schema:
        return resolve(next(s for s in schema["anyOf"] if s.get("type") != "null"))
    return schema


def fill(data: Any, schema: dict[str, Any], draw: Callable[[str], str]) -> Any:
    """`data` with every text field (present or optional) replaced by drawn text."""
    schema = resolve(schema)
    if "contentMediaType" in schema:
        return draw(schema["contentMediaType"])
    if schema.get("type") == "array" and isinstance(data, list):
        return [fill(item, schema["items"], draw) for item in data]
    if schema.get("type") != "object" or not isinstance(data, dict):
        return data
    out = dict(data)
    for key, sub in schema.get("properties", {}).items():
        if key in DIRECTORY_FIELDS:
            continue
        if key in out:
            out[key] = fill(out[key], sub, draw)
        elif "contentMediaType" in resolve(sub) and resolve(sub).get("type") == "string":
            out[key] = draw(resolve(sub)["contentMediaType"])
    return out


@pytest.fixture(scope="module")
def one_topic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A content folder with one topic and no complaint records: a build takes seconds."""
    root = tmp_path_factory.mktemp("one-topic") / "content"
    shutil.copytree(CONTENT / "directory", root / "directory")
    (root / "questionnaires").mkdir()
    for name in ("standard.yml", "frozen.yml"):  # not the other topics' extra questions
        shutil.copy(CONTENT / "questionnaires" / name, root / "questionnaires" / name)
    shutil.copy(CONTENT / "site.yml", root / "site.yml")
    (root / TOPIC_FILE).parent.mkdir(parents=True)
    return root


def normal(text: str) -> str:
    """White space as a reader's browser shows it (and as `get_text` cannot)."""
    return " ".join(text.split())


@settings(
    max_examples=12,
    deadline=None,
    # Each example is a real build (seconds): report a failing example as found, unshrunk.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_topic_that_passes_the_check_builds_and_shows_its_text_verbatim(
    one_topic: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    controls = data.draw(st.booleans(), label="controls")
    strategy = texts(controls)
    drawn: list[tuple[str, str]] = []

    def draw(media: str) -> str:
        value = data.draw(strategy)
        drawn.append((media, value))
        return value

    topic = fill(yaml.safe_load(FIXTURE.read_text(encoding="utf-8")), SCHEMA, draw)
    # libyaml's emitter: the same safe YAML as yaml.safe_dump, without its Python emitter's
    # seconds per example on 5,000-character values.
    text = yaml.dump(topic, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=80)
    (one_topic / TOPIC_FILE).write_text(text, encoding="utf-8")
    try:
        load_content(one_topic)
    except ContentError as exc:
        # Printable, non-blank text passes, but for invisible characters in a monitoring
        # keyword or category (they would match no record), which are refused by name.
        assert controls or all(_hidden_in_a_keyword(p) for p in exc.problems), exc
        assert exc.problems
        assert all(p.file.endswith(TOPIC_FILE) and p.line >= 1 for p in exc.problems), exc
        return
    site = tmp_path_factory.mktemp("site") / "site"
    build(one_topic, site, now=BUILD_TIME, store=tmp_path_factory.mktemp("store"))
    shown = page_text(site / "topics/2022/golden-topic")
    for media, value in drawn:
        expected = markdown_text(value) if media == "text/markdown" else value
        if normal(expected) and not _hidden(value, topic):
            assert normal(expected) in shown, value[:200]


def _hidden_in_a_keyword(problem: Problem) -> bool:
    """Whether `problem` refuses an invisible character in a monitoring keyword or category."""
    return problem.field.startswith("monitoring.") and "看不见的字符" in problem.message


def page_text(folder: Path) -> str:
    """The visible text of every page of a topic, whitespace as a browser shows it."""
    texts = []
    for page in sorted(folder.rglob("*.html")):
        # lxml (libxml2's HTML parser): the text html.parser gives, many times faster on pages
        # of long hostile values full of character references.
        article = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml").find("article")
        assert article is not None, page
        texts.append(normal(article.get_text()))
    return "\n".join(texts)


def _hidden(value: str, topic: dict[str, Any]) -> bool:
    """Whether `value` was drawn only for fields no page shows."""
    hidden = [topic["monitoring"].get(key, []) for key in NOT_SHOWN]
    notes = [r.get("note") for t in topic["plan"]["targets"] for r in t.get("progress", [])]
    return any(value in group for group in hidden) or value in notes
