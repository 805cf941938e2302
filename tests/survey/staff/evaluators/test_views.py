"""Who may open the results pages, and exclusions: reasoned, reversible, audited, in scope."""

from __future__ import annotations

import pytest
from flask import Flask

from survey.storage.audit import entries
from survey.storage.repository import count_responses
from tests.survey.conftest import TOPIC, WAVE, CheckingClient, Page, add_staff, log_in, state_of
from tests.survey.staff.evaluators.conftest import (
    OTHER_TOPIC,
    SCOPED,
    evaluator,
    literal_set,
    many,
    seed,
    text_at,
)

RESULTS = f"/staff/results/{WAVE}/{TOPIC}/"
LIST = RESULTS + "responses/"
PAGES = ["/staff/results/", f"/staff/results/{WAVE}/", RESULTS, LIST]


def satisfaction(client: CheckingClient) -> str:
    """The 满意率 figure of the topic page, unweighted, as shown."""
    item = client.get(RESULTS + "?weighting=none").soup.select("dl.figures .figure")[3]
    return " ".join(item.get_text(" ").split()).split(" 口径")[0]


def post(
    client: CheckingClient, response_id: int, verb: str, status: int = 303, **data: str
) -> Page:
    """POST an exclusion form from the list page (its CSRF token) for `response_id`."""
    token = client.get(LIST).hidden("csrf_token")
    body = {"csrf_token": token, "page": "1"} | data
    return client.post(f"{LIST}{response_id}/{verb}", body, status=status)


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(
    page_client: CheckingClient, url: str
) -> None:
    response = page_client.get(url, status=302).response
    assert response.headers["Location"].startswith("/staff/login/")


@pytest.mark.parametrize("url", PAGES)
def test_auditors_get_403(sqlite_app: Flask, page_client: CheckingClient, url: str) -> None:
    add_staff(sqlite_app, "aud@example.org", "auditor")
    log_in(page_client, "aud@example.org")
    page_client.get(url, status=403)


def test_admins_see_every_topic(sqlite_app: Flask, page_client: CheckingClient) -> None:
    add_staff(sqlite_app, "adm@example.org", "admin")
    log_in(page_client, "adm@example.org")
    page_client.get(RESULTS)
    page_client.get(LIST)


def test_a_scoped_evaluator_neither_sees_nor_excludes_other_topics(
    app: Flask, client: CheckingClient
) -> None:
    [first, *_] = seed(app, many(3, "满意"))
    evaluator(app, client, SCOPED, topics=(OTHER_TOPIC,))
    titles = [a.get_text() for a in client.get(f"/staff/results/{WAVE}/").soup.select("tbody th a")]
    assert titles == ["文明养犬"]
    client.get(RESULTS, status=404)
    client.get(LIST, status=404)
    token = client.get(f"/staff/results/{WAVE}/{OTHER_TOPIC}/responses/").hidden("csrf_token")
    body = {"csrf_token": token, "reason": "spam"}
    client.post(f"{LIST}{first}/exclude", body, status=404)
    assert "1 个" in client.get("/staff/results/").soup.select("ul.waves li")[0].get_text()
    assert "没有您可以查看的议题" in client.get("/staff/results/2022-end/").text()
    assert not any(e.action == "exclusion.add" for e in entries(state_of(app).db))


def test_an_unknown_wave_or_topic_is_404(sqlite_app: Flask, page_client: CheckingClient) -> None:
    evaluator(sqlite_app, page_client)
    page_client.get("/staff/results/2030-end/", status=404)
    page_client.get(f"/staff/results/{WAVE}/no-such-topic/", status=404)
    page_client.get(f"/staff/results/{WAVE}/property-fees/", status=404)  # not in this wave


