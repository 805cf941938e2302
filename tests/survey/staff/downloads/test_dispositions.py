"""The dispositions download: one row per issued case with its AAPOR outcome, never a phone;
offered only where there is telephone fieldwork, scoped, audited, with its codebook."""

from __future__ import annotations

import io

import pandas as pd
from flask import Flask

from survey.analysis.dispositions import VARIABLES
from survey.fieldwork.crypto import PhoneCipher
from survey.storage.audit import all_entries
from tests.survey.conftest import TOPIC, WAVE, state_of
from tests.survey.fieldwork.seeding import KEY, Spec, add_cases, add_wave, phone_of
from tests.survey.staff.downloads.conftest import EVALUATOR, OTHER, SCOPED, Seeded, logged_in
from tests.survey.staff.downloads.test_views import fetch

URL = f"/staff/downloads/{WAVE}"
SPECS = [
    Spec("海淀区", status="frame"),  # never drawn: not in the file
    Spec("海淀区", status="released"),  # issued, never called
    Spec("朝阳区", status="held", last_code="2.21", attempts=1),
    Spec("海淀区", final_code="1.1", attempts=2),
    Spec("丰台区", final_code="4.30", attempts=1, street=None),
]


def with_cases(app: Flask) -> list[int]:
    db = state_of(app).db
    add_wave(db, TOPIC, WAVE)
    return add_cases(db, TOPIC, WAVE, SPECS)


def read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_each_issued_case_has_its_code_label_and_group_and_no_phone(
    app: Flask, seeded: Seeded
) -> None:
    ids = with_cases(app)
    data = fetch(logged_in(app, EVALUATOR), f"{URL}/{TOPIC}.dispositions")
    assert data.startswith("\ufeff".encode())
    table = read(data)
    assert list(table.columns) == [v.name for v in VARIABLES]
    assert table.drop(columns=["topic", "wave"]).values.tolist() == [
        [str(ids[1]), "海淀区", "110108001", "2", "0", "released", "3.11", "已发放、未拨打", "UH"],
        [str(ids[2]), "朝阳区", "110108001", "1", "1", "held", "2.21", "约定回访时间", "NC"],
        [str(ids[3]), "海淀区", "110108001", "2", "2", "final", "1.1", "完成访问", "I"],
        [str(ids[4]), "丰台区", "", "1", "1", "final", "4.30", "空号或停机", "NE"],
    ]
    cipher = PhoneCipher(KEY)
    text = data.decode("utf-8-sig")
    for i in range(len(SPECS)):
        phone = phone_of(i)
        assert phone not in text and phone[-8:] not in text
        assert cipher.lookup(phone) not in text


def test_the_plain_utf8_file_and_the_codebook(app: Flask, seeded: Seeded) -> None:
    with_cases(app)
    client = logged_in(app, EVALUATOR)
    plain = fetch(client, f"{URL}/{TOPIC}.dispositions-utf8")
    assert not plain.startswith("\ufeff".encode()) and len(read(plain)) == 4
    book = read(fetch(client, f"{URL}/{TOPIC}.dispositions-codebook")).set_index("variable")
    assert list(book.index) == [v.name for v in VARIABLES]
    assert str(book.loc["group", "values"]).startswith("1=I（完成访问）；2=P（部分完成）")
    assert "不是电话号码" in str(book.loc["case_id", "label"])


def test_a_topic_without_fieldwork_or_outside_the_scope_has_no_dispositions(
    app: Flask, seeded: Seeded
) -> None:
    with_cases(app)
    fetch(logged_in(app, EVALUATOR), f"{URL}/{OTHER}.dispositions", status=404)
    fetch(logged_in(app, EVALUATOR), f"{URL}/{OTHER}.manifest?of=dispositions", status=404)
    # The scoped evaluator sees TOPIC only: "all" holds its cases and nothing of OTHER.
    add_wave(state_of(app).db, OTHER, WAVE)
    add_cases(state_of(app).db, OTHER, WAVE, [Spec("海淀区", final_code="1.1")], first=50)
    scoped = logged_in(app, SCOPED)
    assert set(read(fetch(scoped, f"{URL}/all.dispositions"))["topic"]) == {TOPIC}
    fetch(scoped, f"{URL}/{OTHER}.dispositions", status=404)


def test_the_download_is_audited_and_has_a_manifest(app: Flask, seeded: Seeded) -> None:
    with_cases(app)
    client = logged_in(app, EVALUATOR)
    fetch(client, f"{URL}/{TOPIC}.dispositions")
    manifest = fetch(client, f"{URL}/{TOPIC}.manifest?of=dispositions")
    assert b'"rows": 4' in manifest
    found = [e for e in all_entries(state_of(app).db) if e.action == "download"]
    done = [e.detail for e in found if e.detail.get("format") == "dispositions"]
    assert done and done[0]["status"] == "completed" and done[0]["rows"] == 4
    assert [e.detail["of"] for e in found if e.detail["format"] == "manifest"] == ["dispositions"]


def test_the_index_offers_dispositions_only_where_there_is_fieldwork(
    app: Flask, seeded: Seeded
) -> None:
    with_cases(app)
    page = logged_in(app, EVALUATOR).get("/staff/downloads/")
    links = {str(a["href"]) for a in page.soup.select("td a")}
    assert f"{URL}/{TOPIC}.dispositions" in links and f"{URL}/all.dispositions" in links
    assert f"{URL}/{OTHER}.dispositions" not in links
    assert f"{URL}/{OTHER}.csv" in links
