"""Frame import: encodings, rejects, duplicates, repeats of the import, all-or-nothing, audit."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from generator.content.loader import Content
from survey.fieldwork.crypto import PhoneCipher
from survey.fieldwork.frame import FrameError, read_chunks
from survey.fieldwork.importer import Target, import_frame
from survey.fieldwork.settings import FieldworkError, close_fieldwork, open_fieldwork
from survey.fieldwork.tables import Case
from survey.storage.audit import entries
from survey.storage.db import Database
from tests.survey.fieldwork.conftest import AT, HEADER, ROWS, TOPIC, WAVE, run_import, write_csv

PHONES = ["13800138000", "13800138001", "65123456"]  # the numbers in ROWS, as digits


def cases(db: Database) -> list[Case]:
    with db.transaction() as session:
        return list(session.scalars(select(Case).order_by(Case.contact_id)))


def write_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    sheet["B2"] = 13800138000  # a phone typed as a number, as Excel keeps it
    book.save(path)
    return path


@pytest.mark.parametrize("kind", ["utf-8", "utf-8-sig", "gb18030", "xlsx"])
def test_each_file_kind_stores_the_same_encrypted_cases(
    db: Database, cipher: PhoneCipher, content: Content, tmp_path: Path, kind: str
) -> None:
    if kind == "xlsx":
        path = write_xlsx(tmp_path / "frame.xlsx")
    else:
        path = write_csv(tmp_path / "frame.csv", ROWS, encoding=kind)
    counts = run_import(db, cipher, content, path)
    assert (counts.read, counts.stored, counts.rejected) == (3, 3, 0)
    stored = cases(db)
    assert [cipher.decrypt(c.phone_token or "") for c in stored] == [
        "+8613800138000",
        "+8613800138001",
        "+861065123456",
    ]
    # The number itself is nowhere in its token (a short piece such as "138" can occur in
    # random base64 by chance, about once in 2,000 runs: that made this test flaky).
    assert not [c for c in stored for phone in PHONES if phone in (c.phone_token or "")]
    assert [(c.district, c.street) for c in stored] == [
        ("东城区", "景山街道"),
        ("海淀区", "万寿路街道"),
        ("朝阳区", None),
    ]
    assert stored[0].attributes == {"来电日期": "2026-10-01"}
    assert {(c.status, c.sample, c.batch, c.attempts) for c in stored} == {
        ("frame", False, "frame-test", 0)
    }


def test_bad_rows_go_to_the_rejects_file_with_row_numbers_and_reasons(
    db: Database, cipher: PhoneCipher, content: Content, tmp_path: Path
) -> None:
    rows = [
        ROWS[0],
        ["", "", "", "", ""],  # blank: skipped, not rejected
        ["=HYPERLINK(1)", "13900139000", "东城", "", ""],
        ["B2", "021-6512 3456", "海淀区", "景山街道", ""],
        ROWS[1],
    ]
    counts = run_import(db, cipher, content, write_csv(tmp_path / "f.csv", rows))
    assert (counts.read, counts.stored, counts.blank, counts.rejected) == (5, 2, 1, 2)
    with (tmp_path / "f-rejects.csv").open(encoding="utf-8-sig", newline="") as handle:
        found = list(csv.reader(handle))
    assert found[0][0] == "行号"
    assert found[1][:4] == ["4", "'=HYPERLINK(1)", "139****9000", "东城"]
    assert found[1][5] == "不是北京市的区：东城"
    assert found[2][0] == "5"
    assert found[2][5] == "不是北京的固定电话（区号不是 010）；街乡镇“景山街道”不在海淀区" + (
        "（见 content/directory/streets.csv）"
    )
    assert "13900139000" not in (tmp_path / "f-rejects.csv").read_text(encoding="utf-8-sig")


def test_repeats_of_an_id_or_a_phone_keep_the_first_row_and_are_counted(
    db: Database, cipher: PhoneCipher, content: Content, tmp_path: Path
) -> None:
    rows = [
        ROWS[0],
        ["A1", "13700137000", "西城区", "", ""],  # same id
        ["C9", "+86 138 0013 8000", "西城区", "", ""],  # same phone, another form
        ROWS[1],
    ]
    counts = run_import(db, cipher, content, write_csv(tmp_path / "f.csv", rows), rows=1)
    assert (counts.stored, counts.duplicates, counts.already_stored) == (2, 2, 0)
    assert [(c.contact_id, c.district) for c in cases(db)] == [("A1", "东城区"), ("A2", "海淀区")]


def test_control_characters_in_ids_phones_and_places_are_dropped_not_a_failure(
    db: Database, cipher: PhoneCipher, content: Content, tmp_path: Path
) -> None:
    rows = [["A\x001", "1380013\x008000", "东城\x00区", "景山街道\x1f", "有\x00空字符"]]
    counts = run_import(db, cipher, content, write_csv(tmp_path / "f.csv", rows))
    assert (counts.stored, counts.rejected) == (1, 0)  # PostgreSQL refuses NUL in text
    (stored,) = cases(db)
    assert (stored.contact_id, stored.district, stored.street) == ("A1", "东城区", "景山街道")
    assert cipher.decrypt(stored.phone_token or "") == "+8613800138000"


def test_importing_the_same_file_twice_adds_nothing(
    db: Database, cipher: PhoneCipher, content: Content, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "f.csv", ROWS)
    run_import(db, cipher, content, path)
    again = run_import(db, cipher, content, path, batch="frame-again")
    assert (again.stored, again.already_stored, again.duplicates) == (0, 3, 0)
    assert len(cases(db)) == 3
    assert {c.batch for c in cases(db)} == {"frame-test"}


def test_a_rejects_file_in_a_missing_folder_is_named_before_anything_is_stored(
    db: Database, cipher: PhoneCipher, content: Content, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "f.csv", ROWS)
    target = Target(TOPIC, WAVE, "frame-test")
    elsewhere = tmp_path / "no-such-folder" / "r.csv"
    with pytest.raises(FrameError, match="no-such-folder：目录不存在；请用 --rejects 指定"):
        import_frame(db, cipher, content, target, read_chunks(path), elsewhere, (AT, "t", {}))
    assert cases(db) == []


def test_a_failure_part_way_stores_nothing_and_leaves_no_rejects_file(
    db: Database, cipher: PhoneCipher, content: Content, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "f.csv", [*ROWS, ["X", "12", "东城区", "", ""]])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("Y,13800138009,东城区,,,一列太多\n")  # line 6: too many fields
    with pytest.raises(FrameError, match="第 6 行有 6 列"):
        run_import(db, cipher, content, path, rows=2)
    assert cases(db) == []
    assert not list(tmp_path.glob("*rejects*"))
    assert entries(db) == []


def test_a_mapping_file_names_other_columns(
    db: Database, cipher: PhoneCipher, content: Content, tmp_path: Path
) -> None:
    path = tmp_path / "f.csv"
    path.write_text("序号,号码,所在区\nM1,13800138000,东城区\n", encoding="utf-8")
    mapping = {"序号": "contact_id", "号码": "phone", "所在区": "district"}
    counts = run_import(db, cipher, content, path, mapping=mapping)
    assert counts.stored == 1 and cases(db)[0].contact_id == "M1"


def test_the_import_is_audited_with_counts_and_never_a_phone(
    db: Database, cipher: PhoneCipher, content: Content, tmp_path: Path
) -> None:
    run_import(db, cipher, content, write_csv(tmp_path / "f.csv", ROWS))
    [entry] = entries(db)
    assert (entry.action, entry.target, entry.actor) == (
        "fieldwork.frame_import",
        f"{TOPIC}/{WAVE}",
        "cli:test",
    )
    assert entry.detail["stored"] == 3 and entry.detail["batch"] == "frame-test"
    text = json.dumps(entry.detail)
    assert "13800138000" not in text and "6512" not in text


def test_a_closed_wave_an_unknown_wave_or_mixing_sample_and_real_is_refused(
    db: Database, cipher: PhoneCipher, content: Content, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "f.csv", ROWS)
    run_import(db, cipher, content, path, sample=True)
    with pytest.raises(FieldworkError, match="已有示例名单"):
        run_import(db, cipher, content, path)
    open_fieldwork(db, TOPIC, WAVE, "09:00-21:00", 6, AT, "cli:test")
    close_fieldwork(db, TOPIC, WAVE, AT, "cli:test")
    with pytest.raises(FieldworkError, match="已结束"):
        run_import(db, cipher, content, path, sample=True)
    with db.transaction() as session:
        assert session.scalar(select(func.count(Case.id))) == 3


def test_a_topic_without_the_wave_is_refused_with_its_waves(
    db: Database, cipher: PhoneCipher, content: Content, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "f.csv", ROWS)
    with pytest.raises(FieldworkError, match="它的批次为：2023-mid、2023-end"):
        import_frame(
            db,
            cipher,
            content,
            Target("property-fees", WAVE, "b"),
            read_chunks(path),
            tmp_path / "r.csv",
            (AT, "cli:test", {}),
        )


def test_attributes_keep_line_breaks_quotes_and_chinese_text(
    db: Database, cipher: PhoneCipher, content: Content, tmp_path: Path
) -> None:
    rows = [
        [*ROWS[0][:4], '第一行\n第二行 "引号"'],
        [*ROWS[1][:4], "\u2028分隔"],
    ]
    run_import(db, cipher, content, write_csv(tmp_path / "f.csv", rows))
    assert [c.attributes for c in cases(db)] == [
        {"来电日期": '第一行\n第二行 "引号"'},
        {"来电日期": "\u2028分隔"},
    ]
