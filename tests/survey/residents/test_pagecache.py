"""The blank questionnaire page is rendered once and filled in per request: it must be the page
the full render would give, with this request's own token, ticket and code, escaped."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask, render_template

from generator.content.questionnaires import freeze
from survey.residents.pagecache import PageCacheError, cut, markers
from survey.residents.service import find_survey
from tests.conftest import CONTENT
from tests.survey.conftest import (
    INVITED_TOPIC,
    TOPIC,
    URL,
    WAVE,
    CheckingClient,
    Clock,
    make_app,
    state_of,
)

INVITED_URL = f"/{INVITED_TOPIC}/{WAVE}/"


def full_render(app: Flask, url: str, token: str, ticket: str, code: str = "") -> str:
    """The questionnaire as the template draws it for these values, without the cache."""
    state = state_of(app)
    topic, wave = url.strip("/").split("/")
    with app.test_request_context(url):
        survey = find_survey(state.content, topic, wave, state.clock())
        assert survey is not None and survey.questionnaire is not None
        form = state.form_for(survey.questionnaire)(formdata=None)
        form.csrf_token.current_token = token
        form.ticket.data = ticket
        if "invitation" in form:
            form["invitation"].data = code
        html = render_template(
            "respondents/questionnaire.html", survey=survey, form=form, notice=None
        )
    return html


def test_the_filled_in_page_is_the_page_the_template_draws(page_client: CheckingClient) -> None:
    app = page_client.client.application
    for url in (URL, INVITED_URL):
        page = page_client.get(url)
        token, ticket = page.hidden("csrf_token"), page.hidden("ticket")
        expected = full_render(app, url, token, ticket)
        assert page.response.get_data(as_text=True) == expected


def test_each_get_has_its_own_ticket_and_each_browser_its_own_token(
    sqlite_app: Flask,
) -> None:
    first, second = (CheckingClient(sqlite_app.test_client()) for _ in range(2))
    pages = [first.get(URL), first.get(URL), second.get(URL)]
    tickets = {p.hidden("ticket") for p in pages}
    assert len(tickets) == 3
    assert pages[0].hidden("csrf_token") != pages[2].hidden("csrf_token")
    assert len(state_of(sqlite_app).pages) == 1, "one blank page for the three requests"
    for client in (first, second):
        client.post(URL, client.form())  # each browser's token and ticket are accepted


def test_an_invitation_code_from_the_link_is_escaped_and_kept(page_client: CheckingClient) -> None:
    code = '"><script>alert(1)</script>&amp;'
    page = page_client.get(INVITED_URL, query_string={"code": code})
    assert page.tag("input", name="invitation")["value"] == code
    assert page.soup.find("script") is None
    html = page.response.get_data(as_text=True)
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;" in html
    expected = full_render(
        page_client.client.application,
        INVITED_URL,
        page.hidden("csrf_token"),
        page.hidden("ticket"),
        code,
    )
    assert html == expected


def test_a_long_code_is_cut_to_forty_characters(page_client: CheckingClient) -> None:
    page = page_client.get(INVITED_URL, query_string={"code": "K" * 100})
    assert page.tag("input", name="invitation")["value"] == "K" * 40


def test_the_mount_point_is_part_of_the_cached_page(page_client: CheckingClient) -> None:
    mounted = page_client.get(URL, base_url="http://localhost/survey")
    plain = page_client.get(URL)
    assert mounted.tag("form")["action"] == f"/survey{URL}"
    assert plain.tag("form")["action"] == URL


def test_a_changed_questionnaire_is_shown_by_the_next_app(tmp_path: Path, clock: Clock) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    extras = content / "questionnaires" / "topics" / f"{TOPIC}.yml"
    old = "离您家最近的电动自行车充电设施有多远？"
    new = "充电设施 <离您家> 有多远 & 方便吗？"
    extras.write_text(extras.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    # As if changed before the wave opened, then frozen when it did.
    frozen = content / "questionnaires" / "frozen.yml"
    lines = frozen.read_text(encoding="utf-8").splitlines(keepends=True)
    frozen.write_text("".join(x for x in lines if not x.startswith(TOPIC)), encoding="utf-8")
    freeze(content, datetime.now(UTC))
    before = CheckingClient(
        make_app(f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path, clock).test_client()
    )
    changed_app = make_app(
        f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path, clock, YITI_CONTENT_DIR=str(content)
    )
    after = CheckingClient(changed_app.test_client())
    assert old in before.get(URL).text() and new not in before.get(URL).text()
    page = after.get(URL)
    assert new in page.text() and old not in page.text()
    assert "充电设施 &lt;离您家&gt; 有多远 &amp; 方便吗？" in page.response.get_data(as_text=True)


def test_cutting_refuses_a_marker_missing_or_found_twice() -> None:
    marks = markers(("csrf_token", "ticket"))
    page = cut(f"a{marks['ticket']}b{marks['csrf_token']}c", marks)
    assert page.fill({"csrf_token": "<t>", "ticket": "1"}) == "a1b&lt;t&gt;c"
    with pytest.raises(PageCacheError):
        cut(f"a{marks['ticket']}b", marks)
    with pytest.raises(PageCacheError):
        cut(f"{marks['ticket']}{marks['ticket']}{marks['csrf_token']}", marks)


def test_a_head_request_is_answered_like_a_get(page_client: CheckingClient) -> None:
    response = page_client.client.head(URL)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
