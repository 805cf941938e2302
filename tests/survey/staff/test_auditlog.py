"""The auditors' view of the audit log: who may read it, filters, paging, the CSV export."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import timedelta

import pytest
from bs4 import Tag
from flask import Flask

from survey.staff.auditlog import CSV_COLUMNS, PAGE, find_page
from survey.storage.audit import Filters, append, entries, record
from tests.survey.conftest import NOW, CheckingClient, Clock, Page, add_staff, log_in, state_of

AUDITOR = "auditor@example.org"


@pytest.fixture
def auditor(page_client: CheckingClient) -> CheckingClient:
    """A client logged in as an auditor, on the SQLite app."""
    add_staff(page_client.client.application, AUDITOR, "auditor")
    log_in(page_client, AUDITOR)
    return page_client


@pytest.fixture
def auditor_on_each_store(client: CheckingClient) -> CheckingClient:
    """A client logged in as an auditor, on SQLite and on PostgreSQL."""
    add_staff(client.client.application, AUDITOR, "auditor")
    log_in(client, AUDITOR)
    return client


def add(app: Flask, actor: str, action: str, hours_ago: float = 0, **fields: object) -> None:
    """Append an entry as the app would, `hours_ago` before NOW."""
    append(state_of(app).db, NOW - timedelta(hours=hours_ago), actor, action, **fields)


def add_many(app: Flask, count: int, action: str, hours_ago: float = 0) -> None:
    """Append `count` entries of `action` by cli:root in one transaction; targets `<action><n>`."""
    with state_of(app).db.transaction() as session:
        for number in range(count):
            at = NOW - timedelta(hours=hours_ago)
            record(session, at, "cli:root", action, target=f"{action}{number}")


def cells(page: Page) -> list[list[str]]:
    """The log table's cells, row by row (none when there is no table)."""
    return [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in page.soup.select("table.audit tbody tr")
    ]


def test_an_auditor_lands_on_the_log_after_logging_in(page_client: CheckingClient) -> None:
    add_staff(page_client.client.application, AUDITOR, "auditor")
    assert log_in(page_client, AUDITOR).response.headers["Location"] == "/staff/audit/"


@pytest.mark.parametrize("role", ["admin", "evaluator"])
def test_only_auditors_read_the_log(page_client: CheckingClient, role: str) -> None:
    add_staff(page_client.client.application, f"{role}@example.org", role)
    log_in(page_client, f"{role}@example.org")
    page_client.get("/staff/audit/", status=403)
    page_client.get("/staff/audit/export.csv", status=403)


def test_anonymous_visitors_are_sent_to_the_login_page(page_client: CheckingClient) -> None:
    for url in ["/staff/audit/", "/staff/audit/export.csv"]:
        response = page_client.get(url, status=302).response
        assert response.headers["Location"].startswith("/staff/login/?next=")


def test_the_log_shows_entries_newest_first_in_both_time_zones(client: CheckingClient) -> None:
    """On SQLite and PostgreSQL: one hands stored times back naive, the other aware."""
    app = client.client.application
    add_staff(app, AUDITOR, "auditor")
    log_in(client, AUDITOR)
    add(app, "cli:root", "user.add", hours_ago=2, target="ev@example.org")
    add(app, "ev@example.org", "download", target="ebike-charging/2026-end", detail={"rows": 3})
    page = client.get("/staff/audit/")
    shown = cells(page)
    # By id, newest first: the two above, the auditor's login, the account's creation.
    assert [line[2] for line in shown] == [
        "ev@example.org",
        "cli:root",
        AUDITOR,
        "cli:test",
    ]
    download = shown[0]
    assert download[1] == "2026-11-27 12:00:00 UTC 2026-11-27 04:00:00Z"  # NOW is 04:00 UTC
    assert download[3] == "下载答卷数据 download"
    assert download[4] == "ebike-charging/2026-end"
    assert download[5] == '{"rows": 3}'


