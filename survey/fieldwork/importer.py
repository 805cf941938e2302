"""`yiti survey frame import`: one frame file → encrypted cases, in one transaction.

Chunks are read, checked, de-duplicated, encrypted and inserted in bulk one after another,
so memory holds one chunk plus the ids and phone keys seen so far. Everything happens in one
transaction with its audit entry: a failure anywhere (a broken line, the database) stores
nothing, and the rejects file appears only when the import is committed. Importing the same
file again finds every row already stored and adds nothing. Clear phones exist only in the
chunk being encrypted: never logged, printed, audited or written to the rejects file.
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from generator.content.loader import Content
from generator.sheets.cells import guard
from survey.fieldwork.bulk import insert_cases
from survey.fieldwork.checks import REJECT_COLUMNS, Checked, Places, Seen, check_chunk
from survey.fieldwork.crypto import PhoneCipher
from survey.fieldwork.frame import CONTACT_ID, DISTRICT, PHONE, ROW, STREET, FrameError
from survey.fieldwork.frame import attribute_columns as extras
from survey.fieldwork.settings import FieldworkError, require_topic_wave, wave_row
from survey.fieldwork.tables import Case
from survey.storage.audit import record
from survey.storage.db import Database

_KEY_CHARS = 32  # hex characters of the phone key kept in memory for duplicates (128 bits)


@dataclass
class Counts:
    """What one import did, row by row (the audit entry and the command's summary)."""

    read: int = 0
    stored: int = 0
    already_stored: int = 0  # by an earlier import of this topic's wave
    duplicates: int = 0  # repeated an earlier row of this file (same id or same phone)
    blank: int = 0
    rejected: int = 0


@dataclass(frozen=True)
class Target:
    """Where cases go: the topic's wave, the batch name, whether they are synthetic."""

    topic: str
    wave: str
    batch: str
    sample: bool = False


def new_batch(at: datetime) -> str:
    """A name for one import, unique enough to tell imports apart (max 40 characters)."""
    return f"frame-{at:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def import_frame(
    db: Database,
    cipher: PhoneCipher,
    content: Content,
    target: Target,
    chunks: Iterable[pd.DataFrame],
    rejects_file: Path,
    audit: tuple[datetime, str, dict[str, Any]],
) -> Counts:
    """Store the chunks' good rows as cases of `target`; rejects go to `rejects_file`."""
    require_topic_wave(content, target.topic, target.wave)
    places = Places.of(content.directory)
    counts = Counts()
    if not rejects_file.parent.is_dir():  # found before reading, not as a traceback after
        raise FrameError(f"{rejects_file.parent}：目录不存在；请用 --rejects 指定已有目录中的文件")
    draft = rejects_file.with_name(f".{rejects_file.name}.partial")
    try:
        with db.transaction() as session, _rejects_writer(draft) as write_rejects:
            _require_importable(session, target)
            seen = _stored(session, target)
            for chunk in chunks:
                checked = check_chunk(chunk, places)
                write_rejects(checked.rejects)
                _store(session, cipher, target, checked, seen, counts)
            if counts.read == 0:
                raise FrameError("文件只有表头，没有联系人")
            at, actor, detail = audit
            entry = detail | {"batch": target.batch, "sample": target.sample} | vars(counts)
            record(session, at, actor, "fieldwork.frame_import", _name(target), entry)
    except BaseException:
        draft.unlink(missing_ok=True)
        raise
    if counts.rejected:
        draft.replace(rejects_file)
    else:
        draft.unlink()
    return counts


def _name(target: Target) -> str:
    return f"{target.topic}/{target.wave}"


def _require_importable(session: Session, target: Target) -> None:
    """Refuse a wave whose calling ended or began, or whose frame is of the other kind."""
    row = wave_row(session, target.topic, target.wave)
    if row is not None and row.closed_at is not None:
        raise FieldworkError(f"{_name(target)} 的电话调查已结束，不能再导入名单")
    of_wave = (Case.topic == target.topic, Case.wave == target.wave)
    if session.scalar(
        select(func.count(Case.id)).where(*of_wave, Case.status.not_in(("frame", "drawn")))
    ):
        raise FieldworkError(f"{_name(target)} 已发放样本开始外呼，不能再导入名单")
    if session.scalar(select(func.count(Case.id)).where(*of_wave, Case.sample != target.sample)):
        kind = "示例名单（make run 写入）" if not target.sample else "真实名单"
        raise FieldworkError(f"{_name(target)} 已有{kind}，两者不能混在一个批次里")


def _stored(session: Session, target: Target) -> Seen:
    """The ids and phone keys this topic's wave already holds (row 0: an earlier import)."""
    seen = Seen()
    rows = session.execute(
        select(Case.contact_id, Case.phone_key).where(
            Case.topic == target.topic, Case.wave == target.wave
        )
    )
    for contact, key in rows:
        seen.ids[str(contact)] = 0
        if key:
            seen.keys[str(key)[:_KEY_CHARS]] = 0
    return seen


def _store(
    session: Session,
    cipher: PhoneCipher,
    target: Target,
    checked: Checked,
    seen: Seen,
    counts: Counts,
) -> None:
    """Count the chunk, drop its repeats, encrypt and insert the rest."""
    good = checked.good
    counts.read += len(good) + len(checked.rejects) + checked.blank
    counts.blank += checked.blank
    counts.rejected += len(checked.rejects)
    keys = cipher.lookup_many(good[PHONE].tolist())
    first = seen.first_rows(good[ROW], good[CONTACT_ID], [k[:_KEY_CHARS] for k in keys])
    counts.already_stored += int((first == 0).sum())
    counts.duplicates += int((first > 0).sum())
    new = (first == -1).to_numpy()
    fresh = good.loc[new]
    rows = pd.DataFrame(
        {
            "topic": target.topic,
            "wave": target.wave,
            "contact_id": fresh[CONTACT_ID],
            "phone_token": cipher.encrypt_many(fresh[PHONE].tolist()),
            "phone_key": [k for k, keep in zip(keys, new, strict=True) if keep],
            DISTRICT: fresh[DISTRICT],
            STREET: fresh[STREET],
            "attributes": _attributes(fresh),
            "sample": target.sample,
            "batch": target.batch,
            "status": "frame",
            "attempts": 0,
        },
        index=fresh.index,
    )
    counts.stored += insert_cases(session.connection(), rows)


def _attributes(rows: pd.DataFrame) -> list[str]:
    """Each row's other columns as JSON text ({} when the file has none).

    pandas' C JSON writer, one record a line (JSON escapes line breaks inside values, so the
    lines are the records): a json.dumps per row took longer than the encryption.
    """
    names = extras(rows)
    if not names:
        return ["{}"] * len(rows)
    lines = rows[names].to_json(orient="records", lines=True, force_ascii=False)
    return lines.rstrip("\n").split("\n") if len(rows) else []


REJECTS_HEADER = ("行号", "编号", "电话（已隐去中间四位）", "区", "街乡镇", "原因")


@contextmanager
def _rejects_writer(path: Path) -> Iterator[Callable[[pd.DataFrame], None]]:
    """A function appending rejects to a CSV (UTF-8 with BOM, so Excel on Chinese Windows
    reads it), with cells a spreadsheet would run as formulas made text."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECTS_HEADER)

        def write(rejects: pd.DataFrame) -> None:
            if len(rejects):
                table = guard(rejects.loc[:, list(REJECT_COLUMNS)].astype({ROW: "int64"}))
                writer.writerows(table.itertuples(index=False))

        yield write
