"""Admin pages: the waves list, publishing a closed wave's aggregates, invitation codes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from survey.staff.evaluators.store import Actor, exclude
from survey.storage.models import AuditEntry, Invitation, Publication
from tests.survey.conftest import (
    INVITED_TOPIC,
    NOW,
    TOPIC,
    WAVE,
    CheckingClient,
    Clock,
    add_staff,
    log_in,
    state_of,
)
from tests.survey.staff.evaluators.conftest import Answer, literal_set, many, seed

ADMIN = "admin@example.org"
AFTER_CLOSE = datetime(2026, 12, 20, 4, 0, tzinfo=UTC)  # 2026-end closed on 12-15 18:00 Beijing
WAVES = "/staff/admin/waves/"
PUBLISH = f"/staff/admin/waves/{WAVE}/publish"
UNPUBLISH = f"/staff/admin/waves/{WAVE}/unpublish"
INVITE = "/staff/admin/invitations"


def as_admin(app: Flask, client: CheckingClient) -> None:
    """An admin logged in on `client`."""
    add_staff(app, ADMIN, "admin")
    log_in(client, ADMIN)


def token(client: CheckingClient, url: str = WAVES) -> str:
    """A CSRF token from a page's form."""
    return client.get(url).hidden("csrf_token")


def audit(app: Flask, action: str) -> list[AuditEntry]:
    """The entries of `action`, oldest first."""
    with state_of(app).db.transaction() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(session.scalars(query))


def publication(app: Flask) -> Publication | None:
    """The stored publication of the 2026-end wave."""
    with state_of(app).db.transaction() as session:
        return session.get(Publication, WAVE)


def test_waves_page_lists_every_wave_with_its_state_responses_and_codes(
    app: Flask, client: CheckingClient
) -> None:
    seed(app, many(3, "满意"))
    as_admin(app, client)
    page = client.get(WAVES)
    row = page.tag("tr", id=f"wave-{WAVE}").get_text(" ")
    assert "2026 年年底" in row and "进行中" in row
    assert "2026年11月15日 09:00 至 2026年12月15日 18:00" in row
    assert " 3 " in f" {row} "  # responses received
    assert "文明养犬：0 / 0" in row  # the invitation-only topic's codes
    assert "结束后才能发布" in row
    for wave in state_of(app).content.site.waves:
        page.tag("tr", id=f"wave-{wave.id}")
    assert "content/site.yml" in page.text()


@pytest.mark.parametrize("role", ["evaluator", "auditor"])
def test_other_roles_are_refused_every_admin_route(
    sqlite_app: Flask, page_client: CheckingClient, role: str
) -> None:
    add_staff(sqlite_app, "someone@example.org", role)
    log_in(page_client, "someone@example.org")
    client = page_client.client
    assert client.get(WAVES).status_code == 403
    assert client.get(PUBLISH).status_code == 403
    for url in (PUBLISH, UNPUBLISH, INVITE):
        assert client.post(url, data={}).status_code in (400, 403)  # CSRF or role: never done
    assert publication(sqlite_app) is None and not audit(sqlite_app, "invitations.create")


def test_anonymous_visitors_are_sent_to_the_login_page(page_client: CheckingClient) -> None:
    response = page_client.client.get(WAVES)
    assert response.status_code == 302 and "/staff/login/" in response.headers["Location"]


def test_a_wave_that_has_not_closed_is_not_published(app: Flask, client: CheckingClient) -> None:
    seed(app, literal_set())
    as_admin(app, client)
    page = client.get(PUBLISH)
    assert "结束后才能发布" in page.text()
    refused = client.post(PUBLISH, {"csrf_token": token(client)}, status=409)
    assert "结束后才能发布" in refused.text()
    assert publication(app) is None and not audit(app, "wave.publish")


def test_publishing_stores_the_aggregates_with_the_audit_entry(
    app: Flask, client: CheckingClient, clock: Clock
) -> None:
    ids = seed(app, [*literal_set(), Answer("满意", comment="楼下充电桩很方便")])
    excluded = ids[0]  # 非常满意: 满意率 becomes 32/38 → 31/37 once excluded
    exclude(state_of(app).db, Actor("eva@example.org", NOW), TOPIC, WAVE, excluded, "重复提交")
    clock.now = AFTER_CLOSE
    as_admin(app, client)
    preview = client.get(PUBLISH)
    assert "确认发布2026 年年底的汇总结果" in preview.text()
    client.post(PUBLISH, {"csrf_token": preview.hidden("csrf_token")})

    stored = publication(app)
    assert stored is not None and stored.published_by == ADMIN
    figures = stored.results[TOPIC]
    rate = figures["satisfaction_rate"]
    assert (rate["n"], rate["value"]) == (38, pytest.approx(32 / 38))  # + the commented 满意
    assert (figures["responses"], figures["excluded"]) == (41, 1)
    assert "楼下充电桩" not in json.dumps(stored.results, ensure_ascii=False)
    entries = audit(app, "wave.publish")
    assert [(e.actor, e.target) for e in entries] == [(ADMIN, WAVE)]
    assert entries[0].detail["topics"][TOPIC]["n"] == 38


