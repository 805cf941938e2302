"""A real MkDocs build: atomic, complete, links that resolve, safe content, light pages."""

from __future__ import annotations

import gc
import gzip
import re
from pathlib import Path
from typing import Any

import html5lib
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from generator.cli import main
from generator.content.loader import load_content
from generator.errors import ContentError
from generator.site.build import build
from generator.site.render.pages import SECTIONS
from tests.conftest import CONTENT
from tests.generator.conftest import ELEVATORS, edit
from tests.generator.fixtures import BUILD_TIME, HOSTILE_FIELDS, SUMMARY, small_content
from tests.generator.links import broken_links, html_pages

TOPIC = "topics/2022/old-building-elevators"
MAX_PAGE_GZIP = 50 * 1024  # bytes: a topic page on a slow phone connection


def test_every_topic_has_its_four_parts_and_overview(built_site: Path) -> None:
    # The shipped content has complaint records (monitoring) but publishes no survey results:
    # tests/generator/content/test_published.py builds the results section.
    for section in (s for s in SECTIONS if s.key != "results"):
        name = section.filename.removesuffix(".md")
        page = built_site / TOPIC / ("index.html" if name == "index" else f"{name}/index.html")
        assert page.is_file(), page
    assert (built_site / TOPIC / "flowchart.svg").is_file()
    assert (built_site / "years/2021/index.html").is_file()
    assert (built_site / "themes/index.html").is_file()


def test_every_internal_link_and_anchor_resolves(built_site: Path) -> None:
    broken = broken_links(built_site)
    assert not broken, "\n".join(broken)


def test_topic_pages_are_light_enough_for_a_slow_phone(built_site: Path) -> None:
    for page in (built_site / "topics").rglob("*.html"):
        size = len(gzip.compress(page.read_bytes()))
        assert size <= MAX_PAGE_GZIP, f"{page}: {size} bytes gzipped"


