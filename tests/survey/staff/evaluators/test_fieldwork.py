"""Fieldwork on the results pages: AAPOR rates with definitions, dispositions, web vs phone,
RR3 in the wave table, and a plain sentence where a topic has no telephone fieldwork."""

from __future__ import annotations

from flask import Flask

from survey.staff.evaluators.fieldwork import NO_FIELDWORK
from tests.survey.conftest import TOPIC, WAVE, CheckingClient, Page, state_of
from tests.survey.fieldwork.seeding import Spec, add_cases, add_response, add_wave
from tests.survey.staff.evaluators.conftest import OTHER_TOPIC, evaluator, many, seed
from tests.survey.staff.evaluators.test_results import cells
from tests.survey.staff.evaluators.test_topic import table

URL = f"/staff/results/{WAVE}/{TOPIC}/"
# Issued: I 3, R 1, NC 1, UH 2 (one never called), NE 1; two cases never released.
SPECS = [
    Spec("海淀区", status="frame"),
    Spec("海淀区", status="drawn"),
    Spec("海淀区", status="released"),
    Spec("朝阳区", status="released", last_code="3.13", attempts=2),
    Spec("朝阳区", status="held", last_code="2.21", attempts=1),
    Spec("海淀区", final_code="1.1", attempts=1),
    Spec("海淀区", final_code="1.1", attempts=3),
    Spec("朝阳区", final_code="1.1", attempts=2),
    Spec("朝阳区", final_code="2.11", attempts=1),
    Spec("丰台区", final_code="4.30", attempts=1),
]


def with_fieldwork(app: Flask) -> None:
    """The cases above, 40 web answers (32 满意) and 60 phone ones (45 满意, 10 说不清)."""
    db = state_of(app).db
    add_wave(db, TOPIC, WAVE)
    add_cases(db, TOPIC, WAVE, SPECS)
    seed(app, many(32, "满意") + many(8, "不满意"))
    for satisfaction, times in (("满意", 45), ("不满意", 5), ("说不清", 10)):
        for _ in range(times):
            add_response(db, TOPIC, WAVE, "phone", satisfaction=satisfaction)


def rates(page: Page) -> dict[str, str]:
    """Each rate's label → its value, fraction and note, as shown."""
    return {
        item.dt.get_text(strip=True): " ".join(
            p.get_text(strip=True) for p in item.dd.select(".value, .n, .why")
        )
        for item in page.soup.select("dl.rates .rate")
        if item.dt is not None and item.dd is not None
    }


def test_the_topic_page_shows_the_aapor_rates_worked_out_by_hand(
    app: Flask, client: CheckingClient
) -> None:
    with_fieldwork(app)
    evaluator(app, client)
    page = client.get(URL + "?weighting=none")
    # Denominator of RR1, REF1, CON1: I + P + R + NC + O + UH + UO = 3 + 1 + 1 + 2 = 7.
    # e = 5 eligible / (5 + 1 NE) = 0.833; RR3 = 3 / (5 + 0.833 × 2) = 3 / 6.667 = 45.0%.
    assert rates(page) == {
        "应答率 RR1": "42.9% 3 ÷ 7",
        "应答率 RR3": "45.0% 3 ÷ 6.7",
        "合作率 COOP1": "75.0% 3 ÷ 4",
        "拒访率 REF1": "14.3% 1 ÷ 7",
        "接触率 CON1": "57.1% 4 ÷ 7",
    }
    summaries = [s.get_text(" ", strip=True) for s in page.soup.select("dl.rates summary")]
    assert summaries[0] == "定义与公式 ：应答率 RR1"  # each control names its rate
    assert "e = 0.833（5 ÷ 6）" in page.text()
    assert table(page, "已发放样本的最终结果") == [
        ["1.1", "完成访问", "I", "3"],
        ["2.11", "拒绝访问", "R", "1"],
        ["2.21", "约定回访时间", "NC", "1"],
        ["3.11", "已发放、未拨打", "UH", "1"],
        ["3.13", "无人接听", "UH", "1"],
        ["4.30", "空号或停机", "NE", "1"],
    ]


def test_web_and_phone_are_compared_with_the_same_definition(
    app: Flask, client: CheckingClient
) -> None:
    with_fieldwork(app)
    evaluator(app, client)
    page = client.get(URL + "?weighting=none")
    assert table(page, "按访问方式的满意率") == [
        ["网页自填", "40", "40", "80.0%", "65.2%–89.5%"],
        ["电话访问", "60", "50", "90.0%", "78.6%–95.7%"],
    ]
    tests = [" ".join(p.get_text().split()) for p in page.soup.select("#modes ~ p")]
    # 0.9 − 0.8 with a pooled z of 1.341 (worked out in tests/survey/analysis/test_modes.py).
    assert tests[0] == "未加权：电话 − 网页 +10.0 个百分点（p = 0.180）"
    # Both modes answered from 海淀区 only, so the frame weights are all 1: same figures.
    assert tests[2] == (
        "按名单的区分布加权：电话 − 网页 +10.0 个百分点（p = 0.180）；"
        "网页自填 80.0%（有效样本量 40.0）；电话访问 90.0%（有效样本量 50.0）"
    )
    shown = page.text()
    assert "电话访问中“说不清”不主动读出" in shown


def test_a_topic_without_fieldwork_says_so_without_an_empty_table(
    app: Flask, client: CheckingClient
) -> None:
    seed(app, many(40, "满意"))
    evaluator(app, client)
    page = client.get(URL)
    assert NO_FIELDWORK in page.text()
    assert not page.soup.select("dl.rates") and "已发放样本的最终结果" not in page.text()
    assert table(page, "按访问方式的满意率")[1][:3] == ["电话访问", "0", "0"]
    assert "没有电话访问的有效回答，无法比较两种方式。" in page.text()
    assert "按名单的区分布加权" not in page.text() and "没有电话调查名单" not in page.text()


def test_the_wave_table_gets_rr3_where_there_is_fieldwork(
    app: Flask, client: CheckingClient
) -> None:
    with_fieldwork(app)
    evaluator(app, client)
    page = client.get(f"/staff/results/{WAVE}/")
    assert cells(page, "电动自行车充电设置建设")[-1] == "45.0%"
    assert cells(page, "文明养犬")[-1] == "无电话调查"
    assert page.soup.select_one("#def-RR3") is not None
    assert OTHER_TOPIC  # the other topic of the wave, without fieldwork


def test_the_wave_table_has_no_rr3_column_without_fieldwork(
    app: Flask, client: CheckingClient
) -> None:
    seed(app, many(40, "满意"))
    evaluator(app, client)
    page = client.get(f"/staff/results/{WAVE}/")
    assert "RR3" not in page.text()


def test_fieldwork_before_any_release_shows_no_rate_rather_than_zero(
    app: Flask, client: CheckingClient
) -> None:
    db = state_of(app).db
    add_wave(db, TOPIC, WAVE)
    add_cases(db, TOPIC, WAVE, [Spec("海淀区", status="drawn")] * 3)  # drawn, not released
    seed(app, many(40, "满意"))
    evaluator(app, client)
    page = client.get(URL)
    shown = rates(page)
    assert shown["应答率 RR1"] == "无法计算 没有已发放的样本，无法计算。"
    assert shown["合作率 COOP1"] == "无法计算 还没有接通任何合格受访者，无法计算合作率。"
    assert table(page, "已发放样本的最终结果") == [["还没有发放样本。"]]
    assert cells(client.get(f"/staff/results/{WAVE}/"), "电动自行车充电设置建设")[-1] == "无法计算"
