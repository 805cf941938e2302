"""The route-enumeration access test: every rule in the app's URL map, every method it takes (and
every GET again with the query parameters staff views read), as an anonymous visitor, an
evaluator scoped to one topic, an auditor and an admin.

Two topics get one response each whose comment is a unique marker; a marker in a reply means
that reply carries the response. The test knows no route by name: it walks `app.url_map`, so a
route added tomorrow is checked tomorrow, and a route with a parameter the test cannot fill, a
method it does not try or a blueprint nobody has said who may use fails it until someone does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from werkzeug.test import TestResponse

from survey.errors import CSRF_MESSAGE
from survey.storage.audit import all_entries
from tests.survey.conftest import (
    WAVE,
    Clock,
    make_app,
    state_of,
)
from tests.survey.routes import (
    ALL,
    DATA_FORMATS,
    EMAILS,
    FIELDWORK_KEY,
    LOGIN,
    MARKERS,
    PHONE_MARKERS,
    PUBLIC,
    ROLES_OF,
    SCOPED,
    TITLE_B,
    TOPIC_A,
    TOPIC_B,
    Call,
    Visitor,
    calls,
    phone_markers,
    replies,
    seed,
    seed_fieldwork,
    seed_jobs,
    value_sets,
    visitors,
)


@pytest.fixture
def access_app(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    """The app with the shipped content, on each database; no rate limits, because the test
    sends more logins and posts from one address in a minute than a person would."""
    app = make_app(
        database_url, tmp_path, clock, RATELIMIT_ENABLED=False, YITI_FIELDWORK_KEY=FIELDWORK_KEY
    )
    yield app
    state_of(app).db.dispose()


def expected(visitor: Visitor, call: Call) -> set[int] | None:
    """The statuses `visitor` may get for `call`; None: any status below 500."""
    blueprint = call.blueprint
    if blueprint in PUBLIC:
        public_get = call.method == "GET" and call.probe in ("A", "B") and blueprint != "auth"
        return {200} if visitor.role == "anonymous" and public_get else None
    if blueprint not in ROLES_OF:
        pytest.fail(f"blueprint {blueprint!r} ({call.rule.rule}): add it to PUBLIC or ROLES_OF")
    if visitor.role == "anonymous":
        return {302}  # to the login page (checked by the caller)
    if visitor.role not in ROLES_OF[blueprint]:
        return {403}
    scoped = visitor.role in SCOPED
    if visitor.role == "interviewer" and "case_id" in call.rule.arguments and call.probe != "A":
        return {404}  # a case the interviewer does not hold does not exist for them
    if (
        scoped
        and call.probe == "B"
        and {"slug", "response_id", "job_id"} & set(call.rule.arguments)
    ):
        return {404}
    if (
        scoped
        and call.probe == "A with B's response"
        and {"response_id", "job_id"} & set(call.rule.arguments)
    ):
        return {404}
    if visitor.role == "auditor" and call.method == "GET":
        return {200}
    return None


def forbidden_markers(role: str) -> list[str]:
    """Markers `role` must never receive: responses out of scope, and phones (an interviewer
    sees only the phone of the case they hold; nobody else sees any, in pages or downloads)."""
    phones = [*PHONE_MARKERS, *phone_markers(["other", "B"])]
    if role == "interviewer":
        return list(MARKERS.values()) + phones
    phones += phone_markers(["mine"])
    if role == "admin":
        return phones
    if role == "evaluator":
        return [MARKERS[TOPIC_B], *phones]
    return list(MARKERS.values()) + phones


def check(visitor: Visitor, call: Call, status: int, text: str, response: TestResponse) -> None:
    """One reply against the rules for its visitor."""
    where = f"{visitor.role} {call.method} {call.url} ({call.probe})"
    assert status < 500, f"{where}: {status}"
    allowed = expected(visitor, call)
    assert allowed is None or status in allowed, f"{where}: {status}, expected {allowed}"
    if status == 302 and visitor.role == "anonymous" and call.blueprint not in PUBLIC:
        assert response.headers["Location"].startswith(LOGIN), where
    phones = {*PHONE_MARKERS, *phone_markers(["mine", "other", "B"])}
    for marker in forbidden_markers(visitor.role):
        what = "a phone" if marker in phones else "response data of another topic"
        assert marker not in text, f"{where}: {what} ({marker})"
    if visitor.role in SCOPED and call.blueprint not in PUBLIC:
        for name in (
            TITLE_B,
            TOPIC_B,
        ):  # figures carry no marker: their topic's name gives them away
            assert name not in text, f"{where}: names the topic outside the evaluator's scope"
    if call.method == "POST":
        assert CSRF_MESSAGE not in text, f"{where}: the CSRF token was refused"
    if visitor.role == "evaluator" and status == 200 and _all_data_download(call):
        assert MARKERS[TOPIC_A] in text, f"{where}: the in-scope topic is missing"


def _all_data_download(call: Call) -> bool:
    return (
        call.blueprint == "downloads"
        and call.values.get("slug") == ALL
        and call.values.get("fmt") in DATA_FORMATS
        and "fmt" in call.rule.arguments
    )


def audit_snapshot(app: Flask) -> list[tuple[Any, ...]]:
    """Every audit entry, oldest first, as plain values."""
    return [
        (e.id, e.at, e.actor, e.action, e.target, e.detail, e.source)
        for e in all_entries(state_of(app).db)
    ]


def test_no_route_gives_response_data_to_anyone_outside_its_scope(access_app: Flask) -> None:
    check_every_route(access_app)


def check_every_route(app: Flask) -> None:
    """Seed, log everyone in, make every call as everyone, then the app-wide checks."""
    seeded = seed(app)
    people = visitors(app)
    probes = value_sets(seeded, seed_jobs(app), seed_fieldwork(app))
    before = audit_snapshot(app)
    statements: list[str] = []
    engine = state_of(app).db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731  (conn, cursor, statement…)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for visitor, call, response, text in replies(people.values(), calls(app, probes)):
            check(visitor, call, response.status_code, text, response)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert_positive_controls(app, people)
    assert_audit_log_only_grew(app, before, statements)


def assert_positive_controls(app: Flask, people: Mapping[str, Visitor]) -> None:
    """The markers do reach those allowed to see them: the checks above are not vacuous."""
    blueprints = {r.endpoint.rpartition(".")[0] for r in app.url_map.iter_rules()}
    if not {"evaluators", "downloads"} & blueprints:
        return  # no route shows responses yet
    for role, wanted in [("admin", MARKERS.values()), ("evaluator", [MARKERS[TOPIC_A]])]:
        texts = "\n".join(text for _, _, text in people[role].seen)
        for marker in wanted:
            assert marker in texts, f"{role} never saw {marker}: the probes reach no response data"
    if "interviewers" in blueprints:
        texts = "\n".join(text for _, _, text in people["interviewer"].seen)
        assert phone_markers(["mine"])[1] in texts, "the interviewer never saw their own phone"
        opened = [
            e for e in all_entries(app.extensions["yiti_survey"].db) if e.action == "case.open"
        ]
        assert opened and {e.actor for e in opened} == {EMAILS["interviewer"]}
    if "downloads" in blueprints:
        all_downloads = [
            c for c, s, _ in people["evaluator"].seen if _all_data_download(c) and s == 200
        ]
        assert all_downloads, "no 'all topics' download was fetched by the scoped evaluator"
        dispositions = [
            t
            for c, s, t in people["evaluator"].seen
            if c.values.get("fmt") == "dispositions" and s == 200 and "1.1" in t
        ]
        assert dispositions, "no dispositions download with a case was fetched by the evaluator"


def assert_audit_log_only_grew(app: Flask, before: list[tuple[Any, ...]], sql: list[str]) -> None:
    """No request changed or removed an entry: the old ones are all still there, unchanged, and
    every statement that named the audit table read it or inserted into it."""
    after = audit_snapshot(app)
    assert after[: len(before)] == before
    assert len(after) > len(before)  # the views and downloads above were recorded
    touching = [s for s in sql if re.search(r"\baudit_log\b", s)]
    assert touching
    for statement in touching:
        verb = statement.lstrip().split(None, 1)[0].upper()
        assert verb in ("INSERT", "SELECT"), statement


# Every parameter the shipped routes take, with any value: for the tests of the test below.
ANY_VALUES = {
    "wave": WAVE,
    "slug": TOPIC_A,
    "receipt": "x",
    "filename": "x",
    "response_id": 1,
    "job_id": "x",
    "case_id": 1,
}


def test_a_route_that_leaks_to_anonymous_visitors_is_caught(tmp_path: Path, clock: Clock) -> None:
    url = f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    key = {"YITI_FIELDWORK_KEY": FIELDWORK_KEY}
    access_app = make_app(url, tmp_path, clock, RATELIMIT_ENABLED=False, **key)

    def leak(wave: str, slug: str) -> str:
        return "".join(MARKERS.values())

    access_app.add_url_rule("/staff/results/<wave>/<slug>/leak", "evaluators.leak", leak)
    with pytest.raises(AssertionError, match=r"anonymous GET /staff/results/2026-end/\S+/leak"):
        check_every_route(access_app)
    state_of(access_app).db.dispose()


def test_a_route_with_a_parameter_the_test_cannot_fill_fails_it(sqlite_app: Flask) -> None:
    sqlite_app.add_url_rule("/staff/results/<token>/", "evaluators.by_token", lambda token: "")
    with pytest.raises(pytest.fail.Exception, match=r"cannot fill \['token'\]"):
        calls(sqlite_app, {"probe": ANY_VALUES | {"fmt": "csv"}})


def test_a_blueprint_nobody_declared_fails_the_test(sqlite_app: Flask) -> None:
    sqlite_app.add_url_rule("/staff/reports/", "reports.index", lambda: "")
    (call,) = [
        c
        for c in calls(sqlite_app, {"probe": ANY_VALUES | {"fmt": "csv"}})
        if c.url == "/staff/reports/"
    ]
    with pytest.raises(pytest.fail.Exception, match="add it to PUBLIC or ROLES_OF"):
        expected(Visitor("admin", sqlite_app.test_client()), call)


# Ways to change or remove audit rows in SQLAlchemy or SQL; the triggers' DDL names the verbs
# with ON between them and the table, so it does not match.
REWRITES = re.compile(
    r"(update|delete)\(\s*AuditEntry\b"
    r"|\b(UPDATE|DELETE\s+FROM|TRUNCATE(\s+TABLE)?)\s+audit_log\b"
    r"|\bAuditEntry\b[^\n]*\.(update|delete)\(",
    re.IGNORECASE,
)
SURVEY = Path(__file__).resolve().parents[2] / "survey"


def test_no_code_in_the_app_updates_or_deletes_audit_entries() -> None:
    """The routes above are what a request can reach; this covers every other code path too."""
    found = [
        f"{path.relative_to(SURVEY.parent)}:{number}: {line.strip()}"
        for path in sorted(SURVEY.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if REWRITES.search(line)
    ]
    assert not found, "\n".join(found)
    assert REWRITES.search("session.execute(delete(AuditEntry).where(AuditEntry.id == 1))")
    assert REWRITES.search('text("UPDATE audit_log SET actor = :a")')