def test_html_and_script_in_content_are_shown_as_text(built_site: Path) -> None:
    for page in html_pages(built_site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        scripts = [s.get_text() for s in soup.find_all("script")]
        assert not any("alert(" in text for text in scripts), page
        assert not soup.select("[onerror], [onclick]"), page
        assert not soup.select("a[href^='javascript:'], img[src*='evil.example']"), page
        # The 404 page's own search button is a button; an attribute list could only style text.
        marked = "article .md-button:not(button), article h1[hidden], article h1[id=main]"
        assert not soup.select(marked), page
    overview = (built_site / TOPIC / "index.html").read_text(encoding="utf-8")
    assert ">老楼加装电梯 &lt;script&gt;alert(" in overview


def article_text(page: Path) -> str:
    """The visible text of a page's article, with runs of white space as one space."""
    article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find("article")
    assert article is not None, page
    return " ".join(article.get_text().split())


@pytest.mark.parametrize(("old", "field"), HOSTILE_FIELDS.items())
def test_plain_text_fields_appear_exactly_as_written(
    built_site: Path, old: str, field: tuple[str, str]
) -> None:
    pages = [
        built_site / TOPIC / p for p in ("index.html", "qa/index.html", "procedure/index.html")
    ]
    shown = " ".join(article_text(page) for page in pages)
    assert field[1] in shown


def test_markdown_in_a_plain_text_summary_stays_text(built_site: Path) -> None:
    overview = built_site / TOPIC / "index.html"
    assert " ".join(SUMMARY.split()) in article_text(overview)
    article = BeautifulSoup(overview.read_text(encoding="utf-8"), "html.parser").find("article")
    assert article is not None
    assert [h.get_text() for h in article.find_all("h1")] == [
        HOSTILE_FIELDS["\ntitle: 老楼加装电梯\n"][1]
    ]
    assert not article.find_all(["hr", "img"]) and not article.select("table:not(.yiti-table)")


def test_markdown_answers_keep_their_text_but_lose_scripts_links_and_images(
    built_site: Path,
) -> None:
    qa = built_site / TOPIC / "qa/index.html"
    soup = BeautifulSoup(qa.read_text(encoding="utf-8"), "html.parser")
    answer = soup.select_one(".yiti-answer")
    assert answer is not None
    assert "点我" in answer.get_text() and answer.find("a") is None  # words kept, link dropped
    assert not answer.find_all(["img", "script"]) and "需要本单元" in answer.get_text()


def test_our_markup_is_valid_html(built_site: Path) -> None:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for page in html_pages(built_site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        article = soup.find("article")
        if article is None:
            continue
        try:
            parser.parseFragment(article.decode_contents())
        except html5lib.html5parser.ParseError as exc:
            pytest.fail(f"{page}: {exc}")


def test_flowchart_is_inline_svg_with_a_label_and_a_text_equivalent(built_site: Path) -> None:
    soup = BeautifulSoup(
        (built_site / TOPIC / "flowchart/index.html").read_text(encoding="utf-8"), "html.parser"
    )
    svg = soup.find("svg", attrs={"role": "img"})
    assert svg is not None and "流程图" in str(svg.get("aria-label"))
    labels = " ".join(t.get_text() for t in svg.find_all("text"))
    assert "达到同意比例" in labels and "未达到或有异议" in labels  # decision branches
    steps = [li.get_text() for li in soup.select("ol.yiti-steps li")]
    assert steps[2].startswith("第 3 步：街道组织协商调解")


def test_procedure_table_has_caption_and_header_scopes(built_site: Path) -> None:
    soup = BeautifulSoup(
        (built_site / TOPIC / "procedure/index.html").read_text(encoding="utf-8"), "html.parser"
    )
    assert soup.select_one("table.yiti-procedure > caption") is not None
    heads = soup.select("table.yiti-procedure > thead th")
    assert heads and all(th.get("scope") == "col" for th in heads)
    assert len(soup.select("table.yiti-procedure > tbody th[scope=row]")) == 8


def test_topic_monitoring_page_has_summary_chart_and_table(built_site: Path) -> None:
    soup = BeautifulSoup(
        (built_site / TOPIC / "monitoring/index.html").read_text(encoding="utf-8"), "html.parser"
    )
    chart = soup.select_one("figure svg[role=img]")
    assert chart is not None and "诉求量" in str(chart.get("aria-label"))
    assert chart.find("text") is not None  # text kept as text, not paths
    rows = soup.select("table.yiti-monitoring tbody tr")
    assert len(rows) == 48  # 2022 and 2023, half months: the topic year and the year after
    summary = soup.select_one("article p strong")
    assert summary is not None and "诉求量" in summary.get_text() and "环比" in summary.get_text()


def test_city_monitoring_and_a_ranking_page_per_month(built_site: Path) -> None:
    assert (built_site / "monitoring/index.html").is_file()
    months = sorted(p.name for p in (built_site / "monitoring/ranking").iterdir())
    assert months[0] == "2020-01" and months[-1] == "2024-12" and len(months) == 60
    soup = BeautifulSoup(
        (built_site / "monitoring/ranking/2024-12/index.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    flags = [td.get_text() for td in soup.select("table.yiti-ranking td[data-label=预警]")]
    assert len(flags) >= 10 and any(f.startswith("预警约谈") for f in flags)


def test_failed_build_leaves_the_previous_site_untouched(content_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("previous", encoding="utf-8")
    edit(content_dir / ELEVATORS, "          to: mediation", "          to: gone")
    with pytest.raises(ContentError):
        build(content_dir, site, now=BUILD_TIME)
    assert (site / "index.html").read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["content", "site"]  # no temp folder left


def test_build_command_reports_problems_and_exits_1(content_dir: Path, tmp_path: Path) -> None:
    edit(content_dir / ELEVATORS, "          to: mediation", "          to: gone")
    result = CliRunner().invoke(
        main, ["build", "--content", str(content_dir), "--site", str(tmp_path / "site")]
    )
    assert result.exit_code == 1
    assert "procedure.steps[1].branches[1].to: 没有 id 为 “gone” 的步骤" in result.output
    assert not (tmp_path / "site").exists()


def test_each_problem_of_every_topic_is_its_own_list_item(built_site: Path) -> None:
    content = load_content(CONTENT)
    for topic in content.topics:
        page = built_site / "topics" / str(topic.year) / topic.slug / "index.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        heading = soup.find("h2", string="问题清单")
        assert heading is not None, page
        listing = heading.find_next("ol")
        assert listing is not None, page
        items = listing.find_all("li", recursive=False)
        assert len(items) == len(topic.lists.problems), page
        assert items[-1].get_text().startswith(topic.lists.problems[-1].problem)


def test_the_search_index_is_plain_utf8_without_escapes(built_site: Path) -> None:
    raw = (built_site / "search/search_index.json").read_text(encoding="utf-8")
    assert "维护保养" in raw
    assert not re.search(r"\\u[4-9][0-9a-f]{3}", raw)  # no CJK character as an escape


def test_no_script_holds_up_the_first_paint(built_site: Path) -> None:
    # A classic script, even at the end of <body>, kept a phone from painting until Material's
    # 38 KB bundle had arrived and run (Lighthouse, mobile: first paint 1.8 s, deferred 1.1 s).
    for page in html_pages(built_site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        scripts = soup.find_all("script", src=True)
        assert scripts, page
        blocking = [s["src"] for s in scripts if not s.has_attr("defer")]
        assert not blocking, f"{page}: {blocking}"
        names = [str(s["src"]).rsplit("/", 1)[-1] for s in scripts]
        # Deferred scripts run in document order: Yiti's search changes before the bundle.
        assert names.index("yiti-search.js") < next(
            i for i, n in enumerate(names) if n.startswith("bundle.")
        ), page


def test_a_build_runs_without_full_collections_and_restores_the_collector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.site import build as build_module

    seen: list[tuple[int, int, int]] = []
    render = build_module.monitoring_of  # called once per build, after the content is loaded

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.get_threshold())
        return render(*args, **kwargs)

    monkeypatch.setattr(build_module, "monitoring_of", watched)
    before = gc.get_threshold()
    content = small_content(tmp_path / "content")
    with pytest.raises(ContentError):  # the collector is restored after a failed build too
        edit(content / ELEVATORS, "\ntitle: 老楼加装电梯\n", "\ntitle: \n")
        build(content, tmp_path / "site", now=BUILD_TIME, store=tmp_path / "store")
    assert gc.get_threshold() == before
    edit(content / ELEVATORS, "\ntitle: \n", "\ntitle: 老楼加装电梯\n")
    build(content, tmp_path / "site", now=BUILD_TIME, store=tmp_path / "store")
    assert seen == [(before[0], before[1], build_module.FULL_COLLECTIONS_NEVER)]
    assert gc.get_threshold() == before
