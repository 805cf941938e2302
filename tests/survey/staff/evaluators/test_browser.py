"""The results pages in real Chromium: axe-core finds no WCAG 2.1 A/AA violation on the list of
waves, the downloads page, the wave table, the topic page (weighted and not, with telephone
fieldwork) and the response list, at desktop and phone width."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from survey.cli.sample import sample_responses, store_sample
from tests.browser import (
    WIDTHS,
    assert_one_heading,
    axe_violations,
    describe,
    serving,
    under_survey,
)
from tests.survey.conftest import NOW, PASSWORD, TOPIC, WAVE, Clock, add_staff, make_app, state_of
from tests.survey.fieldwork.seeding import add_cases, add_response, add_wave
from tests.survey.staff.evaluators.conftest import EVALUATOR, Answer, literal_set, many, seed
from tests.survey.staff.evaluators.test_fieldwork import SPECS

pytestmark = pytest.mark.browser

RESULTS = f"/survey/staff/results/{WAVE}/"
PAGES = {
    "waves": "/survey/staff/results/",
    "downloads": "/survey/staff/downloads/",
    "wave": RESULTS,
    "topic": f"{RESULTS}{TOPIC}/",
    "topic-unweighted": f"{RESULTS}{TOPIC}/?weighting=none",
    "responses": f"{RESULTS}{TOPIC}/responses/",
    "large-download": f"/survey/staff/downloads/{WAVE}/{TOPIC}.xlsx",  # offers the worker
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with seeded responses and an evaluator, served on 127.0.0.1 under /survey."""
    tmp = Path(tmp_path_factory.mktemp("results"))
    app = make_app(
        f"sqlite:///{tmp / 'survey.sqlite3'}",
        tmp,
        Clock(),
        TESTING=False,
        YITI_EXPORT_INLINE_ROWS=0,  # every XLSX goes through the background job's pages
    )
    commented = [Answer("满意", comment="楼下新装了充电桩", went_well=("反馈及时",))]
    seed(app, literal_set() + commented + many(2, "不满意", flags=("too_fast",)))
    # Every district answered, so the topic page shows its weighted table with an interval.
    names = [d.name for d in state_of(app).content.directory.districts]
    seed(app, [Answer(level, district=name) for name in names for level in ("满意", "不满意")])
    # Telephone fieldwork: the AAPOR rates, dispositions, the mode split and an RR3 column.
    db = state_of(app).db
    add_wave(db, TOPIC, WAVE)
    add_cases(db, TOPIC, WAVE, SPECS)
    for level in ("满意", "基本满意", "不满意", "说不清"):
        add_response(db, TOPIC, WAVE, "phone", satisfaction=level)
    add_staff(app, EVALUATOR, "evaluator")
    with serving(under_survey(app)) as base:
        yield base
    state_of(app).db.dispose()


@pytest.fixture(params=list(WIDTHS), scope="module")
def signed_in(request: pytest.FixtureRequest, browser: Any, server: str) -> Iterator[Any]:
    """A page at each width, logged in as the evaluator through the login form."""
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.goto(server + "/survey/staff/login/")
    page.fill("input[name=email]", EVALUATOR)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/results/")
    yield page
    context.close()


@pytest.mark.parametrize("path", list(PAGES.values()), ids=list(PAGES))
def test_no_accessibility_violations_on_results_pages(
    signed_in: Any, server: str, path: str
) -> None:
    signed_in.goto(server + path)
    assert_one_heading(signed_in)
    violations = axe_violations(signed_in)
    assert not violations, describe(violations)


def test_a_background_download_is_asked_for_and_followed_accessibly(
    signed_in: Any, server: str
) -> None:
    signed_in.goto(server + PAGES["large-download"])
    signed_in.get_by_role("button", name="开始在后台生成").press("Enter")  # keyboard only
    signed_in.wait_for_url("**/staff/downloads/jobs/*/")
    assert signed_in.get_by_text("可以下载").count() == 1  # the test queue builds it at once
    assert signed_in.get_by_role("link", name=f"下载 {TOPIC}-{WAVE}.xlsx").count() == 1
    violations = axe_violations(signed_in)
    assert not violations, describe(violations)


@pytest.mark.parametrize("path", list(PAGES.values()), ids=list(PAGES))
def test_wide_tables_scroll_inside_their_region_not_the_page(
    signed_in: Any, server: str, path: str
) -> None:
    signed_in.goto(server + path)
    width = signed_in.viewport_size["width"]
    assert signed_in.evaluate("document.documentElement.scrollWidth") <= width


def test_the_wave_table_fits_a_desktop_screen_with_every_column_in_view(
    signed_in: Any, server: str
) -> None:
    signed_in.goto(server + PAGES["wave"])
    if signed_in.viewport_size["width"] < WIDTHS["desktop"][0]:
        # On a phone the table scrolls inside its region by design: the page itself must not.
        width = signed_in.viewport_size["width"]
        assert signed_in.evaluate("document.documentElement.scrollWidth") <= width
        return
    region = signed_in.locator(".table-scroll").first
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert signed_in.get_by_role("columnheader", name="已排除").is_visible()


def test_the_chart_is_drawn_with_its_colours_under_the_strict_csp(
    signed_in: Any, server: str
) -> None:
    errors: list[str] = []
    signed_in.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    signed_in.goto(server + PAGES["topic"])
    bar = signed_in.locator("svg.yiti-chart rect[fill='#1f4e8c']").first
    assert bar.evaluate("e => getComputedStyle(e).fill") == "rgb(31, 78, 140)"
    assert signed_in.locator("svg.yiti-chart").bounding_box()["width"] > 300
    assert not errors, errors


def test_a_refused_exclusion_shows_its_error_accessibly(signed_in: Any, server: str) -> None:
    signed_in.goto(server + PAGES["responses"])
    signed_in.locator("details.exclude summary").first.click()
    signed_in.locator("details.exclude button[type=submit]").first.click()
    error = signed_in.locator("p.error")
    assert error.inner_text() == "错误：请填写排除理由"
    assert signed_in.locator("textarea[aria-invalid=true]").is_visible()
    violations = axe_violations(signed_in)
    assert not violations, describe(violations)


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app holding `make run`'s sample answers to the topic (1200, every district, with
    four-digit counts), whose weighted table is the widest the topic page shows."""
    tmp = Path(tmp_path_factory.mktemp("sample"))
    app = make_app(f"sqlite:///{tmp / 'survey.sqlite3'}", tmp, Clock(), TESTING=False)
    state = state_of(app)
    questionnaire = state.content.questionnaires.for_wave(TOPIC, WAVE)
    assert questionnaire is not None
    store_sample(state.db, sample_responses(state.content, questionnaire, 1200, NOW))
    # Telephone fieldwork: the AAPOR rates, dispositions, the mode split and an RR3 column.
    db = state_of(app).db
    add_wave(db, TOPIC, WAVE)
    add_cases(db, TOPIC, WAVE, SPECS)
    for level in ("满意", "基本满意", "不满意", "说不清"):
        add_response(db, TOPIC, WAVE, "phone", satisfaction=level)
    add_staff(app, EVALUATOR, "evaluator")
    with serving(under_survey(app)) as base:
        yield base
    state.db.dispose()


def test_the_weighted_sample_results_fit_a_phone_screen(browser: Any, sample_server: str) -> None:
    width, height = WIDTHS["phone"]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.goto(sample_server + "/survey/staff/login/")
    page.fill("input[name=email]", EVALUATOR)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/results/")
    page.goto(sample_server + PAGES["topic"])
    assert page.locator("table.weighted").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
