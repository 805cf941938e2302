"""Storing responses and invitation codes, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Connection, event, inspect

from survey.storage.db import Database, queued, writer_queue
from survey.storage.repository import (
    ConflictError,
    InvitationError,
    Submission,
    count_responses,
    create_invitations,
    invitation_counts,
    receipt_exists,
    responses,
    save_response,
)
from tests.survey.conftest import ANSWERS, INVITED_TOPIC, TOPIC, WAVE, state_of

SUBMISSION = Submission(
    submission_id="0" * 32,
    topic=TOPIC,
    wave=WAVE,
    version="standard@1+ebike-charging@1",
    channel="link",
    answers=ANSWERS | {"street_name": "万寿路街道"},
    submitted_at=datetime(2026, 11, 27, 4, 0, tzinfo=UTC),
)


@pytest.fixture
def db(app: Flask) -> Database:
    """The app's database (SQLite and PostgreSQL)."""
    return state_of(app).db


def test_a_submission_is_stored_with_its_receipt(db: Database) -> None:
    receipt = save_response(db, SUBMISSION)
    assert receipt_exists(db, TOPIC, WAVE, receipt)
    assert not receipt_exists(db, INVITED_TOPIC, WAVE, receipt)
    [row] = responses(db, TOPIC, WAVE)
    assert row.satisfaction == "满意" and row.flags == [] and row.answers == SUBMISSION.answers
    assert row.submitted_at.replace(tzinfo=UTC) == SUBMISSION.submitted_at


def test_the_same_submission_twice_is_one_row_and_one_receipt(db: Database) -> None:
    assert save_response(db, SUBMISSION) == save_response(db, SUBMISSION)
    assert count_responses(db) == 1


def test_a_receipt_drawn_twice_is_drawn_again_not_an_error(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    draws = iter(["AAAA-AAAA-AA", "AAAA-AAAA-AA", "BBBB-BBBB-BB"])
    monkeypatch.setattr("survey.storage.repository.mint", lambda _length: next(draws))
    first = save_response(db, SUBMISSION)
    second = save_response(db, replace(SUBMISSION, submission_id="1" * 32))
    assert (first, second) == ("AAAA-AAAA-AA", "BBBB-BBBB-BB") and count_responses(db) == 2


def test_the_same_id_with_other_answers_is_a_conflict_naming_the_first_receipt(
    db: Database,
) -> None:
    receipt = save_response(db, SUBMISSION)
    changed = replace(SUBMISSION, answers=SUBMISSION.answers | {"satisfaction": "不满意"})
    with pytest.raises(ConflictError) as caught:
        save_response(db, changed)
    assert caught.value.receipt == receipt
    assert count_responses(db) == 1


def test_concurrent_copies_of_one_submission_store_one_row(db: Database) -> None:
    results = run_in_threads(8, lambda: save_response(db, SUBMISSION))
    assert len(set(results)) == 1
    assert count_responses(db) == 1


def test_an_invitation_code_works_once(db: Database) -> None:
    [code] = create_invitations(db, INVITED_TOPIC, WAVE, 1, "batch")
    invited = replace(SUBMISSION, topic=INVITED_TOPIC, invitation=code.lower().replace("-", " "))
    save_response(db, invited)
    with pytest.raises(InvitationError):
        save_response(db, replace(invited, submission_id="1" * 32))
    assert invitation_counts(db, INVITED_TOPIC, WAVE) == {"issued": 1, "used": 1}
    assert count_responses(db) == 1


def test_a_resent_invited_submission_returns_its_receipt(db: Database) -> None:
    [code] = create_invitations(db, INVITED_TOPIC, WAVE, 1, "batch")
    invited = replace(SUBMISSION, topic=INVITED_TOPIC, invitation=code)
    results = run_in_threads(4, lambda: save_response(db, invited))
    assert len(set(results)) == 1 and count_responses(db) == 1


def test_a_code_for_another_topic_or_unknown_code_is_refused(db: Database) -> None:
    [code] = create_invitations(db, INVITED_TOPIC, WAVE, 1, "batch")
    for wrong in (replace(SUBMISSION, invitation=code), replace(SUBMISSION, invitation="NOPE")):
        with pytest.raises(InvitationError):
            save_response(db, replace(wrong, topic=TOPIC))
    assert count_responses(db) == 0
    assert invitation_counts(db, INVITED_TOPIC, WAVE)["used"] == 0


def test_codes_are_distinct_and_stored_only_as_hashes(db: Database) -> None:
    codes = create_invitations(db, INVITED_TOPIC, WAVE, 50, "batch")
    assert len(set(codes)) == 50
    columns = {c["name"] for c in inspect(db.engine).get_columns("invitations")}
    assert columns == {"id", "code_hash", "topic", "wave", "batch", "used"}


def test_responses_keep_nothing_that_links_them_to_a_code_or_an_address(db: Database) -> None:
    columns = {c["name"] for c in inspect(db.engine).get_columns("responses")}
    assert not columns & {"invitation", "code", "code_hash", "ip", "ip_address", "user_agent"}


def test_a_lone_insert_commits_by_itself_and_an_invited_one_with_its_code(db: Database) -> None:
    """One INSERT needs no BEGIN and COMMIT around it (two round trips to PostgreSQL fewer);
    an INSERT that uses up a code shares one transaction with the code's UPDATE."""
    seen: list[tuple[str, str]] = []
    texts: list[str] = []

    def record(connection: Connection, _c: object, statement: str, *_: object) -> None:
        level = connection.get_execution_options().get("isolation_level", "transaction")
        seen.append((statement.split()[0], level))
        texts.append(statement)

    [code] = create_invitations(db, INVITED_TOPIC, WAVE, 1, "batch")
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        save_response(db, SUBMISSION)
        save_response(
            db, replace(SUBMISSION, submission_id="1" * 32, topic=INVITED_TOPIC, invitation=code)
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    writes = [(verb, level) for verb, level in seen if verb in {"INSERT", "UPDATE"}]
    assert writes == [
        ("INSERT", "AUTOCOMMIT"),
        ("INSERT", "transaction"),
        ("UPDATE", "transaction"),
    ]
    assert count_responses(db) == 2
    assert not [t for t in texts if t.startswith("INSERT INTO responses") and "RETURNING" in t]


def run_in_threads(count: int, work: Callable[[], str]) -> list[str]:
    """Run `work` in `count` threads released together; return their results."""
    barrier = threading.Barrier(count)
    results: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(work())
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def test_sqlite_writers_take_turns_and_other_stores_need_no_queue(tmp_path: Path) -> None:
    path = writer_queue(f"sqlite:///{tmp_path / 'survey.sqlite3'}")
    assert path == tmp_path / "survey.sqlite3.writers"
    assert writer_queue("postgresql+psycopg://postgres@127.0.0.1/test") is None
    assert writer_queue(f"sqlite:///file:{tmp_path / 'x'}?mode=ro&uri=true") is None
    order: list[str] = []
    with queued(path):
        waiter = threading.Thread(target=lambda: _enter(path, order))
        waiter.start()
        waiter.join(timeout=0.2)
        order.append("first done")
    waiter.join(timeout=5)
    assert order == ["first done", "second in"]


def _enter(path: Path | None, order: list[str]) -> None:
    with queued(path):
        order.append("second in")