def test_publishing_uses_the_wilson_interval_and_leaves_exclusions_out(
    app: Flask, client: CheckingClient, clock: Clock
) -> None:
    ids = seed(app, literal_set())
    exclude(state_of(app).db, Actor("eva@example.org", NOW), TOPIC, WAVE, ids[0], "测试")
    clock.now = AFTER_CLOSE
    as_admin(app, client)
    client.post(PUBLISH, {"csrf_token": token(client, PUBLISH)})
    stored = publication(app)
    assert stored is not None
    rate = stored.results[TOPIC]["satisfaction_rate"]
    # 31 satisfied of 37 valid; Wilson 95%: 0.68864 to 0.92349 (statsmodels, method="wilson").
    assert rate["n"] == 37 and rate["value"] == pytest.approx(31 / 37)
    assert (rate["ci_low"], rate["ci_high"]) == (
        pytest.approx(0.68864, abs=1e-5),
        pytest.approx(0.92349, abs=1e-5),
    )


def test_a_topic_with_few_answers_is_published_suppressed(
    app: Flask, client: CheckingClient, clock: Clock
) -> None:
    seed(app, many(40, "满意"))
    seed(app, many(5, "满意"), topic=INVITED_TOPIC)
    clock.now = AFTER_CLOSE
    as_admin(app, client)
    assert "样本不足，不公布" in client.get(PUBLISH).text()
    client.post(PUBLISH, {"csrf_token": token(client, PUBLISH)})
    stored = publication(app)
    assert stored is not None
    small = stored.results[INVITED_TOPIC]["satisfaction_rate"]
    assert small["suppressed"] is True and small["value"] is None and small["ci_low"] is None
    assert small["n"] == 5


def test_a_published_wave_is_not_overwritten_and_can_be_withdrawn(
    app: Flask, client: CheckingClient, clock: Clock
) -> None:
    seed(app, many(40, "满意"))
    clock.now = AFTER_CLOSE
    as_admin(app, client)
    client.post(PUBLISH, {"csrf_token": token(client, PUBLISH)})
    first = publication(app)
    assert first is not None
    clock.now = AFTER_CLOSE + timedelta(minutes=5)
    again = client.post(PUBLISH, {"csrf_token": token(client)}, status=409)
    assert "已经发布" in again.text()
    kept = publication(app)
    assert kept is not None and kept.published_at == first.published_at
    assert len(audit(app, "wave.publish")) == 1
    assert "已发布" in client.get(WAVES).tag("tr", id=f"wave-{WAVE}").get_text()

    client.post(UNPUBLISH, {"csrf_token": token(client)})
    assert publication(app) is None
    [entry] = audit(app, "wave.unpublish")
    assert entry.actor == ADMIN and entry.detail["published_by"] == ADMIN


def test_a_wave_without_responses_has_nothing_to_publish(
    sqlite_app: Flask, page_client: CheckingClient, clock: Clock
) -> None:
    clock.now = AFTER_CLOSE
    as_admin(sqlite_app, page_client)
    row = page_client.get(WAVES).tag("tr", id=f"wave-{WAVE}")
    assert "未发布（没有答卷）" in row.get_text() and row.find("a") is None
    assert "没有任何答卷" in page_client.get(PUBLISH).text()
    page_client.post(PUBLISH, {"csrf_token": token(page_client)}, status=409)
    assert publication(sqlite_app) is None


def test_publishing_without_the_csrf_token_is_refused(
    sqlite_app: Flask, page_client: CheckingClient, clock: Clock
) -> None:
    seed(sqlite_app, many(40, "满意"))
    clock.now = AFTER_CLOSE
    as_admin(sqlite_app, page_client)
    assert page_client.client.post(PUBLISH, data={}).status_code == 400
    assert publication(sqlite_app) is None


def test_invitation_codes_are_downloaded_once_and_only_their_hashes_stored(
    app: Flask, client: CheckingClient
) -> None:
    as_admin(app, client)
    body = {"csrf_token": token(client), "topic": INVITED_TOPIC, "wave": WAVE, "count": "25"}
    response = client.client.post(INVITE, data=body)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    codes = {r["code"] for r in rows}
    assert len(codes) == 25 and {(r["topic"], r["wave"]) for r in rows} == {(INVITED_TOPIC, WAVE)}
    with state_of(app).db.transaction() as session:
        stored = set(session.scalars(select(Invitation.code_hash)))
        assert session.scalar(select(func.count(Invitation.id))) == 25
    assert stored == {hashlib.sha256(c.encode()).hexdigest() for c in codes}
    [entry] = audit(app, "invitations.create")
    assert (entry.actor, entry.target, entry.detail["count"]) == (
        ADMIN,
        f"{INVITED_TOPIC}/{WAVE}",
        25,
    )
    row = client.get(WAVES).tag("tr", id=f"wave-{WAVE}").get_text(" ")
    assert "文明养犬：25 / 0" in row


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("count", "0", "数量应在 1 到 200,000 之间"),
        ("count", "很多", "请填写一个整数"),
        ("topic", TOPIC, "请从列出的议题中选择"),
        ("wave", "2024-end", "请从列出的调查批次中选择"),
    ],
)
def test_invitation_form_says_what_is_wrong_in_chinese(
    sqlite_app: Flask, page_client: CheckingClient, field: str, value: str, message: str
) -> None:
    as_admin(sqlite_app, page_client)
    body = {"csrf_token": token(page_client), "topic": INVITED_TOPIC, "wave": WAVE, "count": "5"}
    page = page_client.post(INVITE, body | {field: value}, status=400)
    assert message in page.errors()[field]
    assert not audit(sqlite_app, "invitations.create")
