"""The audit log as auditors read it: newest first, page by page, filtered, exported as CSV.

Auditors only. Admins manage accounts, waves and invitation codes, which the log records, so the
people whose acts are audited do not audit them (separation of duties); evaluators' reading of
responses is what the log is about. Nothing here, nor anywhere in the app, changes an entry:
`survey.audit` only appends, and database triggers refuse UPDATE, DELETE and TRUNCATE.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from flask import Blueprint, Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp, ValidationError

from survey.abuse import source_key
from survey.accounts import account, require_role, staff_context
from survey.analysis.export import BOM
from survey.analysis.variables import neutralise
from survey.audit import ACTIONS, all_entries, append, entries
from survey.db import Database
from survey.models import AuditEntry
from survey.state import current_state
from survey.waves import SHANGHAI

auditors = Blueprint("auditors", __name__, url_prefix="/staff/audit")
auditors.context_processor(staff_context)

PAGE: Final = 50  # entries per page: one screen of a wide table
SCAN: Final = 500  # entries read per query while looking for filtered ones
# Entry times come from each app server's clock; ids from the database. Scanning newest first
# stops this far past the start date, so a server whose clock ran a little behind loses nothing.
SKEW: Final = timedelta(minutes=5)
# CSV column → the Row attribute it shows.
CSV_COLUMNS: Final = {
    "id": "id",
    "at_utc": "utc",
    "at_beijing": "beijing",
    "actor": "actor",
    "action": "action",
    "action_label": "label",
    "target": "target",
    "detail": "detail",
    "source": "source",
}
DATE_MESSAGE: Final = "请按“年-月-日”填写日期，例如 2026-11-27"


class ChineseDateField(DateField):  # type: ignore[misc]  # WTForms is untyped
    """A date field whose format error is in Chinese (WTForms' own is English)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the date; an unreadable one is reported next to the field."""
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(DATE_MESSAGE) from None


class FilterForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF is untyped
    """The log's filters, read from the query string (a GET that changes nothing: no CSRF)."""

    class Meta:
        csrf = False

    action = SelectField(
        "操作",
        choices=[SelectChoice("", "全部操作")] + [SelectChoice(k, v) for k, v in ACTIONS.items()],
        validators=[Optional()],
        invalid_choice_message="请从列出的操作中选择",
    )
    actor = StringField(
        "操作人（邮箱或其中一部分）",
        validators=[Optional(), Length(max=254, message="操作人最多 254 个字符")],
    )
    start = ChineseDateField("起始日期（北京时间，含当天）", validators=[Optional()])
    end = ChineseDateField("结束日期（北京时间，含当天）", validators=[Optional()])
    # Where the previous page stopped: an entry id (an int4 column, hence at most 9 digits).
    before = StringField(
        "从此编号之前",
        validators=[
            Optional(),
            Regexp(r"^[1-9][0-9]{0,8}$", message="翻页参数无效，请从第一页开始"),
        ],
    )

    def validate_end(self, field: ChineseDateField) -> None:
        """A range that ends before it starts is a typing slip, not an empty result."""
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("结束日期不能早于起始日期")


@dataclass(frozen=True)
class Filters:
    """Which entries an auditor asked for; times are UTC, `until` exclusive."""

    action: str = ""
    actor: str = ""
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def from_form(cls, form: FilterForm) -> Filters:
        """Whole Beijing days, from the start of `start` to the end of `end`."""
        return cls(
            action=form.action.data or "",
            actor=(form.actor.data or "").strip().lower(),
            since=_beijing_midnight(form.start.data),
            until=_beijing_midnight(form.end.data + timedelta(days=1) if form.end.data else None),
        )

    def matches(self, entry: AuditEntry) -> bool:
        """Whether `entry` passes every filter."""
        at = utc(entry.at)
        return (
            (not self.action or entry.action == self.action)
            and (not self.actor or self.actor in entry.actor.lower())
            and (self.since is None or at >= self.since)
            and (self.until is None or at < self.until)
        )

    def before_range(self, entry: AuditEntry) -> bool:
        """Whether `entry` is so old that no older one can match (with the clock margin)."""
        return self.since is not None and utc(entry.at) < self.since - SKEW

    def after_range(self, entry: AuditEntry) -> bool:
        """Whether `entry` is so new that no newer one can match (with the clock margin)."""
        return self.until is not None and utc(entry.at) >= self.until + SKEW

    def describe(self) -> dict[str, str]:
        """The filters as the export's audit entry records them."""
        shown = {
            "action": self.action,
            "actor": self.actor,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {key: value for key, value in shown.items() if value}


@dataclass(frozen=True)
class Row:
    """One entry as the page shows it: every value already formatted."""

    id: int
    beijing: str
    utc: str
    actor: str
    action: str
    label: str
    target: str
    detail: str
    source: str


def utc(moment: datetime) -> datetime:
    """An aware UTC time; SQLite hands stored times back naive, and they were stored as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _beijing_midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), SHANGHAI).astimezone(UTC) if day else None


def row(entry: AuditEntry) -> Row:
    """Format one entry: both times to the second, the action's meaning, the detail as text."""
    at = utc(entry.at)
    return Row(
        id=entry.id,
        beijing=at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
        utc=at.strftime("%Y-%m-%d %H:%M:%SZ"),
        actor=entry.actor,
        action=entry.action,
        label=ACTIONS.get(entry.action, entry.action),
        target=entry.target,
        detail=json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else "",
        source=entry.source,
    )


def find_page(
    db: Database, filters: Filters, before: int | None, size: int = PAGE
) -> tuple[list[AuditEntry], int | None]:
    """Up to `size` matching entries older than id `before`, newest first, and the id the next
    page starts before (None when there is no older match)."""
    found: list[AuditEntry] = []
    cursor = before
    while True:
        batch = entries(db, before_id=cursor, limit=SCAN)
        for entry in batch:
            if filters.before_range(entry):
                return found, None
            if filters.matches(entry):
                if len(found) == size:  # one more exists: there is a next page
                    return found, found[-1].id
                found.append(entry)
        if len(batch) < SCAN:
            return found, None
        cursor = batch[-1].id


def matching(db: Database, filters: Filters) -> Iterator[AuditEntry]:
    """Every matching entry, oldest first, read in chunks (the whole log never sits in memory)."""
    for entry in all_entries(db):
        if filters.after_range(entry):
            return
        if filters.matches(entry):
            yield entry


def csv_blocks(found: Iterable[AuditEntry], block: int = 1000) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (Excel on Chinese Windows), text guarded against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(CSV_COLUMNS.keys())
    for count, entry in enumerate(found, start=1):
        shown = row(entry)
        writer.writerow([neutralise(str(getattr(shown, name))) for name in CSV_COLUMNS.values()])
        if count % block == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def _form() -> FilterForm:
    return FilterForm(request.args)


def _query(before: int | None = None) -> dict[str, Any]:
    """The filter's query parameters (for links that keep it), empty ones left out."""
    values = {name: request.args.get(name, "") for name in ("action", "actor", "start", "end")}
    values["before"] = str(before) if before else ""
    return {name: value for name, value in values.items() if value}


@auditors.get("/")
@require_role("auditor")
def log() -> ResponseReturnValue:
    """The log, newest first, filtered; invalid filters are shown next to their fields."""
    form = _form()
    if not form.validate():
        return render_template("auditors/log.html", form=form, rows=[], links={}), 400
    before = int(form.before.data) if form.before.data else None
    found, next_before = find_page(current_state().db, Filters.from_form(form), before)
    links = {
        "export": url_for("auditors.export", **_query()),
        "newest": url_for("auditors.log", **_query()) if before else "",
        "older": url_for("auditors.log", **_query(next_before)) if next_before else "",
    }
    return render_template(
        "auditors/log.html", form=form, rows=[row(e) for e in found], links=links
    )


@auditors.get("/export.csv")
@require_role("auditor")
def export() -> ResponseReturnValue:
    """The filtered log as CSV, streamed; the export itself is recorded before any byte leaves,
    so an interrupted download still shows in the log."""
    form = _form()
    if not form.validate():
        return render_template("auditors/log.html", form=form, rows=[], links={}), 400
    filters = Filters.from_form(form)
    state = current_state()
    now = state.clock()
    detail = {"format": "csv", "filters": filters.describe()}
    append(
        state.db,
        now,
        account().email,
        "audit.export",
        target="audit_log",
        detail=detail,
        source=source_key(),
    )
    name = f"audit-log-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.csv"
    return Response(
        csv_blocks(matching(state.db, filters)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
