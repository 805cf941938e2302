"""The exclusion forms: a reason is required (the log and the figures' notes show it)."""

from __future__ import annotations

from typing import Final

from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from survey.residents.forms import clean_text

REASON_MAX: Final = 500  # characters: the exclusions.reason column


class ExcludeForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF is untyped
    """Why a response is left out of every figure; the page it was sent from."""

    reason = TextAreaField(
        "排除理由",
        filters=[clean_text],  # the reason is exported: the same text in every format
        validators=[
            DataRequired("请填写排除理由"),
            Length(max=REASON_MAX, message=f"排除理由最多 {REASON_MAX} 字"),
        ],
    )
    page = IntegerField(validators=[Optional(), NumberRange(min=1)])


class IncludeForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF is untyped
    """Undo an exclusion: only the CSRF token and the page it was sent from."""

    page = IntegerField(validators=[Optional(), NumberRange(min=1)])
