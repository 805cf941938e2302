"""The audit log as auditors read it: newest first, page by page, filtered, exported as CSV.

Auditors only. Admins manage accounts, waves and invitation codes, which the log records, so the
people whose acts are audited do not audit them (separation of duties); evaluators' reading of
responses is what the log is about. Nothing here, nor anywhere in the app, changes an entry:
`survey.storage.audit` only appends, and database triggers refuse UPDATE, DELETE and TRUNCATE.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final

from flask import Blueprint, Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp, ValidationError

from generator.sheets.cells import neutralise
from survey.abuse import source_key
from survey.staff.sessions import account, require_role, staff_context
from survey.state import current_state
from survey.storage.audit import ACTIONS, Filters, all_entries, append, entries
from survey.storage.db import Database
from survey.storage.models import AuditEntry
from survey.waves import SHANGHAI

if TYPE_CHECKING:
    from survey.analysis.export import Tally

auditors = Blueprint("auditors", __name__, url_prefix="/staff/audit")
auditors.context_processor(staff_context)

PAGE: Final = 50  # entries per page: one screen of a wide table
BLOCK: Final = 1000  # CSV rows per block the export sends (about 200 KB)
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
CONTROL_CHARACTERS: Final = r"\x00-\x1f\x7f"  # a regex character range: C0 and DEL
CONTROL: Final = re.compile(f"[{CONTROL_CHARACTERS}]")
DATE_MESSAGE: Final = "请按“年-月-日”填写日期，例如 2026-11-27"
# Dates an auditor may ask for: a day outside would overflow datetime when made a UTC range.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
RANGE_MESSAGE: Final = "请填写 2000 年到 2099 年之间的日期"


class ChineseDateField(DateField):  # type: ignore[misc]  # WTForms is untyped
    """A date field whose format error is in Chinese (WTForms' own is English)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the date; an unreadable one is reported next to the field."""
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(DATE_MESSAGE) from None

    def pre_validate(self, form: FlaskForm) -> None:
        """A readable date far outside the log's lifetime is refused, not computed with."""
        if self.data is not None and not EARLIEST <= self.data <= LATEST:
            raise ValidationError(RANGE_MESSAGE)


class PlainTextField(StringField):  # type: ignore[misc]  # WTForms is untyped
    """A text field that never echoes a control character into the page (NUL is invalid HTML)."""

    def _value(self) -> str:
        return CONTROL.sub("\ufffd", str(super()._value()))


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
    actor = PlainTextField(
        "操作人（邮箱或其中一部分）",
        validators=[
            Optional(),
            Length(max=254, message="操作人最多 254 个字符"),
            # PostgreSQL refuses NUL in text; no actor holds a control character anyway.
            Regexp(f"^[^{CONTROL_CHARACTERS}]*$", message="操作人含有无效字符"),
        ],
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


def filters_from(form: FilterForm) -> Filters:
    """The form's filters as whole Beijing days, from the start of `start` to the end of `end`."""
    return Filters(
        action=form.action.data or "",
        actor=(form.actor.data or "").strip().lower(),
        since=_beijing_midnight(form.start.data),
        until=_beijing_midnight(form.end.data + timedelta(days=1) if form.end.data else None),
    )


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
    found = entries(db, before_id=before, limit=size + 1, filters=filters)
    if len(found) > size:  # the one extra entry only says that an older page exists
        return found[:size], found[size - 1].id
    return found, None


def csv_blocks(found: Iterable[AuditEntry], tally: Tally) -> Generator[bytes, None, None]:
    """UTF-8 CSV with a BOM (Excel on Chinese Windows), text guarded against formula injection;
    `tally` counts the rows and hashes the bytes as they leave."""
    from survey.analysis.export import BOM  # with pyarrow and pandas: on first use (issue 17)

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(CSV_COLUMNS.keys())
    for entry in found:
        shown = row(entry)
        writer.writerow([neutralise(str(getattr(shown, name))) for name in CSV_COLUMNS.values()])
        tally.rows += 1
        if tally.rows % BLOCK == 0:
            yield _drain(buffer, tally)
    yield _drain(buffer, tally)


def _drain(buffer: io.StringIO, tally: Tally) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    tally.digest.update(data)
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
    found, next_before = find_page(current_state().db, filters_from(form), before, PAGE)
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
    """The filtered log as CSV, streamed from the database in chunks."""
    form = _form()
    if not form.validate():
        return render_template("auditors/log.html", form=form, rows=[], links={}), 400
    state = current_state()
    now = state.clock()
    filters = filters_from(form)
    trace = ExportTrace(state.db, now, account().email, source_key(), filters)
    name = f"audit-log-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.csv"
    return Response(
        trace.stream(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@dataclass(frozen=True)
class ExportTrace:
    """One export and its `audit.export` entries, as `survey.staff.downloads.service` leaves for a CSV:
    one before any byte leaves (so a client that hangs up at once is still traced), one when the
    body is finished or abandoned, with the rows sent."""

    db: Database
    at: datetime
    actor: str
    source: str
    filters: Filters

    def stream(self) -> Iterator[bytes]:
        """Record the start now; the returned body records how it ended."""
        self.audit(status="started")
        return self._body()

    def audit(self, **detail: Any) -> None:
        """One `audit.export` entry: format, filters and what happened."""
        body = {"format": "csv", "filters": self.filters.describe()} | detail
        append(
            self.db,
            self.at,
            self.actor,
            "audit.export",
            target="audit_log",
            detail=body,
            source=self.source,
        )

    def _body(self) -> Iterator[bytes]:
        from survey.analysis.export import Tally

        tally = Tally()
        blocks = csv_blocks(all_entries(self.db, filters=self.filters), tally)
        try:
            yield from blocks
        except GeneratorExit:
            blocks.close()  # ends the database read now, not when the garbage collector runs
            self.audit(status="aborted", rows=tally.rows)
            raise
        self.audit(status="completed", rows=tally.rows, sha256=tally.sha256())
