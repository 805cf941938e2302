"""Large XLSX and SAV downloads built by the worker: offered, queued, built, fetched, audited.

The apps here build anything over two rows in the background; the test queue is Huey's
immediate mode, so the task runs inside the POST that queues it (tests/survey/jobs/ runs a
real worker process).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import select

from survey.jobs import current_jobs, store
from survey.jobs.work import QUEUE_DOWN
from survey.storage.audit import all_entries
from survey.storage.models import User
from tests.survey.conftest import (
    ANSWERS,
    TOPIC,
    WAVE,
    CheckingClient,
    Clock,
    add_staff,
    make_app,
    state_of,
)
from tests.survey.staff.downloads.conftest import EVALUATOR, OTHER, SCOPED, Seeded, logged_in
from tests.survey.staff.downloads.conftest import store as keep

URL = f"/staff/downloads/{WAVE}"
# For checks of the views alone: the database adds nothing to them, and CI time is short.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ROWS_OF_TOPIC = 6  # seeded: six ebike-charging responses (one excluded, still exported)


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    """The app on each database, building every XLSX or SAV over two rows in the background."""
    app = make_app(database_url, tmp_path, clock, YITI_EXPORT_INLINE_ROWS=2)
    yield app
    state_of(app).db.dispose()


def prepared(client: CheckingClient, slug: str = TOPIC, fmt: str = "xlsx") -> str:
    """Follow the large-file link, ask for the background build; returns the job page's URL."""
    offer = client.get(f"{URL}/{slug}.{fmt}")
    form = offer.soup.select_one("main form[method=post]")
    assert form is not None, "the offer page has no form to ask for the build"
    page = client.post(str(form["action"]), {"csrf_token": offer.hidden("csrf_token")})
    return page.response.headers["Location"]


