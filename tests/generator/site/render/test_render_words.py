"""What the shipped topics' pages say, read as a resident reads them: wave names instead of
ids, punctuation that ends once, an invitation-only survey that says so."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from generator.content.loader import load_content
from generator.site.render.site import render_site
from tests.conftest import CONTENT

# Inside the sample 2026-end wave: open for ebike-charging (anyone) and civil-dog-keeping
# (invitation codes only).
DURING_WAVE = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
CONTENT_LOADED = load_content(CONTENT)
PAGES = render_site(CONTENT_LOADED, DURING_WAVE)
MARKDOWN = {path: text for path, text in PAGES.items() if path.endswith(".md")}


def test_no_page_shows_a_raw_wave_id() -> None:
    for path, text in MARKDOWN.items():
        body = text.split("\n---\n", 1)[1]
        body = re.sub(r"\]\([^)]*\)", "]", body)  # link targets may hold ids
        body = re.sub(r"\{ #[^}]*\}", "", body)  # so may anchors
        assert not re.search(r"\d{4}-(mid|end)", body), path
    assert "2026 年年底调查开放至" in MARKDOWN["topics/2024/ebike-charging/index.md"]


def test_no_sentence_ends_twice() -> None:
    for path, text in MARKDOWN.items():
        assert not re.search(r"[？?！!。]。", text), path


def test_the_next_step_is_named_once() -> None:
    for path, text in MARKDOWN.items():
        assert "下一步 →" not in text, path  # the column and the card label already say 下一步


@pytest.mark.parametrize(
    ("slug", "says", "never"),
    [
        ("2024/civil-dog-keeping", "需要邀请码", "也不需要邀请码"),
        ("2024/ebike-charging", "也不需要邀请码", "需要邀请码："),
    ],
)
def test_the_open_survey_says_whether_a_code_is_needed(slug: str, says: str, never: str) -> None:
    overview = MARKDOWN[f"topics/{slug}/index.md"]
    assert says in overview and never not in overview


def test_an_invitation_survey_says_where_the_code_comes_from() -> None:
    overview = MARKDOWN["topics/2024/civil-dog-keeping/index.md"]
    assert "短信" in overview and "第三方调查机构" in overview


def test_each_answer_is_read_once_opening_with_its_mark() -> None:
    # The direct answer (the answer's first sentence) was shown as a lead and then again as
    # the start of the answer: a resident read every first sentence twice.
    for topic in CONTENT_LOADED.topics:
        page = MARKDOWN[f"topics/{topic.year}/{topic.slug}/qa.md"]
        assert page.count("<strong>答：</strong>") == len(topic.qa), topic.slug
        for item in topic.qa:
            first = re.split(r"(?<=[。！？])", str(item.answer).strip(), maxsplit=1)[0]
            assert page.count(first) == 1, (topic.slug, first)
