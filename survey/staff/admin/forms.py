"""The admin forms: publishing and withdrawing (CSRF only) and minting invitation codes."""

from __future__ import annotations

from typing import Any, Final

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

MAX_CODES: Final = 200_000  # per request: the same limit as `yiti survey invite`


class ActForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF is untyped
    """Publish or withdraw a wave: the button is the whole form (its label says what happens)."""


class IntegerInput(IntegerField):  # type: ignore[misc]  # WTForms is untyped
    """A whole-number field whose parse error is in Chinese (WTForms' own is English)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the number; anything else is reported next to the field."""
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("请填写一个整数，例如 500") from None


class InvitationForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF is untyped
    """Which invitation-only topic and wave, and how many codes.

    Choices are set per request (`choose`), from content: only topics whose questionnaire in
    some wave admits invited respondents only.
    """

    topic = SelectField(
        "议题",
        validators=[InputRequired("请选择议题")],
        invalid_choice_message="请从列出的议题中选择",
    )
    wave = SelectField(
        "调查批次",
        validators=[InputRequired("请选择调查批次")],
        invalid_choice_message="请从列出的调查批次中选择",
    )
    count = IntegerInput(
        "邀请码数量",
        validators=[
            InputRequired("请填写邀请码数量"),
            NumberRange(1, MAX_CODES, f"数量应在 1 到 {MAX_CODES:,} 之间"),
        ],
    )

    def choose(self, topics: list[tuple[str, str]], waves: list[tuple[str, str]]) -> None:
        """Set the topic and wave choices: (value, label) pairs."""
        self.topic.choices = topics
        self.wave.choices = waves
