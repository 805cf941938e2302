"""Refusals say what was refused and why: the page's token, or where a post came from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from survey.errors import CSRF_MESSAGE
from tests.survey.conftest import ANSWERS, URL, CheckingClient, Clock, make_app, state_of

SITE = "https://survey.example.org"
GUNICORN = "http://127.0.0.1:8001"  # the app's own address behind nginx


def https_form(client: CheckingClient, base_url: str = SITE, **headers: str) -> dict[str, Any]:
    """A complete answer to the questionnaire fetched over HTTPS, where Referer is checked."""
    page = client.get(URL, base_url=base_url, headers=headers)
    body = {"csrf_token": page.hidden("csrf_token"), "ticket": page.hidden("ticket")}
    return body | {"website": ""} | ANSWERS


def post(client: CheckingClient, status: int, base_url: str = SITE, **headers: str) -> str:
    """Post a fresh, complete answer with `headers`; the page's text."""
    body = https_form(client, base_url, **headers)
    page = client.post(URL, body, status=status, base_url=base_url, headers=headers)
    return page.text()


def test_a_post_without_referer_says_the_browser_sent_no_origin_and_logs_it(
    page_client: CheckingClient, caplog: pytest.LogCaptureFixture
) -> None:
    text = post(page_client, 400)
    assert "提交没有被接受" in text
    assert "没有来源信息" in text and "允许本站发送来源信息" in text
    assert CSRF_MESSAGE not in text
    assert f"refused POST {URL}: no Referer header" in caplog.text


def test_a_post_from_another_site_names_both_sites_and_logs_them(
    page_client: CheckingClient, caplog: pytest.LogCaptureFixture
) -> None:
    text = post(page_client, 400, Referer="https://evil.example:8443/form/?code=K7QX-M9PA")
    assert "提交没有被接受" in text
    assert f"来自 https://evil.example:8443 的页面，不是本站（{SITE}）" in text
    assert CSRF_MESSAGE not in text
    assert f"Referer from https://evil.example:8443, not {SITE}" in caplog.text
    # Only the origin: survey links carry invitation codes in their query strings.
    assert "K7QX" not in text and "K7QX" not in caplog.text and "/form/" not in caplog.text


@pytest.mark.parametrize(
    "referer",
    [
        "javascript:alert(1)",
        "https://[::1",  # Flask-WTF's own check raised ValueError: a 500
        "https://survey.example.org:99999/",
        "<script>alert(1)</script>",
    ],
)
def test_a_hostile_referer_is_refused_readably(page_client: CheckingClient, referer: str) -> None:
    assert "不是本站" in post(page_client, 400, Referer=referer)  # a page, not a 500


def test_a_post_from_this_site_on_another_port_is_accepted(page_client: CheckingClient) -> None:
    site = f"{SITE}:18443"
    post(page_client, 303, base_url=site, Referer=f"{site}{URL}")


def test_behind_a_proxy_that_drops_the_port_the_page_and_log_show_both_addresses(
    tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """nginx sending `X-Forwarded-Host $host` on port 18443: the operator's clue is the port."""
    app = make_app(f"sqlite:///{tmp_path / 'proxy.sqlite3'}", tmp_path, clock, YITI_PROXY_COUNT=1)
    client = CheckingClient(app.test_client())
    forwarded = {"X-Forwarded-Proto": "https", "Referer": f"{SITE}:18443{URL}"}
    without_port = forwarded | {"X-Forwarded-Host": "survey.example.org"}
    text = post(client, 400, GUNICORN, **without_port)
    assert f"来自 {SITE}:18443 的页面，不是本站（{SITE}）" in text
    assert "the host with the port, that the browser used" in caplog.text
    post(client, 303, GUNICORN, **forwarded | {"X-Forwarded-Host": "survey.example.org:18443"})
    state_of(app).db.dispose()


def test_a_missing_token_keeps_the_expired_page_message_and_logs_the_reason(
    page_client: CheckingClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = https_form(page_client, Referer=f"{SITE}{URL}")
    del body["csrf_token"]
    page = page_client.post(URL, body, status=400, base_url=SITE, headers={"Referer": SITE})
    assert CSRF_MESSAGE in page.text()
    assert f"refused POST {URL}: The CSRF token is missing." in caplog.text


def test_staff_error_pages_speak_to_staff_not_to_a_resident(page_client: CheckingClient) -> None:
    missing = page_client.get("/staff/no-such-page/", status=404).text()
    assert "工作台首页" in missing and "问卷" not in missing
    wrong_method = page_client.get("/staff/admin/invitations", status=405).text()
    assert "按钮或链接" in wrong_method and "问卷" not in wrong_method
    assert "从议题页面上的链接进入问卷" in page_client.get("/no-such-topic/x/", status=404).text()
