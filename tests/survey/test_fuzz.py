"""Whatever a client POSTs, the answer is a page, never a 500 or a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.survey.conftest import ANSWERS, URL, Clock, make_app, state_of

FIELDS = [*ANSWERS, "ticket", "website", "csrf_token", "invitation", "x"]
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from([v for v in ANSWERS.values() if isinstance(v, str)]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=600),
)
BODIES = st.lists(st.tuples(st.sampled_from(FIELDS), VALUES), max_size=14)
ALLOWED = {200, 303, 400, 403, 409, 413, 429}


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for every example; CSRF off so the fuzzing reaches the form and the ticket."""
    tmp = Path(tmp_path_factory.mktemp("fuzz"))
    app = make_app(
        f"sqlite:///{tmp / 'fuzz.sqlite3'}",
        tmp,
        Clock(),
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
    )
    yield app
    state_of(app).db.dispose()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=BODIES, keep_ticket=st.booleans())
def test_any_form_body_gets_a_page_not_a_500(
    fuzz_app: Flask, body: list[tuple[str, str]], keep_ticket: bool
) -> None:
    client = fuzz_app.test_client()
    if keep_ticket:
        html = client.get(URL).get_data(as_text=True)
        ticket = html.split('name="ticket" type="hidden" value="', 1)[1].split('"', 1)[0]
        body = [*(p for p in body if p[0] != "ticket"), ("ticket", ticket)]
    response = client.post(URL, data=MultiDict(body))
    assert response.status_code in ALLOWED
    assert "Traceback" not in response.get_data(as_text=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw=st.binary(max_size=2000),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json",
            "text/plain",
        ]
    ),
)
def test_any_raw_body_gets_a_page_not_a_500(fuzz_app: Flask, raw: bytes, content_type: str) -> None:
    response = fuzz_app.test_client().post(URL, data=raw, content_type=content_type)
    assert response.status_code in ALLOWED