def test_filters_narrow_the_log_by_action_actor_and_beijing_dates(
    auditor_on_each_store: CheckingClient,
) -> None:
    auditor = auditor_on_each_store
    app = auditor.client.application
    add(app, "a@example.org", "download", hours_ago=24 * 3)
    add(app, "A@Example.org", "results.view", hours_ago=24)
    add(app, "b@example.org", "download", hours_ago=24)
    add(app, "a@example.org", "download", hours_ago=1)

    def actors(query: str) -> list[str]:
        page = auditor.get(f"/staff/audit/?{query}")
        return [line[2] for line in cells(page)]

    assert actors("action=download") == ["a@example.org", "b@example.org", "a@example.org"]
    assert actors("actor=a%40EXAMPLE") == ["a@example.org", "A@Example.org", "a@example.org"]
    # NOW - 24 h is 2026-11-26 12:00 in Beijing; NOW - 1 h is 2026-11-27 11:00.
    assert actors("action=download&start=2026-11-26&end=2026-11-26") == ["b@example.org"]
    assert actors("actor=a%40&start=2026-11-27") == [AUDITOR, "a@example.org"][1:]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("action=results.peek", "action", "请从列出的操作中选择"),
        ("start=27/11/2026", "start", "请按“年-月-日”填写日期，例如 2026-11-27"),
        ("start=2026-11-27&end=2026-11-01", "end", "结束日期不能早于起始日期"),
        ("actor=" + "x" * 255, "actor", "操作人最多 254 个字符"),
        ("end=9999-12-31", "end", "请填写 2000 年到 2099 年之间的日期"),  # the day after overflows
        ("start=0001-01-01", "start", "请填写 2000 年到 2099 年之间的日期"),
        ("before=99999999999", "before", "翻页参数无效，请从第一页开始"),
    ],
)
def test_an_invalid_filter_is_explained_next_to_its_field(
    auditor: CheckingClient, query: str, field: str, message: str
) -> None:
    page = auditor.get(f"/staff/audit/?{query}", status=400)
    if field == "before":  # not a visible field: named in the summary
        assert message in page.tag("div", **{"class": "error-summary"}).get_text()
    else:
        assert page.errors() == {field: message}
        assert (
            page.tag("input" if field != "action" else "select", id=field)["aria-invalid"] == "true"
        )
    assert page.soup.find("table") is None
    auditor.get(f"/staff/audit/export.csv?{query}", status=400)


def test_a_nul_in_the_actor_filter_is_refused_before_any_query(
    auditor_on_each_store: CheckingClient,
) -> None:
    """PostgreSQL refuses NUL in text with an error; the auditor gets a message instead."""
    page = auditor_on_each_store.get("/staff/audit/?actor=a%00b", status=400)
    assert page.errors() == {"actor": "操作人含有无效字符"}
    assert page.tag("input", id="actor")["value"] == "a\ufffdb"
    auditor_on_each_store.get("/staff/audit/export.csv?actor=a%00b", status=400)


def test_pages_continue_before_the_last_entry_shown(auditor: CheckingClient) -> None:
    app = auditor.client.application
    with state_of(app).db.transaction() as session:
        for number in range(PAGE + 20):
            record(session, NOW, "cli:root", "user.change", target=f"u{number}@example.org")
            if number % 7 == 0:  # interleaved, so pages must skip entries in the database
                record(session, NOW, "cli:root", "user.add", target=f"other{number}")
    seen: list[str] = []
    url = "/staff/audit/?action=user.change"
    while url:
        page = auditor.get(url)
        seen += [line[4] for line in cells(page)]
        link = page.soup.find("a", string="更早的记录")
        url = str(link["href"]) if isinstance(link, Tag) else ""
        assert not url or "action=user.change" in url
    assert seen == [f"u{n}@example.org" for n in reversed(range(PAGE + 20))]
    assert auditor.get("/staff/audit/?before=2").soup.find("a", string="回到最新记录")


def test_the_export_is_guarded_csv_with_a_bom_and_is_itself_recorded(
    auditor: CheckingClient, clock: Clock
) -> None:
    app = auditor.client.application
    add(app, '=HYPERLINK("http://x")', "login.failure", hours_ago=1, detail={"reason": "未知账户"})
    add(app, "ev@example.org", "download", hours_ago=1, target="-2+3")
    add(app, "old@example.org", "download", hours_ago=48)  # before the start date
    response = auditor.client.get("/staff/audit/export.csv?start=2026-11-27")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-log-')
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    # Oldest first: the account's creation, the login, the two above, then this export itself.
    assert [r["actor"] for r in rows] == [
        "cli:test",
        AUDITOR,
        '\'=HYPERLINK("http://x")',
        "ev@example.org",
        AUDITOR,
    ]
    assert rows[2]["detail"] == '{"reason": "未知账户"}'
    assert rows[2]["action_label"] == "登录失败"
    assert rows[3]["target"] == "'-2+3"
    assert (rows[3]["at_beijing"], rows[3]["at_utc"]) == (
        "2026-11-27 11:00:00",
        "2026-11-27 03:00:00Z",
    )
    newest = entries(state_of(app).db, limit=1)[0]
    assert (newest.actor, newest.action, newest.target) == (AUDITOR, "audit.export", "audit_log")
    assert newest.detail == {
        "format": "csv",
        "filters": {"since": "2026-11-26T16:00:00+00:00"},
        "status": "completed",
        "rows": 5,
        "sha256": hashlib.sha256(body).hexdigest(),
    }


