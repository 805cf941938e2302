"""The wave table: each topic's figures equal hand-computed values, with n and definitions."""

from __future__ import annotations

from flask import Flask

from survey.analysis import definitions as text
from survey.staff.evaluators.present import definitions
from survey.staff.evaluators.results import COLUMNS
from survey.storage.audit import entries
from tests.survey.conftest import TOPIC, WAVE, CheckingClient, Page, state_of
from tests.survey.staff.evaluators.conftest import OTHER_TOPIC, evaluator, literal_set, many, seed

URL = f"/staff/results/{WAVE}/"


def cells(page: Page, title: str) -> list[str]:
    """The text of each cell in the row of the topic titled `title`."""
    for row in page.soup.select("table.results tbody tr"):
        header = row.find("th")
        if header is not None and header.get_text(strip=True) == title:
            return [" ".join(td.get_text(" ").split()) for td in row.find_all("td")]
    raise AssertionError(f"no row for {title}")


def test_wave_table_figures_equal_hand_computed_values(app: Flask, client: CheckingClient) -> None:
    seed(app, literal_set())
    evaluator(app, client)
    row = cells(client.get(URL), "电动自行车充电设置建设")
    assert row == [
        "38",
        "84.2% 95% 区间 69.6%–92.6% n = 38",  # 32/38, Wilson
        "26.3% 95% 区间 15.0%–42.0% n = 38",  # 10/38
        "67.1 n = 38",  # 2550/38
        "57.1% 95% 区间 40.9%–72.0% n = 35",  # 20/35
        "75.0% 95% 区间 59.8%–85.8% n = 40",  # 30/40
        "3 n = 40",
        "0 n = 40",
    ]


def test_a_topic_without_responses_says_so(app: Flask, client: CheckingClient) -> None:
    seed(app, literal_set())
    evaluator(app, client)
    assert cells(client.get(URL), "文明养犬") == ["0", "本批次还没有答卷。"]


def test_rates_on_fewer_than_30_valid_answers_are_suppressed_with_the_reason(
    sqlite_app: Flask, page_client: CheckingClient
) -> None:
    seed(sqlite_app, many(29, "满意") + many(5, "说不清"))
    evaluator(sqlite_app, page_client)
    row = cells(page_client.get(URL), "电动自行车充电设置建设")
    assert row[1] == f"不公布 n = 29 {text.SUPPRESSED_TEXT}"
    seed(sqlite_app, many(1, "不满意"))
    row = cells(page_client.get(URL), "电动自行车充电设置建设")
    assert row[1].startswith("96.7% 95% 区间")  # 29/30, now shown


def test_every_column_shows_its_definition_from_the_site_settings(
    sqlite_app: Flask, page_client: CheckingClient
) -> None:
    evaluator(sqlite_app, page_client)
    page = page_client.get(URL)
    configured = state_of(sqlite_app).content.site.satisfaction
    shown = [" ".join(dd.get_text().split()) for dd in page.soup.select("dl.definitions dd")]
    texts = definitions(configured)
    assert shown == [" ".join(texts[measure].split()) for measure in COLUMNS]
    assert " ".join(configured.description.split()) in shown[0]  # 满意率, from site.yml
    for link in page.soup.select("thead a.note-ref"):
        assert page.soup.find(id=str(link["href"]).removeprefix("#")) is not None


def test_viewing_the_wave_table_is_audited_with_the_topics_shown(
    app: Flask, client: CheckingClient
) -> None:
    evaluator(app, client)
    client.get(URL)
    entry = entries(state_of(app).db, limit=1)[0]
    assert (entry.actor, entry.action, entry.target) == ("eva@example.org", "results.view", WAVE)
    assert set(entry.detail["topics"]) == {TOPIC, OTHER_TOPIC}