def test_excluding_changes_the_figures_and_counts_and_is_audited(
    app: Flask, client: CheckingClient
) -> None:
    ids = seed(app, literal_set())
    evaluator(app, client)
    assert satisfaction(client) == "满意率 84.2% 95% 区间 69.6%–92.6% n = 38"
    very_unhappy = ids[36]  # the first 非常不满意
    post(client, very_unhappy, "exclude", reason="同一设备连续提交的辱骂内容")
    assert satisfaction(client) == "满意率 86.5% 95% 区间 72.0%–94.1% n = 37"  # 32/37
    page = client.get(RESULTS)
    assert text_at(page, "p.excluded").startswith("已排除 1 份答卷")
    assert "已排除 1 份答卷，不计入此项。" in text_at(page, "#districts ~ p")
    assert count_responses(state_of(app).db, TOPIC, WAVE) == 40  # never deleted
    added = next(e for e in entries(state_of(app).db) if e.action == "exclusion.add")
    assert added.actor == "eva@example.org" and added.target == f"response:{very_unhappy}"
    assert added.detail["reason"] == "同一设备连续提交的辱骂内容"
    row = client.get(LIST).soup.find(id=f"response-{very_unhappy}")
    assert row is not None and "已排除" in row.get_text() and "辱骂内容" in row.get_text()


def test_including_again_restores_the_figures_and_is_audited(
    app: Flask, client: CheckingClient
) -> None:
    ids = seed(app, literal_set())
    evaluator(app, client)
    post(client, ids[36], "exclude", reason="重复提交")
    post(client, ids[36], "include")
    assert satisfaction(client) == "满意率 84.2% 95% 区间 69.6%–92.6% n = 38"
    removed = next(e for e in entries(state_of(app).db) if e.action == "exclusion.remove")
    assert removed.detail["reason"] == "重复提交" and removed.target == f"response:{ids[36]}"


@pytest.mark.parametrize(
    ("reason", "message"), [("  ", "请填写排除理由"), ("长" * 501, "排除理由最多 500 字")]
)
def test_a_reason_is_required_and_at_most_500_characters(
    sqlite_app: Flask, page_client: CheckingClient, reason: str, message: str
) -> None:
    [first] = seed(sqlite_app, many(1, "满意"))
    evaluator(sqlite_app, page_client)
    page = post(page_client, first, "exclude", status=400, reason=reason)
    assert page.errors() == {f"reason-{first}": message}
    assert page.tag("textarea", id=f"reason-{first}")["aria-invalid"] == "true"
    assert not any(e.action == "exclusion.add" for e in entries(state_of(sqlite_app).db))


def test_a_response_of_another_topic_or_wave_is_404(app: Flask, client: CheckingClient) -> None:
    [other_topic] = seed(app, many(1, "满意"), topic=OTHER_TOPIC)
    [other_wave] = seed(app, many(1, "满意"), wave="2024-end")
    seed(app, many(1, "满意"))
    evaluator(app, client)
    post(client, other_topic, "exclude", status=404, reason="x")
    post(client, other_wave, "exclude", status=404, reason="x")
    post(client, other_topic, "include", status=404)
    assert not any(e.action.startswith("exclusion") for e in entries(state_of(app).db))


def test_a_response_id_beyond_any_row_is_404_not_a_server_error(
    app: Flask, client: CheckingClient
) -> None:
    seed(app, many(1, "满意"))
    evaluator(app, client)
    for huge in (2**31, 10**20):
        post(client, huge, "exclude", status=404, reason="x")
        post(client, huge, "include", status=404)


def test_the_response_list_explains_flags_and_is_paginated_and_audited(
    sqlite_app: Flask, page_client: CheckingClient
) -> None:
    seed(sqlite_app, many(50, "满意") + many(1, "不满意", flags=("too_fast", "busy_address")))
    evaluator(sqlite_app, page_client)
    first = page_client.get(LIST)
    newest = first.soup.select("ol.responses > li")[0].get_text(" ")
    assert "填写过快；同一网络地址提交较多" in newest and "来源 网页链接" in newest
    assert len(first.soup.select("ol.responses > li")) == 50
    assert len(page_client.get(LIST + "?page=2").soup.select("ol.responses > li")) == 1
    page_client.get(LIST + "?page=3", status=404)
    page_client.get(LIST + "?page=99999999999999999999", status=404)  # not an OFFSET overflow
    entry = entries(state_of(sqlite_app).db, limit=1)[0]
    assert (entry.action, entry.detail["page"], entry.detail["rows"]) == ("responses.view", 2, 1)
