"""The topic page: figures, distribution chart and table, districts, change, drivers, comments,
and the weighting switch, each against values worked out by hand."""

from __future__ import annotations

import zlib

from flask import Flask

from survey.analysis import definitions as text
from survey.cli.sample import sample_responses, sample_targets, store_sample
from survey.storage.audit import entries
from tests.survey.conftest import NOW, TOPIC, WAVE, CheckingClient, Page, state_of
from tests.survey.staff.evaluators.conftest import (
    Answer,
    evaluator,
    literal_set,
    many,
    seed,
    text_at,
)

URL = f"/staff/results/{WAVE}/{TOPIC}/"


def table(page: Page, caption: str) -> list[list[str]]:
    """The body rows (header cell first) of the table whose caption starts with `caption`."""
    for found in page.soup.select("table"):
        if found.caption is not None and found.caption.get_text().startswith(caption):
            return [
                [" ".join(c.get_text(" ").split()) for c in row.find_all(["th", "td"])]
                for row in found.select("tbody tr")
            ]
    raise AssertionError(f"no table captioned {caption}")


def figures(page: Page) -> dict[str, str]:
    """Each figure's label → its value, interval, n and note, as shown (definition left out)."""
    shown = {}
    for item in page.soup.select("dl.figures .figure"):
        parts = item.dd.select(".value, .ci, .n, .why") if item.dd else []
        shown[item.dt.get_text(strip=True) if item.dt else ""] = " ".join(
            p.get_text(strip=True) for p in parts
        )
    return shown


def test_topic_figures_equal_hand_computed_values_with_n_and_definition(
    app: Flask, client: CheckingClient
) -> None:
    seed(app, literal_set())
    evaluator(app, client)
    page = client.get(URL + "?weighting=none")
    assert figures(page) == {
        "答卷数": "40 n = 40",
        "已排除": "0 n = 40",
        "标记可疑": "3 n = 40",
        "满意率": "84.2% 95% 区间 69.6%–92.6% n = 38",
        "顶端占比": "26.3% 95% 区间 15.0%–42.0% n = 38",
        "平均分（0–100）": "67.1 n = 38",
        "解决率": "57.1% 95% 区间 40.9%–72.0% n = 35",
        "知晓率": "75.0% 95% 区间 59.8%–85.8% n = 40",
    }
    definitions = [d.get_text() for d in page.soup.select("dl.figures .definition")]
    assert len(definitions) == 8 and all(d.startswith("口径：") for d in definitions)
    assert text.SOLVED_TEXT in " ".join(definitions)


def test_distribution_is_a_chart_with_its_data_table(app: Flask, client: CheckingClient) -> None:
    seed(app, literal_set())
    evaluator(app, client)
    page = client.get(URL)
    assert table(page, "满意度答案分布") == [
        ["非常满意", "10", "25.0%", "26.3%"],
        ["满意", "14", "35.0%", "36.8%"],
        ["基本满意", "8", "20.0%", "21.1%"],
        ["不满意", "4", "10.0%", "10.5%"],
        ["非常不满意", "2", "5.0%", "5.3%"],
        ["说不清", "2", "5.0%", "—"],
    ]
    chart = page.tag("svg", role="img")
    assert "n = 40" in str(chart["aria-label"]) and chart.title is not None
    bars = [float(str(r["width"])) for r in chart.find_all("rect", fill="#1f4e8c")]
    assert bars == [round(464 * share, 1) for share in (0.25, 0.35, 0.2, 0.1, 0.05, 0.05)]


def test_districts_under_30_valid_answers_are_suppressed(
    app: Flask, client: CheckingClient
) -> None:
    seed(app, literal_set())
    evaluator(app, client)
    rows = table(client.get(URL), "各区满意率")
    assert rows == [
        ["朝阳区", "6", f"不公布 {text.SUPPRESSED_TEXT}", "—"],  # 8 less two 说不清
        ["海淀区", "32", "100.0%", "95% 区间 89.3%–100.0%"],
    ]


def test_districts_are_listed_in_the_directorys_official_order(
    sqlite_app: Flask, page_client: CheckingClient
) -> None:
    names = ["大兴区", "丰台区", "西城区", "东城区"]  # code-point order: 东 丰 大 西
    seed(sqlite_app, [Answer("满意", district=name) for name in names])
    evaluator(sqlite_app, page_client)
    rows = table(page_client.get(URL), "各区满意率")
    assert [row[0] for row in rows] == ["东城区", "西城区", "丰台区", "大兴区"]


def test_change_from_mid_year_to_year_end_carries_a_two_proportion_test(
    sqlite_app: Flask, page_client: CheckingClient
) -> None:
    seed(sqlite_app, many(20, "满意") + many(20, "不满意"), wave="2024-mid")
    seed(sqlite_app, many(32, "满意") + many(8, "不满意"), wave="2024-end")
    evaluator(sqlite_app, page_client)
    page = page_client.get(f"/staff/results/2024-end/{TOPIC}/")
    assert table(page, "同一年两期") == [
        ["2024 年年中", "40", "50.0%"],
        ["2024 年年底", "40", "80.0%"],
    ]
    # pooled p = 52/80, z = 0.3 / sqrt(0.65 · 0.35 · (1/40 + 1/40)) = 2.813, two-sided p = 0.0049
    assert "变化：+30.0 个百分点（p = 0.005）" in text_at(page, "#change ~ p")
    assert text.CHANGE_TEXT in page.text()


