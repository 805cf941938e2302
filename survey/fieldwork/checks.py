"""Check a chunk of frame rows: blank rows out, every problem of a bad row named, phones normalised.

Pure functions over DataFrames (no database, no file): `check_chunk` returns the good rows
(phone in E.164, street as its official name) and the rejects (row number, reasons), and
`Seen` collapses duplicates across chunks: the same id, or the same phone by its keyed hash,
is kept at its first row and counted. A reject keeps the phone only masked (138****8000): the
rejects file is a copy people pass around, and PIPL asks for the minimum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from generator.content.models import Directory
from survey.fieldwork.frame import CONTACT_ID, DISTRICT, FIELDS, PHONE, ROW, STREET
from survey.fieldwork.phones import PROBLEM, masked, normalise

REASON: Final = "reason"
REJECT_COLUMNS: Final = (ROW, CONTACT_ID, PHONE, DISTRICT, STREET, REASON)
ID_LENGTH: Final = 64  # fieldwork_cases.contact_id
# Control characters other than tab and line breaks: never part of an id, phone or place, and
# PostgreSQL refuses NUL in text, so a stray one from a broken export would fail the import.
CONTROL: Final = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


@dataclass(frozen=True)
class Places:
    """The directory as look-ups: district names, and each district's streets by name or code."""

    districts: tuple[str, ...]
    streets: dict[tuple[str, str], str]  # (district, name or 9-digit code) → official name

    @classmethod
    def of(cls, directory: Directory) -> Places:
        """The look-ups of the content's directory."""
        streets = {(s.district, s.name): s.name for s in directory.streets}
        streets |= {(s.district, s.code): s.name for s in directory.streets}
        return cls(tuple(d.name for d in directory.districts), streets)


@dataclass(frozen=True)
class Checked:
    """One chunk after checking."""

    good: pd.DataFrame  # ROW, the fields (phone E.164, street official name or None), extras
    rejects: pd.DataFrame  # REJECT_COLUMNS
    blank: int  # rows with every cell empty, skipped


def check_chunk(chunk: pd.DataFrame, places: Places) -> Checked:
    """Blank rows skipped; each other row either good or rejected with all of its reasons."""
    cells = chunk.drop(columns=[ROW]).apply(lambda column: column.str.strip())
    blank = (cells == "").all(axis=1).to_numpy()
    fields = {f: _without_control(cells.loc[~blank, f]) for f in FIELDS.order}
    rows = chunk.loc[~blank].assign(**fields)
    phones = normalise(rows[PHONE])
    street = pd.Series(
        [
            places.streets.get(pair)
            for pair in zip(rows[DISTRICT].tolist(), rows[STREET].tolist(), strict=True)
        ],
        index=rows.index,
        dtype=object,
    )
    reasons = _reasons(rows, phones[PROBLEM], street, places)
    bad = (reasons != "").to_numpy()
    good = rows.loc[~bad].assign(**{PHONE: phones.loc[~bad, "phone"], STREET: street.loc[~bad]})
    rejected = rows.loc[bad]
    rejects = pd.DataFrame(
        {
            ROW: rejected[ROW],
            CONTACT_ID: rejected[CONTACT_ID],
            PHONE: [masked(p) if p else "" for p in rejected[PHONE]],
            DISTRICT: rejected[DISTRICT],
            STREET: rejected[STREET],
            REASON: reasons.loc[bad],
        }
    )
    return Checked(good.reset_index(drop=True), rejects.reset_index(drop=True), int(blank.sum()))


def _without_control(column: pd.Series) -> pd.Series:
    """`column` (stripped already) without control characters. Only the values that are not
    all printable are looked at with the regex: `str.isprintable` over a million ids costs a
    tenth of a regex replace over them, and a clean export has no such value."""
    printable = np.fromiter(map(str.isprintable, column.tolist()), bool, len(column))
    if printable.all():
        return column
    doubtful = ~printable
    cleaned = column.copy()
    cleaned.loc[doubtful] = column.loc[doubtful].str.replace(CONTROL, "", regex=True).str.strip()
    return cleaned


def _reasons(
    rows: pd.DataFrame, phone_problem: pd.Series, street: pd.Series, places: Places
) -> pd.Series:
    """Every problem of each row, joined with "；" ("" for a good row)."""
    ids, districts, streets = rows[CONTACT_ID], rows[DISTRICT], rows[STREET]
    known = districts.isin(places.districts)
    problems = [
        np.where(ids == "", "缺少编号", ""),
        np.where(ids.str.len() > ID_LENGTH, f"编号超过 {ID_LENGTH} 个字符", ""),
        phone_problem.to_numpy(),
        np.where(districts == "", "缺少区", ""),
        np.where((districts != "") & ~known, "不是北京市的区：" + districts, ""),
        np.where(
            (streets != "") & known & street.isna(),
            "街乡镇“" + streets + "”不在" + districts + "（见 content/directory/streets.csv）",
            "",
        ),
    ]
    table = np.column_stack(problems) if len(rows) else np.empty((0, len(problems)), object)
    bad = (table != "").any(axis=1)
    reasons = np.full(len(rows), "", dtype=object)
    reasons[bad] = ["；".join(p for p in found if p) for found in table[bad]]  # few rows
    return pd.Series(reasons, index=rows.index, dtype=object)


@dataclass
class Seen:
    """Ids and phone keys met so far, with the row that brought each (0: stored before).

    Kept in memory for the whole import (a million ids and 128-bit keys take about 250 MB),
    so a repeat is found without asking the database once per chunk.
    """

    ids: dict[str, int] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)  # leading hex of the phone key

    def first_rows(self, rows: pd.Series, ids: pd.Series, keys: list[str]) -> pd.Series:
        """For each row, the earlier row it repeats (0: stored before; -1: new), recording
        the new ones so later rows find them."""
        found = []
        for row, contact, key in zip(rows.tolist(), ids.tolist(), keys, strict=True):
            first = self.ids.get(contact, self.keys.get(key, -1))
            if first == -1:
                self.ids[contact] = row
                self.keys[key] = row
            found.append(first)
        return pd.Series(found, index=rows.index, dtype="int64")
