"""`make shots`: screenshots of every page type at 390 and 1280 px, to look at as a person would.

Builds the shipped content into a fresh site, serves it with the survey (SQLite in a temporary
folder, one evaluator account) the way `yiti serve` does, and writes `shots/<width>/<name>.png`
with Debian's Chromium. Usage: `.venv/bin/python -m tests.site.shots [--out shots]`.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from generator.site.build import build
from generator.site.serve import combined_app
from survey.fieldwork.crypto import ENV as FIELDWORK_KEY
from survey.fieldwork.crypto import new_key
from survey.storage.repository import create_schema
from survey.cli.sample import sample_responses, sample_targets, store_sample
from survey.staff.accounts import add_user
from tests.conftest import CONTENT  # first: tests.conftest and tests.browser import each other

# isort: split
from tests.browser import CHROMIUM_ARGS, WIDTHS, chromium_path, serving
from tests.site import shots_fieldwork

ROOT = Path(__file__).resolve().parents[2]
TOPIC = "/topics/2022/old-building-elevators/"
OPEN_TOPIC, WAVE = "ebike-charging", "2026-end"  # the sample wave open for this topic
EVALUATOR, PASSWORD = "evaluator@example.org", "shots-password-1234"
SITE_PAGES = {
    "home": "/",
    "year": "/years/2024/",
    "theme": "/themes/",
    "about": "/about/",
    "topic-overview": TOPIC,
    "topic-duties": f"{TOPIC}duties/",
    "topic-procedure": f"{TOPIC}procedure/",
    "topic-flowchart": f"{TOPIC}flowchart/",
    "topic-qa": f"{TOPIC}qa/",
    "topic-monitoring": f"{TOPIC}monitoring/",
    "topic-open-survey": f"/topics/2024/{OPEN_TOPIC}/",
    "monitoring-city": "/monitoring/",
    "monitoring-ranking": "/monitoring/ranking/2024-12/",
    "not-found": "/no-such-page/",
    "survey-form": f"/survey/{OPEN_TOPIC}/{WAVE}/",
    "staff-login": "/survey/staff/login/",
}


def main() -> None:
    """Build, serve, and photograph every page type at both widths."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "shots")
    out = parser.parse_args().out
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not one line per request
    executable = chromium_path()
    if executable is None:
        raise SystemExit("需要 Debian 的 chromium：apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="yiti-shots-") as tmp:
        app, fieldwork = prepared_app(Path(tmp))
        with serving(app) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            for width_name, (width, height) in WIDTHS.items():
                folder = out / f"{width}"
                folder.mkdir(parents=True, exist_ok=True)
                context = browser.new_context(
                    viewport={"width": width, "height": height}, locale="zh-CN"
                )
                shoot_all(context.new_page(), base, folder, fieldwork)
                context.close()
                print(f"{width_name}: {folder}")
            browser.close()


def prepared_app(tmp: Path) -> tuple[Any, bool]:
    """A fresh build of content/ and the survey on a new SQLite database with one evaluator;
    and whether the sample telephone fieldwork could be stored (a wave is open today)."""
    site, key = tmp / "site", new_key()
    build(CONTENT, site, store=tmp / "store")
    config = {
        "DATABASE_URL": f"sqlite:///{tmp / 'survey.sqlite3'}",
        "SECRET_KEY": "shots-only",
        "YITI_CONTENT_DIR": str(CONTENT),
        "YITI_INSTANCE_DIR": str(tmp / "instance"),
        "YITI_MIN_FILL_SECONDS": 0,
        "YITI_QUEUE_URL": "immediate",
        FIELDWORK_KEY: key,
    }
    app = combined_app(site, config)
    state = app.mounts["/survey"].extensions["yiti_survey"]
    create_schema(state.db)
    now = datetime.now(UTC)
    add_user(state.db, EVALUATOR, "evaluator", PASSWORD, now, "cli:shots")
    for questionnaire in sample_targets(state.content, now):  # what `make run` stores
        store_sample(state.db, sample_responses(state.content, questionnaire, 300, now))
    fieldwork = shots_fieldwork.prepare(state.db, key, state.content, PASSWORD, now)
    return app, fieldwork


def shoot_all(page: Any, base: str, folder: Path, fieldwork: bool) -> None:
    """Every page type, then the pages reached by typing or links: search, form errors,
    thanks, and the evaluator's pages after logging in."""
    for name, path in SITE_PAGES.items():
        page.goto(base + path, wait_until="networkidle")
        shoot(page, folder / f"{name}.png")
    page.goto(base + "/")
    page.keyboard.press("/")
    page.keyboard.insert_text("电梯")  # as an input method commits it: no key events
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    shoot(page, folder / "search-results.png", full_page=False)
    page.goto(base + f"/survey/{OPEN_TOPIC}/{WAVE}/")
    page.locator("form button[type=submit]").last.click()
    shoot(page, folder / "survey-errors.png")
    fill_survey(page)
    page.wait_for_url("**/thanks/**")
    shoot(page, folder / "survey-thanks.png")
    page.goto(base + "/survey/staff/login/")
    page.fill("input[name=email]", EVALUATOR)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    shoot(page, folder / "staff-home.png")
    shoot_staff(page, folder)
    page.context.clear_cookies()
    if fieldwork:  # a wave is open today: the interviewer's and supervisor's pages too

        def named(name: str) -> None:
            shoot(page, folder / f"{name}.png")

        shots_fieldwork.shoot_interviewer(page, base, PASSWORD, named)
        shots_fieldwork.shoot_supervisor(page, base, PASSWORD, named)
        page.context.clear_cookies()


# The evaluator's pages, each reached by a link from the one before (as a person would).
STAFF_LINKS = {
    "staff-wave": "main a >> text=2024 年年底",
    "staff-topic": "main a >> text=餐饮油烟治理",
    "staff-downloads": "nav a >> text=下载答卷数据",
}


def shoot_staff(page: Any, folder: Path) -> None:
    """From the staff home: a wave's table, a topic's results (mid-year to year-end), downloads."""
    for name, link in STAFF_LINKS.items():
        page.locator(link).first.click()
        page.wait_for_load_state("networkidle")
        shoot(page, folder / f"{name}.png")


def fill_survey(page: Any) -> None:
    """Answer every required question: the first choice of each group, the first street."""
    for name in page.evaluate(
        "[...new Set([...document.querySelectorAll('input[type=radio]')].map(e => e.name))]"
    ):
        page.locator(f"input[type=radio][name='{name}']").first.check()
    for select in page.locator("select").all():
        options = select.locator("option:not([value=''])")
        if options.count():
            select.select_option(options.first.get_attribute("value"))
    page.locator("form button[type=submit]").last.click()


def shoot(page: Any, path: Path, full_page: bool = True) -> None:
    """One PNG of the page as it is now."""
    page.screenshot(path=str(path), full_page=full_page)


if __name__ == "__main__":
    main()
