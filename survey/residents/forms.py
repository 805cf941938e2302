"""The questionnaire as a WTForms form: one field per question, messages in Chinese.

Forms are built per questionnaire from content, so a new topic question needs no code.
"""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    Field,
    Form,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select, html_params

from generator.content.models import Directory, Question, Questionnaire

CHOOSE_ONE = "请选择一项"
NOT_AN_OPTION = "请从列出的选项中选择"
HONEYPOT = "website"  # a field people never see; bots that fill every input fill it
# Control characters other than tab and line breaks, and the two Unicode non-characters XML
# forbids: invisible in a text box, but each export would show them differently (raw in CSV,
# replaced in XLSX, cut short in SAV), so they are removed before anything is stored.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# A browser sends a text box's line breaks as CRLF, though the box holds (and its maxlength
# counts) one LF each. Kept as LF: CR would count twice against the limit, and XLSX stores it
# as `_x000D_`, which openpyxl and pandas read back literally, so the formats would differ.
LINE_BREAK = re.compile("\r\n?")


class SurveyForm(FlaskForm):
    """Fields every questionnaire has besides its questions (CSRF comes from FlaskForm)."""

    class Meta:
        def bind_field(self, form: Form, unbound: UnboundField, options: dict[str, Any]) -> Field:
            """The field as WTForms would make it, copied from one made once per form class.

            Making a field runs its whole constructor (label, flags, choices, validators):
            about a third of building a questionnaire form on every POST (issue 17). What a
            field is made of never changes after that; what one request gives it (data, raw
            data, errors) is set on the copy by `process` and `validate`, and the copy belongs
            to its own form. The CSRF field, new for every form, is made as usual.
            """
            made = type(form).__dict__.get("_made_fields")
            if made is None:
                made = {}
                type.__setattr__(type(form), "_made_fields", made)
            name = options["name"]
            if getattr(type(form), name, None) is not unbound:
                return super().bind_field(form, unbound, options)  # type: ignore[misc]
            if name not in made:
                first = super().bind_field(form, unbound, options)  # type: ignore[misc]
                first._form = first.meta = None  # keeps no request's form alive
                made[name] = first
            field = object.__new__(type(made[name]))  # Field.__new__ would make an UnboundField
            field.__dict__.update(made[name].__dict__)
            field._form, field.meta = form, form.meta
            return field

    ticket = HiddenField()
    website = StringField("请勿填写此项", validators=[Optional()])

    def question_fields(self) -> list[Field]:
        """The fields that are questions, in questionnaire order."""
        return [f for f in self if f.name not in {"csrf_token", "ticket", HONEYPOT, "invitation"}]

    def answers(self) -> dict[str, Any]:
        """Validated answers keyed by question id: `None`/`[]` for skipped optional questions."""
        return {f.name: _answer(f) for f in self.question_fields()}


