"""Published survey results on the public site: content/results/ → each topic's results page."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from generator.content.loader import load_content
from generator.content.published import (
    PublishedFieldwork,
    PublishedFigure,
    PublishedTopic,
    PublishedWave,
    WeightedFigure,
    dump,
    load_published,
    results_dir,
)
from generator.errors import ContentError
from generator.site.build import build
from generator.site.serve import static_site
from tests.browser import WIDTHS, axe_violations, describe, serving
from tests.conftest import CONTENT
from tests.generator.fixtures import BUILD_TIME

WAVE = "2026-end"
EBIKE, DOGS = "ebike-charging", "civil-dog-keeping"
PAGE = "topics/2024/ebike-charging/results/index.html"


def figure(
    value: float | None, n: int, low: float | None = None, high: float | None = None
) -> PublishedFigure:
    """A published figure; no value means suppressed."""
    return PublishedFigure(
        value=value,
        n=n,
        ci_low=low,
        ci_high=high,
        suppressed=value is None,
        note="有效回答少于 30 份，比例不可靠，不单独公布。" if value is None else "",
        definition="满意率 =（非常满意 + 满意 + 基本满意）÷ 有效回答数。",
    )


def topic(rate: PublishedFigure, weighted: WeightedFigure | None = None) -> PublishedTopic:
    """A topic's published figures around `rate`."""
    return PublishedTopic(
        responses=41,
        excluded=1,
        satisfaction_rate=rate,
        top_box=figure(10 / 38, 38, 0.15, 0.42),
        mean_score=figure(65.8, 38),
        solved_rate=figure(20 / 35, 35, 0.41, 0.72),
        awareness_rate=figure(0.75, 40, 0.6, 0.86),
        weighted=weighted,
    )


# 30 of the 41 answers by phone; 30 completes of 84 numbers issued, RR3 0.4 (worked out by
# survey.analysis.aapor from the dispositions; here only how it is shown).
FIELDWORK = PublishedFieldwork(
    response_rate=0.4,
    issued=84,
    completes=30,
    web=11,
    phone=30,
    definition="应答率按 AAPOR 标准中的 RR3 计算：完成访问的人所占的比例。",
)


def write(content: Path) -> None:
    """A published 2026-end: e-bikes with figures worked out by hand, dogs suppressed."""
    weighted = WeightedFigure(
        value=0.85,
        n_effective=35.2,
        ci_low=0.7,
        ci_high=0.93,
        definition="加权满意率：按人口加权。",
    )
    wave = PublishedWave(
        wave=WAVE,
        published_at=datetime(2026, 12, 20, 4, tzinfo=UTC),
        topics={
            EBIKE: topic(figure(32 / 38, 38, 0.69583, 0.92556), weighted).model_copy(
                update={"fieldwork": FIELDWORK}
            ),
            DOGS: topic(figure(None, 5)),
        },
    )
    folder = results_dir(content)
    folder.mkdir()
    (folder / f"{WAVE}.yml").write_text(dump(wave), encoding="utf-8")


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content with one published wave."""
    root = tmp_path_factory.mktemp("published") / "content"
    shutil.copytree(CONTENT, root)
    write(root)
    return root


@pytest.fixture(scope="module")
def site(content: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built from `content`."""
    out = tmp_path_factory.mktemp("published-site") / "site"
    build(content, out, now=BUILD_TIME, store=tmp_path_factory.mktemp("store"))
    return out


def text_of(path: Path) -> str:
    """A built page's visible text, whitespace collapsed."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return " ".join(soup.get_text(" ").split())


def test_topic_page_shows_the_published_rate_with_n_interval_and_definition(site: Path) -> None:
    text = text_of(site / PAGE)
    assert "2026 年年底第三方评估结果" in text
    assert "满意率 84.2%" in text and "95% 置信区间 69.6%–92.6%" in text
    assert "有效样本量 n = 38" in text
    assert "共收到答卷 41 份，其中 1 份经评估人员审核排除" in text
    assert "满意率 =（非常满意 + 满意 + 基本满意）÷ 有效回答数。" in text
    assert "按各区常住人口加权后的满意率为 85.0%（95% 置信区间 70.0%–93.0%，有效样本量 35）" in text


def test_a_wave_with_telephone_fieldwork_shows_the_response_rate_and_answers_by_mode(
    site: Path,
) -> None:
    text = text_of(site / PAGE)
    assert "其中居民网页自填 11 份，第三方访员电话访问 30 份。" in text
    assert "电话调查共发放号码 84 个，完成访问 30 个，应答率 40.0%。" in text
    assert FIELDWORK.definition in text
    dogs = text_of(site / "topics/2024/civil-dog-keeping/results/index.html")
    assert "应答率" not in dogs and "电话访问" not in dogs


def test_overview_links_to_the_results_and_names_the_headline(site: Path) -> None:
    overview = site / "topics/2024/ebike-charging/index.html"
    text = text_of(overview)
    assert "2026 年年底第三方评估结果：满意率 84.2%（n = 38）" in text
    soup = BeautifulSoup(overview.read_text(encoding="utf-8"), "html.parser")
    assert soup.select_one('nav.yiti-sections a[href="results/"]') is not None


def test_a_suppressed_rate_is_not_shown_as_a_number(site: Path) -> None:
    text = text_of(site / "topics/2024/civil-dog-keeping/results/index.html")
    assert "满意率 样本不足，不公布" in text and "有效回答少于 30 份" in text


def test_topics_without_published_results_have_no_results_page(site: Path) -> None:
    assert not (site / "topics/2022/old-building-elevators/results").exists()
    overview = (site / "topics/2022/old-building-elevators/index.html").read_text(encoding="utf-8")
    assert "results/" not in overview


def test_without_results_files_nothing_is_published(tmp_path: Path) -> None:
    assert not results_dir(CONTENT).exists()  # the shipped content publishes nothing
    assert load_published(load_content(CONTENT)).by_topic == {}


def test_a_broken_results_file_fails_the_build_and_leaves_the_old_site(
    content: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "content"
    shutil.copytree(content, broken)
    path = results_dir(broken) / f"{WAVE}.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("responses: 41", "responses: many", 1), encoding="utf-8")
    (broken / "results/2021-mid.yml").write_text(
        dump(
            PublishedWave(
                wave="2021-mid", published_at=BUILD_TIME, topics={EBIKE: topic(figure(0.9, 40))}
            )
        ),
        encoding="utf-8",
    )
    old = tmp_path / "site"
    old.mkdir()
    (old / "index.html").write_text("old", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        build(broken, old, now=BUILD_TIME, store=tmp_path / "store")
    problems = [str(p) for p in caught.value.problems]
    assert any(f"results/{WAVE}.yml:" in p and f"topics.{EBIKE}.responses" in p for p in problems)
    assert any("议题 ebike-charging 不存在或没有参加 2021-mid 批次调查" in p for p in problems)
    assert (old / "index.html").read_text(encoding="utf-8") == "old"


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    """The built site served on 127.0.0.1 the way `yiti serve` serves it."""
    with serving(static_site(site)) as base:
        yield base


@pytest.mark.browser
@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("path", [PAGE, "topics/2024/ebike-charging/index.html"])
def test_results_pages_have_no_accessibility_violations(
    browser: Any, site_url: str, path: str, width: str
) -> None:
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN")
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    try:
        page.goto(f"{site_url}/{path.removesuffix('index.html')}")
        violations = axe_violations(page)
    finally:
        context.close()
    assert not violations, describe(violations)
    assert not blocked, blocked
