"""The respondent pages through HTTP: serve, answer, receipt, exactly once, closed waves."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from survey.storage.repository import count_responses, responses
from tests.survey.conftest import (
    ANSWERS,
    INVITED_TOPIC,
    TOPIC,
    URL,
    WAVE,
    CheckingClient,
    Clock,
    state_of,
)


def receipt_of(location: str) -> str:
    """The receipt code in a thank-you page URL."""
    return location.rstrip("/").rsplit("/", 1)[-1]


def test_questionnaire_has_one_fieldset_per_question_with_native_inputs(
    page_client: CheckingClient,
) -> None:
    page = page_client.get(URL)
    questions = state_of(page_client.client.application).content.questionnaires.for_wave(
        TOPIC, WAVE
    )
    assert questions is not None
    fieldsets = page.soup.select("fieldset.question")
    assert [f["id"] for f in fieldsets] == [f"q-{q.id}" for q in questions.questions]
    assert page.soup.select("input[type=radio][name=satisfaction]")
    assert page.soup.select("input[type=checkbox][name=went_well]")
    # every choice is a plain input of the shared template, not WTForms' own widget
    for kind, name in [
        ("radio", q.id) for q in questions.questions if q.kind in {"single", "district"}
    ] + [("checkbox", q.id) for q in questions.questions if q.kind == "multiple"]:
        assert page.soup.select(f"ul.choices input[type={kind}][name={name}]"), name
    assert page.soup.find("script") is None, "the survey needs no JavaScript"
    assert "隐私说明" in page.text() and "保存多久" in page.text()


def test_valid_answers_redirect_to_a_thank_you_page_with_a_receipt(
    client: CheckingClient, app: Flask
) -> None:
    done = client.post(URL, client.form(URL + "?channel=qr"))
    location = done.response.headers["Location"]
    thanks = client.get(location)
    assert receipt_of(location) in thanks.text()
    [stored] = responses(state_of(app).db, TOPIC, WAVE)
    assert stored.channel == "qr"
    assert stored.version == "standard@1+ebike-charging@1"
    assert stored.street == "110108001" and stored.district == "海淀区"  # the code, as sampled
    assert stored.answers["went_well"] == ["办理时间更短", "反馈及时"]
    assert stored.receipt == receipt_of(location)


def test_a_resent_form_stores_one_row_and_shows_the_same_receipt(
    client: CheckingClient, app: Flask
) -> None:
    body = client.form()
    first = client.post(URL, body).response.headers["Location"]
    second = client.post(URL, body).response.headers["Location"]
    assert first == second
    assert count_responses(state_of(app).db, TOPIC, WAVE) == 1


def test_the_served_form_carries_the_device_id_so_the_answer_sets_no_new_cookie(
    page_client: CheckingClient,
) -> None:
    page_client.get(URL)
    with page_client.client.session_transaction() as session:
        assert "device" in session
    done = page_client.post(URL, page_client.form())
    assert "Set-Cookie" not in done.response.headers


def test_the_same_form_with_different_answers_is_refused_clearly(
    client: CheckingClient, app: Flask
) -> None:
    body = client.form()
    first = client.post(URL, body).response.headers["Location"]
    page = client.post(URL, body | {"satisfaction": "不满意"}, status=409)
    assert "本次提交没有保存" in page.text()
    assert receipt_of(first) in page.text()
    [stored] = responses(state_of(app).db, TOPIC, WAVE)
    assert stored.satisfaction == "满意"


def test_invalid_answers_are_shown_by_their_field_and_the_rest_stay_filled_in(
    page_client: CheckingClient,
) -> None:
    body = page_client.form(satisfaction="", street="110101001", comment="好" * 501)
    page = page_client.post(URL, body, status=200)
    errors = page.errors()
    assert errors["satisfaction"] == "请选择一项"
    assert errors["street"] == "所选街道（乡镇）不在海淀区，请重新选择或不选"
    assert errors["comment"] == "最多 500 字，现在是 501 字，请删减"
    assert set(errors) == {"satisfaction", "street", "comment"}
    assert page.checked("awareness", "听说过")
    checked = page.soup.select("input[name=went_well][checked]")
    assert [c["value"] for c in checked] == ["办理时间更短", "反馈及时"]
    assert page.tag("textarea", name="comment").get_text().lstrip("\r\n") == "好" * 501
    summary = page.soup.select(".error-summary a")
    assert [a["href"] for a in summary] == ["#q-satisfaction", "#q-street", "#q-comment"]


def test_an_answer_that_is_not_an_option_is_refused_in_chinese(
    page_client: CheckingClient,
) -> None:
    page = page_client.post(URL, page_client.form(district="纽约", went_well=["x"]), status=200)
    assert page.errors()["district"] == "请从列出的选项中选择"
    assert page.errors()["went_well"].startswith("请从列出的选项中选择")


def test_optional_questions_may_be_left_out(page_client: CheckingClient) -> None:
    body = page_client.form()
    for optional in ("went_well", "street", "comment"):
        del body[optional]
    page_client.post(URL, body)


def test_outside_the_wave_the_page_says_when_the_next_opens_and_accepts_nothing(
    client: CheckingClient, clock: Clock, app: Flask
) -> None:
    body = client.form()
    clock.now = datetime(2026, 12, 20, tzinfo=UTC)  # after 2026-end closed
    closed = client.get(URL)
    assert "不接受答卷" in closed.text() and "已于 2026年12月15日 18:00" in closed.text()
    assert not closed.soup.find("form")
    client.post(URL, body, status=403)
    assert count_responses(state_of(app).db) == 0
    clock.now = datetime(2026, 11, 1, tzinfo=UTC)  # before it opened
    soon = client.get(URL)
    assert "将于 2026年11月15日 09:00" in soon.text()


def test_a_past_wave_points_to_the_wave_open_now(page_client: CheckingClient) -> None:
    page = page_client.get(f"/{TOPIC}/2024-end/")
    assert "不接受答卷" in page.text() and "2026 年年底调查正在进行" in page.text()
    assert page.tag("a", href=URL).get_text() == "前往作答"


def test_unknown_topics_and_waves_are_not_found(page_client: CheckingClient) -> None:
    page_client.get(f"/no-such-topic/{WAVE}/", status=404)
    page_client.get(f"/{TOPIC}/2021-end/", status=404)  # a wave the topic does not run
    page_client.get(f"/{TOPIC}/{WAVE}/thanks/AAAA-BBBB-CC/", status=404)


def test_index_lists_open_surveys_and_privacy_has_its_own_page(
    page_client: CheckingClient,
) -> None:
    index = page_client.get("/")
    links = [a["href"] for a in index.soup.select("main a")]
    assert URL in links and f"/civil-dog-keeping/{WAVE}/" in links
    assert "保存多久" in page_client.get("/privacy/").text()


def test_every_url_works_under_a_mount_prefix(sqlite_app: Flask) -> None:
    client = CheckingClient(sqlite_app.test_client())
    page = client.get(URL, base_url="http://localhost/survey")
    urls = [t.get("href") or t.get("action") for t in page.soup.select("[href], [action]")]
    local = [u for u in urls if not str(u).startswith("#")]
    assert local and all(str(u).startswith("/survey/") for u in local), local


def test_answers_pass_unchanged_with_the_streets_name_beside_its_code(
    client: CheckingClient, app: Flask
) -> None:
    client.post(URL, client.form())
    [stored] = responses(state_of(app).db, TOPIC, WAVE)
    expected = ANSWERS | {"street_name": "万寿路街道", "went_badly": []}
    assert stored.answers == expected


def test_a_code_in_the_link_is_shown_without_control_characters(
    page_client: CheckingClient,
) -> None:
    page = page_client.get(f"/{INVITED_TOPIC}/{WAVE}/?code=K7QX%00-M9PA%0B-3RTU")  # strict HTML
    assert page.tag("input", name="invitation")["value"] == "K7QX-M9PA-3RTU"


def test_a_receipt_no_code_could_be_is_not_found_on_each_database(client: CheckingClient) -> None:
    for receipt in ("%00", "A%00B", "ABCD-EFGH-JK%ED%A0%80", "A" * 50):
        client.get(f"{URL}thanks/{receipt}/", status=404)