def fetched(client: CheckingClient, url: str) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers of a download, its file handle closed."""
    response = client.client.get(url)
    try:
        return response.status_code, response.get_data(), dict(response.headers)
    finally:
        response.close()


def job_id(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_a_large_xlsx_is_offered_then_built_and_fetched_with_its_own_sha(
    app: Flask, seeded: Seeded
) -> None:
    client = logged_in(app, SCOPED)
    offer = client.get(f"{URL}/{TOPIC}.xlsx")
    assert f"{ROWS_OF_TOPIC:,} 行" in offer.text() and "后台" in offer.text()
    assert offer.response.mimetype == "text/html"  # no file was built in this request
    where = prepared(client)
    page = client.get(where)
    assert "可以下载" in page.text()
    status, data, headers = fetched(client, f"{where}file")
    assert status == 200, data[:300]
    digest = hashlib.sha256(data).hexdigest()
    assert headers["X-Content-SHA256"] == digest and digest in page.text()
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["responses"]
    assert sheet.max_row == ROWS_OF_TOPIC + 1  # the header, then every stored row
    manifest = json.loads(client.client.get(f"{where}manifest.json").get_data())
    assert manifest["sha256"] == digest and manifest["rows"] == ROWS_OF_TOPIC
    assert manifest["filters"]["job"] == job_id(where)


def test_every_step_of_a_background_download_is_audited_in_the_askers_name(
    app: Flask, seeded: Seeded
) -> None:
    client = logged_in(app, SCOPED)
    where = prepared(client, fmt="sav")
    assert fetched(client, f"{where}file")[0] == 200
    steps = [
        e.detail["status"]
        for e in all_entries(state_of(app).db)
        if e.action == "download" and e.detail.get("job") == job_id(where)
    ]
    assert steps == ["queued", "prepared", "completed"]
    mine = [e for e in all_entries(state_of(app).db) if e.detail.get("job") == job_id(where)]
    assert {e.actor for e in mine} == {SCOPED}


def test_only_the_account_that_asked_can_see_or_fetch_the_job(app: Flask, seeded: Seeded) -> None:
    where = prepared(logged_in(app, SCOPED))
    other = logged_in(app, EVALUATOR)
    for suffix in ("", "file", "manifest.json"):
        assert fetched(other, f"{where}{suffix}")[0] == 404, suffix
    assert job_id(where) not in other.get("/staff/downloads/").text()


def test_a_job_id_no_job_could_have_is_404_not_a_server_error(app: Flask, seeded: Seeded) -> None:
    client = logged_in(app, EVALUATOR)
    for job_id in ("%00", "a%00" + "0" * 30, "x" * 500):
        client.get(f"/staff/downloads/jobs/{job_id}/", status=404)
        client.get(f"/staff/downloads/jobs/{job_id}/file", status=404)


@SQLITE_ONLY
def test_a_topic_outside_the_accounts_scope_cannot_be_queued(app: Flask, seeded: Seeded) -> None:
    client = logged_in(app, SCOPED)
    token = client.get("/staff/downloads/").hidden("csrf_token")
    response = client.client.post(f"{URL}/{OTHER}.xlsx/prepare", data={"csrf_token": token})
    assert response.status_code == 404
    assert not store.recent(state_of(app).db, SCOPED)


def test_a_file_is_refused_once_the_account_no_longer_sees_its_topic(
    app: Flask, seeded: Seeded
) -> None:
    client = logged_in(app, EVALUATOR)
    where = prepared(client, slug="all")
    assert fetched(client, f"{where}file")[0] == 200
    with state_of(app).db.transaction() as session:  # an admin narrows the account's topics
        user = session.scalar(select(User).where(User.email == EVALUATOR))
        assert user is not None
        user.topics = [TOPIC]
    assert fetched(client, f"{where}file")[0] == 404


def test_files_expire_after_the_keeping_time_and_the_tidy_up_deletes_them(
    app: Flask, seeded: Seeded, clock: Clock
) -> None:
    client = logged_in(app, SCOPED)
    where = prepared(client)
    jobs = current_jobs(app)
    found = store.get(state_of(app).db, job_id(where))
    assert found is not None and jobs.folder.file(found).is_file()
    clock.now += jobs.keep + timedelta(minutes=1)
    client = logged_in(app, SCOPED)  # the day-old session has ended
    assert fetched(client, f"{where}file")[0] == 404
    assert "已删除" in client.get(where).text()
    assert "已过期删除" in client.get("/staff/downloads/").text()  # before the tidy-up runs
    assert jobs.tidy() == 1
    assert not jobs.folder.file(found).exists()
    assert store.get(state_of(app).db, found.id).status == store.EXPIRED  # type: ignore[union-attr]


@SQLITE_ONLY
def test_an_unreachable_queue_fails_the_job_with_advice_instead_of_leaving_it_queued(
    database_url: str, tmp_path: Path, clock: Clock
) -> None:
    app = make_app(
        database_url,
        tmp_path,
        clock,
        YITI_EXPORT_INLINE_ROWS=0,
        YITI_QUEUE_URL="redis://127.0.0.1:9/0",  # the discard port: nothing listens there
    )
    try:
        add_staff(app, SCOPED, "evaluator", (TOPIC,))
        keep(app, TOPIC, ANSWERS)  # one row: more than YITI_EXPORT_INLINE_ROWS
        client = logged_in(app, SCOPED)
        page = client.get(prepared(client))
        assert "生成失败" in page.text() and QUEUE_DOWN in page.text()
    finally:
        state_of(app).db.dispose()


@SQLITE_ONLY
@pytest.mark.parametrize("of", ["xlsx", "sav"])
def test_an_xlsx_or_sav_manifest_is_only_given_with_the_file_it_describes(
    app: Flask, seeded: Seeded, of: str
) -> None:
    """A rebuilt XLSX or SAV has other bytes (its creation time), so a manifest of a rebuild
    would carry a SHA-256 no downloaded file has: the link offers the background job."""
    client = logged_in(app, SCOPED)
    page = client.get(f"{URL}/{TOPIC}.manifest?of={of}")
    assert page.response.mimetype == "text/html" and "只能与文件一起生成" in page.text()
    assert page.soup.select_one("main form[method=post]") is not None


@SQLITE_ONLY
def test_a_file_gone_from_the_folder_is_a_404_not_an_error(app: Flask, seeded: Seeded) -> None:
    """Deleted by the tidy-up a moment ago, or asked of a server that lacks the shared folder."""
    client = logged_in(app, SCOPED)
    where = prepared(client)
    found = store.get(state_of(app).db, job_id(where))
    assert found is not None
    current_jobs(app).folder.file(found).unlink()
    for suffix in ("file", "manifest.json"):
        assert fetched(client, f"{where}{suffix}")[0] == 404, suffix


@SQLITE_ONLY
def test_asking_twice_while_the_first_waits_follows_the_first_job(
    database_url: str, tmp_path: Path, clock: Clock
) -> None:
    """A double click on the button queues one file, not two (the worker is not running)."""
    app = make_app(database_url, tmp_path, clock, YITI_EXPORT_INLINE_ROWS=0, YITI_QUEUE_URL=None)
    try:
        add_staff(app, SCOPED, "evaluator", (TOPIC,))
        keep(app, TOPIC, ANSWERS)
        client = logged_in(app, SCOPED)
        first, second = prepared(client), prepared(client)
        assert first == second and "排队中" in client.get(first).text()
        assert len(store.recent(state_of(app).db, SCOPED)) == 1
    finally:
        current_jobs(app).close()
        state_of(app).db.dispose()