@pytest.mark.parametrize("matching", [PAGE, PAGE + 1])
def test_a_page_links_to_older_entries_only_when_there_are_more(
    auditor_on_each_store: CheckingClient, matching: int
) -> None:
    """Exactly one page of matches has no further page; one more match makes a page of one."""
    auditor = auditor_on_each_store
    app = auditor.client.application
    add_many(app, matching, "purge")
    add_many(app, 3, "results.view")  # newer, not matching
    first = auditor.get("/staff/audit/?action=purge")
    newest_first = [f"purge{n}" for n in reversed(range(matching))]
    assert [line[4] for line in cells(first)] == newest_first[:PAGE]
    older = first.soup.find("a", string="更早的记录")
    if matching == PAGE:
        assert older is None
        return
    assert isinstance(older, Tag)
    second = auditor.get(str(older["href"]))
    assert [line[4] for line in cells(second)] == ["purge0"]
    assert second.soup.find("a", string="更早的记录") is None
    assert second.soup.find("a", string="回到最新记录")


def test_a_filter_matching_only_entries_beyond_the_first_page_shows_them(
    auditor_on_each_store: CheckingClient,
) -> None:
    """Were the page cut before filtering, its newest PAGE entries would hide both matches."""
    app = auditor_on_each_store.client.application
    add_many(app, 2, "purge", hours_ago=2)
    add_many(app, PAGE + 5, "results.view", hours_ago=1)
    page = auditor_on_each_store.get("/staff/audit/?action=purge")
    assert [line[4] for line in cells(page)] == ["purge1", "purge0"]
    assert page.soup.find("a", string="更早的记录") is None


def test_the_next_page_starts_after_the_last_match_shown(sqlite_app: Flask) -> None:
    db = state_of(sqlite_app).db
    add_many(sqlite_app, 3, "purge")
    add_many(sqlite_app, 4, "logout")
    add_many(sqlite_app, 2, "purge")  # purge0, purge1 again: ids 8 and 9
    found, next_before = find_page(db, Filters(action="purge"), None, size=2)
    assert [(e.id, e.target) for e in found] == [(9, "purge1"), (8, "purge0")]
    assert next_before == 8
    found, next_before = find_page(db, Filters(action="purge"), next_before, size=2)
    assert ([e.id for e in found], next_before) == ([3, 2], 2)
    found, next_before = find_page(db, Filters(action="purge"), next_before, size=2)
    assert ([e.id for e in found], next_before) == ([1], None)


def test_the_export_records_the_rows_it_sent(auditor_on_each_store: CheckingClient) -> None:
    """Started before the first byte, completed with as many rows as the file holds."""
    app = auditor_on_each_store.client.application
    add_many(app, 7, "purge")
    add_many(app, 3, "logout")
    body = auditor_on_each_store.client.get("/staff/audit/export.csv?action=purge").get_data()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["target"] for r in rows] == [f"purge{n}" for n in range(7)]
    started, completed = entries(state_of(app).db, limit=2)[::-1]
    assert (started.action, completed.action) == ("audit.export", "audit.export")
    assert started.detail == {"format": "csv", "filters": {"action": "purge"}, "status": "started"}
    assert completed.detail["status"] == "completed"
    assert completed.detail["rows"] == len(rows) == 7


def test_an_abandoned_export_records_the_rows_sent_so_far(
    auditor: CheckingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("survey.staff.auditlog.BLOCK", 2)
    add_many(auditor.client.application, 9, "purge")
    response = auditor.client.get("/staff/audit/export.csv?action=purge", buffered=False)
    first = next(response.iter_encoded())
    response.close()  # the client hangs up after the first block
    assert len(list(csv.reader(io.StringIO(first.decode("utf-8-sig"))))) == 1 + 2
    newest = entries(state_of(auditor.client.application).db, limit=1)[0]
    assert newest.detail == {
        "format": "csv",
        "filters": {"action": "purge"},
        "status": "aborted",
        "rows": 2,
    }