class SingleChoiceField(RadioField):
    """Radio buttons for a single-choice question; an answer among the options is accepted by
    a set look-up.

    WTForms builds a `Choice` for every option to check one answer (a sixth of a POST's
    validation, issue 17); the options never change after the form class is built. Any other
    answer goes through WTForms' own check, which refuses it with its message.
    """

    def __init__(self, label: str, choices: list[SelectChoice], **kwargs: Any) -> None:
        super().__init__(label, choices=choices, **kwargs)
        self._values = frozenset(self.coerce(c.value) for c in choices)

    def pre_validate(self, form: Form) -> None:
        """Accept an option at once; leave anything else to RadioField's check."""
        if self.data not in self._values:
            super().pre_validate(form)


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple-choice question (the WTForms documentation's recipe); answers
    among the options are accepted by a set look-up, as in SingleChoiceField."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: str, choices: list[SelectChoice], **kwargs: Any) -> None:
        super().__init__(label, choices=choices, **kwargs)
        self._values = frozenset(self.coerce(c.value) for c in choices)

    def pre_validate(self, form: Form) -> None:
        """Accept options at once; leave anything else to SelectMultipleField's check."""
        if not self._values.issuperset(self.data or ()):
            super().pre_validate(form)


class GroupedSelect(Select):
    """A select whose options (all 349 街乡镇, grouped by district) are rendered once and reused.

    WTForms' own widget formats every option on every request: about 35 ms of a 57 ms page.
    """

    def __init__(self) -> None:
        super().__init__()
        self._options: str | None = None

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        if self._options is None:
            self._options = _options_html(field.choices)
        options = self._options
        if field.data:
            plain = f'<option value="{escape(field.data)}">'
            options = options.replace(plain, plain.replace("<option ", "<option selected "), 1)
        kwargs.setdefault("id", field.id)
        attributes = html_params(name=field.name, **kwargs)
        # bandit B704 is a false positive here: html_params escapes attributes; _options_html
        # escapes every label and value
        return Markup(f"<select {attributes}>{options}</select>")  # nosec B704


class StreetField(SelectField):
    """The 街乡镇 select, checked by a set look-up.

    WTForms copies and re-checks all 350 choices for every form and scans them to validate one
    answer: some 15% of a POST in a profile. These choices never change, so forms share one list.
    """

    def __init__(
        self, label: str, choices: list[SelectChoice], values: frozenset[str], **kwargs: Any
    ) -> None:
        super().__init__(label, choices=None, **kwargs)
        self._choices = choices  # shared by every form: never changed in place
        self._values = values  # the choices' values

    def pre_validate(self, form: Form) -> None:
        """Refuse a value that is not one of the choices (what SelectField checks, by look-up)."""
        if self.process_errors or not self.validate_choice:
            return
        if self.data not in self._values:
            raise ValidationError(
                self.invalid_choice_message or self.gettext("Not a valid choice.")
            )


def _options_html(choices: list[SelectChoice]) -> str:
    parts, group = [], None
    for choice in choices:
        if choice.optgroup != group:
            parts.append("</optgroup>" if group is not None else "")
            parts.append(f'<optgroup label="{escape(choice.optgroup)}">' if choice.optgroup else "")
            group = choice.optgroup
        parts.append(f'<option value="{escape(choice.value)}">{escape(choice.label)}</option>')
    parts.append("</optgroup>" if group is not None else "")
    return "".join(parts)


def form_class(
    questionnaire: Questionnaire, directory: Directory, base: type[SurveyForm] = SurveyForm
) -> type[SurveyForm]:
    """A form class for `questionnaire`, with an invitation code field when access needs one;
    `base` adds fields around the questions (the telephone interview's consent)."""
    fields: dict[str, Any] = {q.id: question_field(q, directory) for q in questionnaire.questions}
    if questionnaire.access == "invitation":
        fields["invitation"] = StringField(
            "邀请码",
            description="短信中收到的邀请码，如 K7QX-M9PA-3RTU；不区分大小写",
            filters=[clean_text],
            validators=[
                InputRequired("请填写短信中的邀请码"),
                Length(max=40, message="邀请码太长"),
            ],
        )
    return type("QuestionnaireForm", (base,), fields)


def question_field(question: Question, directory: Directory) -> Field:
    """The field for one question."""
    factory = _FACTORIES[question.kind]
    return factory(question, directory)


def _single(question: Question, _directory: Directory) -> Field:
    return SingleChoiceField(
        question.label,
        description=question.hint or "",
        choices=[SelectChoice(o) for o in question.options],
        validators=[_presence(question)],
        invalid_choice_message=NOT_AN_OPTION,
    )


def _multiple(question: Question, _directory: Directory) -> Field:
    return MultiCheckboxField(
        question.label,
        description=question.hint or "",
        choices=[SelectChoice(o) for o in question.options],
        validators=[_presence(question, "请至少选择一项")],
        invalid_choice_message=lambda n: NOT_AN_OPTION + "（%(value)s 不是选项）",
    )


def _district(question: Question, directory: Directory) -> Field:
    return SingleChoiceField(
        question.label,
        description=question.hint or "",
        choices=[SelectChoice(d.name) for d in directory.districts],
        validators=[_presence(question, "请选择您居住的区")],
        invalid_choice_message=NOT_AN_OPTION,
    )


def _street(question: Question, directory: Directory) -> Field:
    blank = [SelectChoice("", "（不选择）")]
    streets = [SelectChoice(s.code, s.name, optgroup=s.district) for s in directory.streets]
    names = {s.code: s.district for s in directory.streets}
    return StreetField(
        question.label,
        description=question.hint or "",
        choices=blank + streets,
        values=frozenset(c.value for c in blank + streets),
        widget=GroupedSelect(),
        validators=[_presence(question, "请选择街道（乡镇）"), _in_district(names)],
        invalid_choice_message=NOT_AN_OPTION,
    )


def _comment(question: Question, _directory: Directory) -> Field:
    limit = question.max_length
    return TextAreaField(
        question.label,
        description=question.hint or "",
        validators=[
            _presence(question, "请填写"),
            Length(max=limit, message=f"最多 {limit} 字，现在是 %(length)d 字，请删减"),
        ],
        filters=[clean_text],
        render_kw={"maxlength": limit, "rows": 5},
    )


_FACTORIES = {
    "single": _single,
    "multiple": _multiple,
    "district": _district,
    "street": _street,
    "comment": _comment,
}


def clean_text(text: Any) -> Any:
    """Typed text without control characters and surrounding spaces, line breaks as LF;
    anything else as given."""
    if not isinstance(text, str):
        return text
    return LINE_BREAK.sub("\n", CONTROL.sub("", text)).strip()


def _presence(question: Question, message: str = CHOOSE_ONE) -> Any:
    return InputRequired(message) if question.required else Optional()


def _in_district(district_of: dict[str, str]) -> Any:
    """The chosen 街乡镇 lies in the chosen district (names repeat across districts)."""

    def check(form: Form, field: Field) -> None:
        chosen = form["district"].data if "district" in form else None
        if field.data and chosen and district_of.get(field.data) != chosen:
            raise ValidationError(f"所选街道（乡镇）不在{chosen}，请重新选择或不选")

    return check


def _answer(field: Field) -> Any:
    if isinstance(field, SelectMultipleField):
        return list(field.data or [])
    return field.data or None
