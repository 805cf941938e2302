"""The hand-built SVG bar chart: named for screen readers, colours as attributes, text escaped."""

from __future__ import annotations

from bs4 import BeautifulSoup

from survey.staff.evaluators.chart import FILL, Bar, bar_chart


def test_bars_are_proportional_to_their_share_of_100_percent() -> None:
    svg = BeautifulSoup(
        bar_chart([Bar("满意", 0.5, "5 份"), Bar("不满意", 1.0, "10 份")], "t"), "html.parser"
    )
    widths = [float(str(r["width"])) for r in svg.find_all("rect", fill=FILL)]
    assert widths == [232.0, 464.0]
    assert [t.get_text() for t in svg.find_all("text")] == ["满意　5 份", "不满意　10 份"]


def test_the_chart_has_an_accessible_name_and_no_style_that_csp_would_block() -> None:
    markup = str(bar_chart([Bar("满意", 0.2, "1 份")], "答案分布 n = 5"))
    svg = BeautifulSoup(markup, "html.parser").svg
    assert svg is not None and svg["role"] == "img" and svg["aria-label"] == "答案分布 n = 5"
    assert svg.title is not None and svg.title.get_text() == "答案分布 n = 5"
    assert "style" not in markup


def test_labels_and_title_are_escaped() -> None:
    markup = str(bar_chart([Bar("<script>", 0.1, "&")], '"><b>'))
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup and "&amp;" in markup
