"""The interviewer's forms: ask for a case, report a call's outcome, and the interview itself.

The interview is the residents' questionnaire (survey.residents.forms builds it from content), with the
consent question in front; its answers are stored exactly as a resident's would be.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateTimeLocalField, Field, Form, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from generator.content.models import Directory, Questionnaire
from survey.fieldwork.calls import NOTE_MAX
from survey.fieldwork.dispositions import CODES, COMPLETE
from survey.fieldwork.hours import BEIJING
from survey.residents.forms import NOT_AN_OPTION, SurveyForm, clean_text, form_class
from survey.residents.repeats import repeated_fields

AGREE: Final = "同意，开始访问"
REFUSE: Final = "不同意（记为拒绝访问 2.11）"
REFUSAL_CODE: Final = "2.11"
EARLIEST, LATEST = 2000, 2099  # years an appointment may name


class BeijingTimeField(DateTimeLocalField):  # type: ignore[misc]  # WTForms is untyped here
    """A date and time typed in Beijing time; a malformed one is refused in Chinese."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse as DateTimeLocalField does, with our message for what it cannot read."""
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("请按“2026-11-27 16:30”的格式填写日期和时间") from exc

    def pre_validate(self, form: FlaskForm) -> None:
        """A readable time far from now is refused, not computed with (year 1 in Beijing
        time is before the first UTC moment Python holds: converting it would fail)."""
        if self.data is not None and not EARLIEST <= self.data.year <= LATEST:
            raise ValidationError(f"请填写 {EARLIEST} 年到 {LATEST} 年之间的日期和时间")


class NextCaseForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF is untyped
    """The "下一个个案" button: only the CSRF token."""


class OutcomeForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF is untyped
    """A call's outcome: an AAPOR code, an appointment for 2.21, a short note.

    A complete (1.1) is not offered: it is recorded only by storing the interview, so every
    complete has its answers.
    """

    code = RadioField(
        "本次拨打结果",
        choices=[
            SelectChoice(d.code, f"{d.code} {d.label}") for d in CODES.values() if d != COMPLETE
        ],
        validators=[InputRequired("请选择本次拨打的结果")],
        invalid_choice_message=NOT_AN_OPTION,
    )
    callback_at = BeijingTimeField(
        "约定回访时间（北京时间）",
        description="只在选择“2.21 约定回访时间”时填写，如 2026-11-27 16:30",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        validators=[Optional()],
    )
    note = StringField(
        "备注（选填）",
        description=f"最多 {NOTE_MAX} 字。不要写电话号码或受访者的回答。",
        filters=[clean_text],
        validators=[Length(max=NOTE_MAX, message=f"备注最多 {NOTE_MAX} 字")],
    )

    def callback_utc(self) -> datetime | None:
        """The appointment in UTC (as stored): typed in Beijing time."""
        typed: datetime | None = self.callback_at.data
        return typed.replace(tzinfo=BEIJING).astimezone(UTC) if typed is not None else None


class PhoneForm(SurveyForm):
    """The interview: the consent question, then the questionnaire's questions."""

    consent = RadioField(
        "受访者是否同意接受访问？",
        choices=[SelectChoice(AGREE), SelectChoice(REFUSE)],
        validators=[InputRequired("请选择受访者是否同意接受访问")],
        invalid_choice_message=NOT_AN_OPTION,
    )

    def question_fields(self) -> list[Field]:
        """The questionnaire's questions, without the consent (which is no answer)."""
        return [f for f in super().question_fields() if f.name != "consent"]

    def refused(self) -> bool:
        """Whether the interviewer recorded that the resident said no."""
        return bool(self.consent.data == REFUSE)


def repeat_refusal(form: Form, formdata: MultiDict[str, str]) -> str | None:
    """Why the body is refused if one of the form's fields came more than once (a checkbox's
    value twice, or two values for a single answer), naming the questions; else None.

    A browser sends neither, and storing it would count an option twice or silently keep one
    answer of two (the residents' questionnaire refuses it too).
    """
    repeated = [str(form[name].label.text) for name in repeated_fields(form, formdata)]
    if not repeated:
        return None
    return f"这些问题的答案重复提交了：{'、'.join(repeated)[:200]}。请刷新页面后重新记录。"


def phone_form_class(questionnaire: Questionnaire, directory: Directory) -> type[PhoneForm]:
    """The interview form for `questionnaire`. No invitation code: the interviewer calls."""
    open_access = questionnaire.model_copy(update={"access": "open"})
    made = form_class(open_access, directory, base=PhoneForm)
    assert issubclass(made, PhoneForm)
    return made
