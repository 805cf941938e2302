"""The questionnaire form on its own, without HTTP: fields from content, messages in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from survey.residents.forms import SurveyForm, form_class
from tests.survey.conftest import ANSWERS, INVITED_TOPIC, TOPIC, WAVE, state_of


@pytest.fixture
def context(sqlite_app: Flask) -> Iterator[Flask]:
    """A request context, as forms need one; CSRF is off because no request is made."""
    sqlite_app.config["WTF_CSRF_ENABLED"] = False
    with sqlite_app.test_request_context():
        yield sqlite_app


def form_for(app: Flask, data: dict[str, Any], topic: str = TOPIC) -> SurveyForm:
    """The topic's form filled with `data`, validated."""
    state = state_of(app)
    questionnaire = state.content.questionnaires.for_wave(topic, WAVE)
    assert questionnaire is not None
    formdata = MultiDict(
        [(k, v) for k, vs in data.items() for v in (vs if isinstance(vs, list) else [vs])]
    )
    form = form_class(questionnaire, state.content.directory)(formdata=formdata)
    form.validate()
    return form


def test_complete_answers_validate_to_answers_by_question_id(context: Flask) -> None:
    form = form_for(context, ANSWERS)
    assert form.errors == {}
    assert form.answers() == ANSWERS | {"went_badly": []}


def test_every_required_question_says_what_is_missing(context: Flask) -> None:
    form = form_for(context, {})
    assert form.errors == {
        "awareness": ["请选择一项"],
        "change": ["请选择一项"],
        "solved": ["请选择一项"],
        "satisfaction": ["请选择一项"],
        "district": ["请选择您居住的区"],
        "hotline": ["请选择一项"],
        "charging_distance": ["请选择一项"],
    }


def test_a_street_must_lie_in_the_chosen_district(context: Flask) -> None:
    # 八里庄街道 exists in 朝阳区 and 海淀区: the code, not the name, decides.
    chaoyang_balizhuang = next(
        s.code
        for s in state_of(context).content.directory.streets
        if s.name == "八里庄街道" and s.district == "朝阳区"
    )
    form = form_for(context, ANSWERS | {"street": chaoyang_balizhuang})
    assert form.errors == {"street": ["所选街道（乡镇）不在海淀区，请重新选择或不选"]}


def test_a_comment_over_500_characters_is_refused_with_its_length(context: Flask) -> None:
    assert form_for(context, ANSWERS | {"comment": "字" * 500}).errors == {}
    form = form_for(context, ANSWERS | {"comment": "字" * 612})
    assert form.errors == {"comment": ["最多 500 字，现在是 612 字，请删减"]}


def test_line_breaks_as_a_browser_sends_them_count_once_and_are_kept_as_lf(
    context: Flask,
) -> None:
    typed = "\r\n".join(["字" * 98] * 5) + "\r旧式换行"  # 500 characters in the text box
    form = form_for(context, ANSWERS | {"comment": typed})
    assert form.errors == {}
    assert form.comment.data == "\n".join(["字" * 98] * 5) + "\n旧式换行"


def test_the_invitation_field_exists_only_where_codes_are_needed(context: Flask) -> None:
    assert "invitation" not in form_for(context, ANSWERS)
    invited = form_for(context, ANSWERS, topic=INVITED_TOPIC)
    assert invited.errors["invitation"] == ["请填写短信中的邀请码"]
    assert "leash" in invited and "charging_distance" not in invited


def test_question_fields_leave_out_the_ticket_honeypot_and_code(context: Flask) -> None:
    form = form_for(context, ANSWERS, topic=INVITED_TOPIC)
    names = [f.name for f in form.question_fields()]
    assert not {"ticket", "website", "invitation", "csrf_token"} & set(names)
    assert names[-1] == "comment"


def test_a_street_that_is_not_an_option_is_refused_and_none_is_fine(context: Flask) -> None:
    for unknown in ("999999999", "万寿路街道", " 110108001"):
        form = form_for(context, ANSWERS | {"street": unknown})
        assert form.errors["street"][0] == "请从列出的选项中选择", unknown
    assert form_for(context, ANSWERS | {"street": ""}).errors == {}
    assert form_for(context, {k: v for k, v in ANSWERS.items() if k != "street"}).errors == {}


def test_forms_share_the_street_choices_without_changing_them(context: Flask) -> None:
    state = state_of(context)
    questionnaire = state.content.questionnaires.for_wave(TOPIC, WAVE)
    assert questionnaire is not None
    form = form_class(questionnaire, state.content.directory)
    first, second = form(formdata=MultiDict([("street", "110108001")])), form(formdata=None)
    assert first["street"].choices is second["street"].choices
    assert first["street"].data == "110108001" and second["street"].data is None
    assert len(first["street"].choices) == 1 + len(state.content.directory.streets)


def test_answers_outside_the_options_are_refused_and_the_options_accepted(context: Flask) -> None:
    made_up = ANSWERS | {"satisfaction": "满意吗", "went_well": ["反馈及时", "自己编的"]}
    assert form_for(context, made_up).errors == {
        "satisfaction": ["请从列出的选项中选择"],
        "went_well": ["请从列出的选项中选择（自己编的 不是选项）"],
    }
    every_option = ANSWERS | {"went_well": [o.data for o in form_for(context, {})["went_well"]]}
    assert form_for(context, every_option).errors == {}


def test_forms_of_one_class_share_no_answers_errors_or_form(context: Flask) -> None:
    """Fields are copied from ones made once per form class: each form's are its own."""
    state = state_of(context)
    questionnaire = state.content.questionnaires.for_wave(TOPIC, WAVE)
    assert questionnaire is not None
    made_once = form_class(questionnaire, state.content.directory)

    def filled(data: dict[str, Any]) -> SurveyForm:
        pairs = [(k, v) for k, vs in data.items() for v in (vs if isinstance(vs, list) else [vs])]
        form = made_once(formdata=MultiDict(pairs))
        form.validate()
        return form

    first = filled(ANSWERS)
    second = filled(ANSWERS | {"satisfaction": "不满意", "district": "纽约"})
    third = filled({})
    assert first.errors == {} and first.answers() == ANSWERS | {"went_badly": []}
    assert second["satisfaction"].data == "不满意"
    assert second.errors["district"] == ["请从列出的选项中选择"]
    assert "district" in third.errors and third["satisfaction"].data is None
    for form in (first, second, third):
        assert all(field._form is form and field.meta is form.meta for field in form)
    made = made_once.__dict__["_made_fields"]
    assert set(made) == {f.name for f in first} - {"csrf_token"}
    assert all(field._form is None for field in made.values())
