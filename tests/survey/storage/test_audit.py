"""The audit log: entries append in the act's transaction, and the database refuses edits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, event, text, update
from sqlalchemy.exc import DatabaseError

from survey.storage.audit import Filters, all_entries, append, entries, record
from survey.storage.db import Database
from survey.storage.models import AuditEntry
from tests.survey.conftest import NOW, state_of


def test_entries_come_back_newest_first_in_pages(app: Flask) -> None:
    db = state_of(app).db
    for number in range(5):
        append(db, NOW, "a@example.org", "results.view", target=f"t{number}")
    first = entries(db, limit=2)
    assert [entry.target for entry in first] == ["t4", "t3"]
    assert [entry.target for entry in entries(db, before_id=first[-1].id, limit=10)] == [
        "t2",
        "t1",
        "t0",
    ]
    assert [entry.target for entry in all_entries(db, chunk=2)] == ["t0", "t1", "t2", "t3", "t4"]


def test_an_unknown_action_is_a_programming_error(app: Flask) -> None:
    with pytest.raises(ValueError, match=r"unknown audit action 'results\.peek'"):
        append(state_of(app).db, NOW, "a@example.org", "results.peek")


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEntry).values(actor="someone else"),
        delete(AuditEntry),
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_or_remove_entries(app: Flask, statement: object) -> None:
    db = state_of(app).db
    append(db, NOW, "a@example.org", "download", detail={"rows": 3})
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
        connection.execute(statement)  # type: ignore[call-overload]
    assert [entry.actor for entry in entries(db)] == ["a@example.org"]


def test_an_entry_rolls_back_with_the_act_it_records(app: Flask) -> None:
    db = state_of(app).db
    with pytest.raises(RuntimeError), db.transaction() as session:
        record(session, NOW, "a@example.org", "exclusion.add", target="response 1")
        raise RuntimeError("the act failed")
    assert entries(db) == []


def test_emptying_the_whole_table_is_refused_too(app: Flask) -> None:
    """PostgreSQL's TRUNCATE skips row triggers, and SQLite's DELETE without WHERE may truncate."""
    db = state_of(app).db
    append(db, NOW, "a@example.org", "download")
    dialect = db.engine.dialect.name
    emptying = "TRUNCATE audit_log" if dialect == "postgresql" else "DELETE FROM audit_log"
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(emptying))
    assert len(entries(db)) == 1


DAY = timedelta(days=1)


def add_many(db: Database, *entries: tuple[str, str, timedelta]) -> None:
    """Append (actor, action, age) entries in one transaction, oldest given first; target `t<n>`."""
    with db.transaction() as session:
        for number, (actor, action, age) in enumerate(entries):
            record(session, NOW - age, actor, action, target=f"t{number}")


def targets(found: Iterator[AuditEntry] | list[AuditEntry]) -> list[str]:
    """The targets of `found`, in order."""
    return [entry.target for entry in found]


def test_filters_select_entries_in_the_database(app: Flask) -> None:
    """On SQLite and PostgreSQL: the same WHERE clause, the same entries, newest first."""
    db = state_of(app).db
    add_many(
        db,
        ("a@example.org", "download", 3 * DAY),
        ("A@Example.org", "results.view", DAY),
        ("a_b@example.org", "download", DAY),
        ("axb@example.org", "download", timedelta(hours=1)),
        ("b@example.org", "login.failure", timedelta(0)),
    )
    cases = {
        "action": Filters(action="download"),
        "actor, any case": Filters(actor="a@example"),
        "underscore is literal": Filters(actor="a_b"),
        "percent is literal": Filters(actor="%"),
        "since inclusive, until exclusive": Filters(since=NOW - DAY, until=NOW),
        "all at once": Filters(action="download", actor="a", since=NOW - DAY),
        "nothing": Filters(),
    }
    assert {name: targets(entries(db, filters=f)) for name, f in cases.items()} == {
        "action": ["t3", "t2", "t0"],
        "actor, any case": ["t1", "t0"],
        "underscore is literal": ["t2"],
        "percent is literal": [],
        "since inclusive, until exclusive": ["t3", "t2", "t1"],
        "all at once": ["t3", "t2"],
        "nothing": ["t4", "t3", "t2", "t1", "t0"],
    }


def test_a_filter_matching_only_entries_beyond_the_first_page_finds_them(app: Flask) -> None:
    """Filtering after LIMIT would read the two newest entries, keep none, and stop."""
    db = state_of(app).db
    old = [("cli:root", "purge", 2 * DAY)] * 2
    add_many(db, *old, *[("a@example.org", "results.view", DAY)] * 5)
    assert targets(entries(db, limit=2, filters=Filters(action="purge"))) == ["t1", "t0"]


def test_filtered_pages_continue_strictly_before_the_given_id(app: Flask) -> None:
    db = state_of(app).db
    add_many(db, *[("a@example.org", "download" if n % 2 else "logout", DAY) for n in range(7)])
    first = entries(db, limit=2, filters=Filters(action="download"))
    rest = entries(db, before_id=first[-1].id, limit=5, filters=Filters(action="download"))
    assert (targets(first), targets(rest)) == (["t5", "t3"], ["t1"])
    assert entries(db, before_id=rest[-1].id, filters=Filters(action="download")) == []


def test_every_matching_entry_is_read_oldest_first_in_chunks(app: Flask) -> None:
    """The keyset continues after the last matching id, whatever lies between the chunks."""
    db = state_of(app).db
    add_many(
        db, *[("a@example.org", "download" if n in (1, 4, 5) else "logout", DAY) for n in range(7)]
    )
    read = all_entries(db, chunk=2, filters=Filters(action="download"))
    assert targets(read) == ["t1", "t4", "t5"]


def test_only_matching_entries_are_loaded_from_the_database(app: Flask) -> None:
    """Memory follows the page, not the log: non-matching entries never become objects."""
    db = state_of(app).db
    add_many(db, ("cli:root", "purge", 2 * DAY), *[("a@example.org", "logout", DAY)] * 20)
    loaded: list[Any] = []
    listener = lambda target, _context: loaded.append(target)  # noqa: E731
    event.listen(AuditEntry, "load", listener)
    try:
        page = entries(db, limit=10, filters=Filters(action="purge"))
        exported = list(all_entries(db, chunk=3, filters=Filters(action="purge")))
    finally:
        event.remove(AuditEntry, "load", listener)
    assert targets(page) == targets(exported) == ["t0"]
    assert len(loaded) == 2
