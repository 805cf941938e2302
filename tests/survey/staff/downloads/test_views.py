"""The downloads route: every format read back equal to the stored rows, manifests, the formula
guard, excluded and flagged responses, audit entries, access and scope, streaming."""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from flask import Flask
from werkzeug.test import TestResponse

from survey.analysis.variables import coded, guard
from survey.staff.downloads.scope import resolve
from survey.storage.audit import all_entries
from tests.survey.conftest import TOPIC, WAVE, CheckingClient, state_of
from tests.survey.fieldwork.seeding import add_response
from tests.survey.staff.downloads.conftest import (
    ADMIN,
    AUDITOR,
    CHINESE,
    EVALUATOR,
    FORMULAS,
    OTHER,
    OTHER_MARK,
    REASON,
    SCOPED,
    Seeded,
    expected,
    logged_in,
)

URL = f"/staff/downloads/{WAVE}"


def fetch(client: CheckingClient, url: str, status: int = 200) -> bytes:
    """The body of a download, with the response closed (temporary file handles included)."""
    response: TestResponse = client.client.get(url)
    try:
        assert response.status_code == status, response.get_data(as_text=True)[:500]
        return response.get_data()
    finally:
        response.close()


def text(value: Any) -> str:
    """A cell as text, one kind of missing: how a CSV, a sheet and a SAV file are compared."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def cells(frame: pd.DataFrame) -> list[list[str]]:
    return [[text(v) for v in row] for row in frame.itertuples(index=False, name=None)]


def variables(app: Flask, slug: str = TOPIC) -> Any:
    state = state_of(app)
    scope = resolve(state.content, WAVE, slug, lambda _: True)
    assert scope is not None
    return scope.variables()


@pytest.mark.parametrize(("fmt", "bom"), [("csv", True), ("csv-utf8", False)])
def test_csv_reads_back_equal_to_the_stored_rows_with_chinese_text_and_guarded_formulas(
    app: Flask, seeded: Seeded, fmt: str, bom: bool
) -> None:
    data = fetch(logged_in(app, EVALUATOR), f"{URL}/{TOPIC}.{fmt}")
    assert data.startswith("\ufeff".encode()) is bom
    read = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    want = guard(expected(app, [TOPIC], variables(app)))
    assert list(read.columns) == list(want.columns)
    assert cells(read) == cells(want)
    comments = read["comment"].tolist()
    assert CHINESE in comments
    assert {"'" + formula for formula in FORMULAS} <= set(comments)


def test_xlsx_has_three_sheets_and_reads_back_equal_with_formulas_stored_as_text(
    app: Flask, seeded: Seeded
) -> None:
    data = fetch(logged_in(app, EVALUATOR), f"{URL}/{TOPIC}.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["responses", "codebook", "metadata"]
    values = list(book["responses"].values)
    read = pd.DataFrame(values[1:], columns=values[0])
    want = expected(app, [TOPIC], variables(app))
    assert cells(read) == cells(want)
    column = list(read.columns).index("comment") + 1
    comments = [c for col in book["responses"].iter_cols(column, column) for c in col][1:]
    written = [cell for cell in comments if cell.value is not None]
    assert {cell.value for cell in written if cell.quotePrefix} == set(FORMULAS)
    assert all(cell.data_type == "s" for cell in written)  # never a formula
    meta = {str(key): str(value) for key, value in list(book["metadata"].values)[1:]}
    assert meta["rows"] == str(len(want)) and meta["wave"] == WAVE
    assert meta["generated_by"] == EVALUATOR


def test_sav_reads_back_equal_with_labels_and_missing_codes(app: Flask, seeded: Seeded) -> None:
    data = fetch(logged_in(app, EVALUATOR), f"{URL}/{TOPIC}.sav")
    with tempfile.NamedTemporaryFile(suffix=".sav") as handle:
        handle.write(data)
        handle.flush()
        read, meta = pyreadstat.read_sav(handle.name, user_missing=True)
    declared = variables(app)
    want = coded(expected(app, [TOPIC], declared), declared)
    assert cells(read) == cells(want)
    assert meta.column_names_to_labels == {v.name: v.label for v in declared}
    assert meta.variable_value_labels["excluded"] == {0.0: "否", 1.0: "是"}
    assert meta.missing_ranges["satisfaction"] == [{"lo": 6.0, "hi": 6.0}]  # 说不清


def test_excluded_and_flagged_responses_are_in_every_file_with_their_reasons(
    app: Flask, seeded: Seeded
) -> None:
    data = fetch(logged_in(app, EVALUATOR), f"{URL}/{TOPIC}.csv")
    read = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    rows = read.set_index("receipt")
    assert len(read) == 6
    excluded = rows.loc[seeded.excluded]
    flagged = rows.loc[seeded.flagged]
    assert (excluded["excluded"], excluded["exclusion_reason"]) == ("1", REASON)
    assert (flagged["suspect"], flagged["flags"]) == ("1", "too_fast；honeypot")
    others = rows.drop(index=[seeded.excluded, seeded.flagged])
    assert set(others["excluded"]) == {"0"} and set(others["suspect"]) == {"0"}


def test_the_manifest_counts_the_rows_and_hashes_the_very_csv_downloaded(
    app: Flask, seeded: Seeded
) -> None:
    client = logged_in(app, EVALUATOR)
    for fmt in ("csv", "csv-utf8"):
        data = fetch(client, f"{URL}/{TOPIC}.{fmt}")
        manifest = json.loads(fetch(client, f"{URL}/{TOPIC}.manifest?of={fmt}"))
        assert manifest["sha256"] == hashlib.sha256(data).hexdigest()
        assert manifest["rows"] == len(pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")) == 6
        assert manifest["filters"]["wave"] == WAVE and manifest["filters"]["topic"] == TOPIC
        assert manifest["questionnaire_version"] == "standard@1+ebike-charging@1"
        assert manifest["generated_at"].startswith("2026-11-27T04:00:00")


def test_an_xlsx_larger_than_an_excel_sheet_is_refused_before_a_row_is_read(
    app: Flask, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    from survey.staff.downloads import service

    monkeypatch.setattr(service, "XLSX_MAX_ROWS", 5)
    monkeypatch.setattr(service, "frames", lambda request: pytest.fail("rows were read"))
    body = fetch(logged_in(app, EVALUATOR), f"{URL}/{TOPIC}.xlsx", status=413)
    assert "最多 5 行" in body.decode("utf-8") and "CSV" in body.decode("utf-8")


def test_xlsx_and_sav_carry_their_own_sha256_and_row_count(app: Flask, seeded: Seeded) -> None:
    client = logged_in(app, EVALUATOR)
    for fmt in ("xlsx", "sav", "codebook"):
        response = client.client.get(f"{URL}/{TOPIC}.{fmt}")
        data = response.get_data()
        response.close()
        assert response.headers["X-Content-SHA256"] == hashlib.sha256(data).hexdigest()
    assert response.headers["X-Row-Count"] == str(len(variables(app)))  # codebook: one per variable


def test_every_download_leaves_an_audit_entry_with_who_what_and_rows(
    app: Flask, seeded: Seeded
) -> None:
    client = logged_in(app, EVALUATOR)
    for fmt in ("csv", "csv-utf8", "xlsx", "sav", "codebook"):
        fetch(client, f"{URL}/{TOPIC}.{fmt}")
    fetch(client, f"{URL}/{TOPIC}.manifest")
    found = [e for e in all_entries(state_of(app).db) if e.action == "download"]
    assert {e.actor for e in found} == {EVALUATOR}
    assert {e.target for e in found} == {f"{TOPIC}/{WAVE}"}
    done = {e.detail["format"]: e.detail for e in found if e.detail.get("status") == "completed"}
    assert set(done) == {"csv", "csv-utf8", "xlsx", "sav", "codebook"}
    assert [done[f]["rows"] for f in ("csv", "csv-utf8", "xlsx", "sav")] == [6, 6, 6, 6]
    assert all(d["filters"]["topics"] == TOPIC for d in done.values())
    started = [e.detail["format"] for e in found if e.detail.get("status") == "started"]
    assert sorted(started) == ["csv", "csv-utf8"]
    assert [e.detail["rows"] for e in found if e.detail["format"] == "manifest"] == [6]


def test_a_csv_abandoned_after_its_first_block_is_traced_as_aborted(
    app: Flask, seeded: Seeded
) -> None:
    response = logged_in(app, EVALUATOR).client.get(f"{URL}/{TOPIC}.csv")
    body: Iterator[bytes] = iter(response.response)  # type: ignore[arg-type]
    assert next(body).startswith("\ufeffreceipt,".encode())
    response.close()  # the client hung up
    found = [e.detail for e in all_entries(state_of(app).db) if e.action == "download"]
    assert [(d["status"], d.get("rows")) for d in found] == [("started", None), ("aborted", 0)]


def test_a_large_csv_streams_from_a_generator_a_chunk_at_a_time(
    app: Flask, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    from survey.staff.downloads import rows, service, table

    monkeypatch.setattr(rows, "CHUNK", 2)
    read: list[int] = []
    real = table.declared

    def counting(part: Sequence[Any], declared: Any) -> Any:
        read.append(len(part))
        return real(part, declared)

    monkeypatch.setattr(service, "declared", counting)
    response = logged_in(app, EVALUATOR).client.get(f"{URL}/{TOPIC}.csv")
    assert response.is_streamed and "Content-Length" not in response.headers
    body = iter(response.response)
    next(body), next(body)  # the header, then the first chunk
    assert read == [2], "only the first chunk was read to send the first rows"
    blocks = [*body]
    response.close()
    assert read == [2, 2, 2] and len(blocks) == 2


def test_all_topics_holds_every_visible_topic_and_a_scoped_evaluator_only_theirs(
    app: Flask, seeded: Seeded
) -> None:
    everything = fetch(logged_in(app, ADMIN), f"{URL}/all.csv").decode("utf-8-sig")
    assert OTHER_MARK in everything and CHINESE in everything
    read = pd.read_csv(io.StringIO(everything), dtype=str, keep_default_na=False)
    want = guard(expected(app, [TOPIC, OTHER], variables(app, "all")))
    assert cells(read) == cells(want)
    scoped = fetch(logged_in(app, SCOPED), f"{URL}/all.csv").decode("utf-8-sig")
    assert OTHER_MARK not in scoped and CHINESE in scoped
    assert set(pd.read_csv(io.StringIO(scoped))["topic"]) == {TOPIC}


@pytest.mark.parametrize("fmt", ["csv", "csv-utf8", "xlsx", "sav", "codebook", "manifest"])
def test_a_topic_outside_the_scope_is_not_found_in_every_format(
    app: Flask, seeded: Seeded, fmt: str
) -> None:
    client = logged_in(app, SCOPED)
    fetch(client, f"{URL}/{OTHER}.{fmt}", status=404)
    fetch(client, f"{URL}/{TOPIC}.{fmt}")
    assert not [e for e in all_entries(state_of(app).db) if OTHER in e.target]


def test_anonymous_visitors_go_to_the_login_page_and_auditors_are_refused(
    app: Flask, seeded: Seeded
) -> None:
    anonymous = app.test_client()
    for url in ("/staff/downloads/", f"{URL}/{TOPIC}.csv", f"{URL}/all.sav"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/staff/login/" in response.headers["Location"]
    auditor = logged_in(app, AUDITOR)
    for url in ("/staff/downloads/", f"{URL}/{TOPIC}.csv", f"{URL}/all.xlsx"):
        fetch(auditor, url, status=403)
    assert not [e for e in all_entries(state_of(app).db) if e.action == "download"]


def test_unknown_waves_topics_and_formats_are_not_found(app: Flask, seeded: Seeded) -> None:
    client = logged_in(app, ADMIN)
    for url in (
        f"/staff/downloads/1999-end/{TOPIC}.csv",
        f"{URL}/no-such-topic.csv",
        f"{URL}/{TOPIC}.pdf",
        f"{URL}/{TOPIC}.manifest?of=pdf",
    ):
        fetch(client, url, status=404)


def test_the_index_lists_the_accounts_topics_per_wave_with_every_format(
    app: Flask, seeded: Seeded
) -> None:
    page = logged_in(app, SCOPED).get("/staff/downloads/")
    links = {str(a["href"]) for a in page.soup.select("td a")}
    assert f"{URL}/{TOPIC}.xlsx" in links and f"{URL}/{TOPIC}.manifest" in links
    assert not [link for link in links if OTHER in link]
    everything = logged_in(app, EVALUATOR).get("/staff/downloads/")
    hrefs = {str(a["href"]) for a in everything.soup.select("td a")}
    assert {f"{URL}/all.csv", f"{URL}/{OTHER}.sav"} <= hrefs


def test_a_comment_typed_with_control_characters_reads_the_same_in_csv_xlsx_and_sav(
    app: Flask, seeded: Seeded
) -> None:
    resident = CheckingClient(app.test_client())
    resident.post(f"/{TOPIC}/{WAVE}/", resident.form(comment="控制\x00字符\x1f在\x08这里\x7f"))
    client = logged_in(app, EVALUATOR)
    csv = pd.read_csv(io.BytesIO(fetch(client, f"{URL}/{TOPIC}.csv")), dtype=str)
    book = openpyxl.load_workbook(io.BytesIO(fetch(client, f"{URL}/{TOPIC}.xlsx")))
    sheet = list(book["responses"].values)
    xlsx = pd.DataFrame(sheet[1:], columns=sheet[0])
    with tempfile.NamedTemporaryFile(suffix=".sav") as handle:
        handle.write(fetch(client, f"{URL}/{TOPIC}.sav"))
        handle.flush()
        sav, _ = pyreadstat.read_sav(handle.name)
    found = [
        [c for c in table["comment"].dropna() if str(c).startswith("控制")]
        for table in (csv, xlsx, sav)
    ]
    assert found == [["控制字符在这里"]] * 3


def test_a_comment_with_line_breaks_from_a_browser_reads_the_same_in_csv_xlsx_and_sav(
    app: Flask, seeded: Seeded
) -> None:
    resident = CheckingClient(app.test_client())
    resident.post(f"/{TOPIC}/{WAVE}/", resident.form(comment="换行\r\n第二行\r\n第三行"))
    client = logged_in(app, EVALUATOR)
    csv = pd.read_csv(io.BytesIO(fetch(client, f"{URL}/{TOPIC}.csv")), dtype=str)
    xlsx = pd.read_excel(io.BytesIO(fetch(client, f"{URL}/{TOPIC}.xlsx")), dtype=str)
    with tempfile.NamedTemporaryFile(suffix=".sav") as handle:
        handle.write(fetch(client, f"{URL}/{TOPIC}.sav"))
        handle.flush()
        sav, _ = pyreadstat.read_sav(handle.name)
    found = [
        [c for c in table["comment"].dropna() if str(c).startswith("换行")]
        for table in (csv, xlsx, sav)
    ]
    assert found == [["换行\n第二行\n第三行"]] * 3


def test_the_index_lists_only_waves_with_answers_by_their_name(app: Flask, seeded: Seeded) -> None:
    page = logged_in(app, ADMIN).get("/staff/downloads/")
    assert [h2.get_text() for h2 in page.soup.select("main h2")] == ["2026 年年底"]
    files = [str(a["href"]) for a in page.soup.select("td a")]
    assert files and all(href.startswith(f"{URL}/") for href in files)


def test_real_and_sample_answers_carry_the_street_code_and_name_in_every_format(
    app: Flask, seeded: Seeded
) -> None:
    from survey.cli.sample import sample_responses, store_sample
    from tests.survey.conftest import NOW

    state = state_of(app)
    questionnaire = state.content.questionnaires.for_wave(TOPIC, WAVE)
    assert questionnaire is not None
    store_sample(state.db, sample_responses(state.content, questionnaire, 5, NOW))
    names = {s.code: s.name for s in state.content.directory.streets}
    client = logged_in(app, EVALUATOR)
    csv = pd.read_csv(io.BytesIO(fetch(client, f"{URL}/{TOPIC}.csv")), dtype=str)
    book = openpyxl.load_workbook(io.BytesIO(fetch(client, f"{URL}/{TOPIC}.xlsx")))
    sheet = list(book["responses"].values)
    with tempfile.NamedTemporaryFile(suffix=".sav") as handle:
        handle.write(fetch(client, f"{URL}/{TOPIC}.sav"))
        handle.flush()
        sav, _ = pyreadstat.read_sav(handle.name)
    for table in (csv, pd.DataFrame(sheet[1:], columns=sheet[0]), sav):
        streets = table[["channel", "street", "street_name"]].dropna()
        assert set(streets["channel"]) == {"web", "sample"}
        pairs = zip(streets.street, streets.street_name, strict=True)
        assert all(names[code] == name for code, name in pairs)


def test_a_phone_interview_carries_its_mode_interviewer_and_start_in_every_format(
    app: Flask, seeded: Seeded
) -> None:
    add_response(state_of(app).db, TOPIC, WAVE, "phone", comment="电话里说：充电桩还不够")
    client = logged_in(app, EVALUATOR)
    data = fetch(client, f"{URL}/{TOPIC}.csv")
    read = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert cells(read) == cells(guard(expected(app, [TOPIC], variables(app))))
    phone = read.loc[read["mode"] == "phone"]
    assert phone[["interviewer", "started_at"]].values.tolist() == [
        ["访员07", "2026-11-27T03:54:00+00:00"]
    ]
    assert set(read.loc[read["mode"] == "web", "interviewer"]) == {""}
    book = openpyxl.load_workbook(io.BytesIO(fetch(client, f"{URL}/{TOPIC}.xlsx")))
    sheet = list(book["responses"].values)
    assert [row[sheet[0].index("mode")] for row in sheet[1:]].count("phone") == 1
    codebook = {row[0]: row for row in list(book["codebook"].values)[1:]}
    assert codebook["mode"][3] == "1=web（网页自填）；2=phone（电话访问）"
    with tempfile.NamedTemporaryFile(suffix=".sav") as handle:
        handle.write(fetch(client, f"{URL}/{TOPIC}.sav"))
        handle.flush()
        sav, meta = pyreadstat.read_sav(handle.name)
    assert meta.variable_value_labels["mode"] == {1.0: "网页自填", 2.0: "电话访问"}
    assert sorted(sav["mode"].tolist()) == [1.0] * (len(sav) - 1) + [2.0]
    assert "interviewer" in meta.column_names_to_labels