def test_the_sample_data_shows_the_mid_year_to_year_end_change_of_a_2024_topic(
    sqlite_app: Flask, page_client: CheckingClient
) -> None:
    state = state_of(sqlite_app)
    for questionnaire in sample_targets(state.content, NOW):
        if questionnaire.topic == TOPIC and questionnaire.wave.startswith("2024-"):
            seed_ = zlib.crc32(f"{questionnaire.topic}/{questionnaire.wave}".encode())
            store_sample(state.db, sample_responses(state.content, questionnaire, 60, NOW, seed_))
    evaluator(sqlite_app, page_client)
    page = page_client.get(f"/staff/results/2024-end/{TOPIC}/?weighting=none")
    rows = table(page, "同一年两期")
    assert [row[0] for row in rows] == ["2024 年年中", "2024 年年底"]
    assert all(30 < int(row[1]) <= 60 and row[2].endswith("%") for row in rows)  # 说不清 left out
    assert "变化：" in text_at(page, "#change ~ p")


def test_a_wave_without_its_mid_year_twin_says_why_there_is_no_change(
    sqlite_app: Flask, page_client: CheckingClient
) -> None:
    evaluator(sqlite_app, page_client)
    assert "没有同一年的年中和年底两期调查" in page_client.get(URL).text()


def test_driver_frequencies_list_every_option_most_ticked_first(
    sqlite_app: Flask, page_client: CheckingClient
) -> None:
    seed(
        sqlite_app,
        many(20, "满意", went_well=("反馈及时", "办理时间更短"))
        + many(10, "满意", went_well=("反馈及时",), went_badly=("没有反馈",)),
    )
    evaluator(sqlite_app, page_client)
    page = page_client.get(URL)
    went_well = table(page, "做得好的方面")
    assert went_well[:3] == [
        ["反馈及时", "30", "100.0%"],
        ["办理时间更短", "20", "66.7%"],
        ["办事流程更简便", "0", "0.0%"],
    ]
    assert len(went_well) == 6
    assert table(page, "需要改进的方面")[0] == ["没有反馈", "10", "33.3%"]


def test_comments_are_shown_and_their_viewing_is_audited(
    app: Flask, client: CheckingClient
) -> None:
    seed(app, many(2, "满意", comment="楼下新装了充电桩") + many(1, "满意", comment="  "))
    evaluator(app, client)
    page = client.get(URL)
    assert [p.get_text() for p in page.soup.select("ul.comments li p:first-child")] == [
        "楼下新装了充电桩"
    ] * 2
    actions = {e.action: e for e in entries(state_of(app).db, limit=2)}
    assert set(actions) == {"results.view", "responses.view"}
    assert actions["results.view"].target == f"{TOPIC}/{WAVE}"
    assert actions["responses.view"].detail["comments"] == 2


def test_the_weighting_switch_shows_unweighted_n_weighted_rate_and_effective_n(
    app: Flask, client: CheckingClient
) -> None:
    # 海淀区 20 of 30 satisfied, 朝阳区 15 of 30; census 3,133,469 and 3,452,460.
    seed(app, many(20, "满意") + many(10, "不满意"))
    seed(app, many(15, "满意", district="朝阳区") + many(15, "不满意", district="朝阳区"))
    evaluator(app, client)
    page = client.get(URL + "?weighting=district_population")
    # weighted: 0.4758 · 20/30 + 0.5242 · 15/30 = 0.5793; w = share / 0.5, so
    # n_eff = 60² / (30 · (0.9516² + 1.0484²)) = 59.86; Wilson at n_eff: 45.3%–69.6%
    assert table(page, "满意率：未加权与按区人口加权并列") == [
        ["60", "58.3%", "57.9% 95% 区间 45.3%–69.6%", "59.9"]
    ]
    assert page.tag("a", **{"aria-current": "page"}).get_text().startswith("按区人口加权")
    unweighted = client.get(URL + "?weighting=none")
    assert "满意率：未加权与按区人口加权并列" not in unweighted.text()
    assert unweighted.tag("a", **{"aria-current": "page"}).get_text() == "未加权"
    assert entries(state_of(app).db, limit=1)[0].detail["weighting"] == "none"


def test_the_default_view_is_the_wave_weighting_from_the_site_settings(
    sqlite_app: Flask, page_client: CheckingClient
) -> None:
    waves = {w.id: w.weighting for w in state_of(sqlite_app).content.site.waves}
    assert (waves[WAVE], waves["2024-end"]) == ("district_population", "none")
    evaluator(sqlite_app, page_client)
    weighted = page_client.get(URL).tag("a", **{"aria-current": "page"}).get_text()
    plain = page_client.get(f"/staff/results/2024-end/{TOPIC}/")
    assert weighted == "按区人口加权（本批次默认）"
    assert plain.tag("a", **{"aria-current": "page"}).get_text() == "未加权（本批次默认）"
