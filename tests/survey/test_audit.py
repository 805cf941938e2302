"""The audit log: entries append in the act's transaction, and the database refuses edits."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from survey.audit import all_entries, append, entries, record
from survey.models import AuditEntry
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
