"""The telephone fieldwork pages for `make shots`: what `make run` stores (the sample frame,
drawn and released), an interviewer working a case to a finished interview, the supervisor's
pages and the evaluator's response rates, each reached by links as a person would."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from generator.content.loader import Content
from survey.storage.db import Database
from survey.fieldwork.crypto import PhoneCipher
from survey.fieldwork.sample_data import sample_wave, store_sample_fieldwork
from survey.staff.accounts import add_user

INTERVIEWER, SUPERVISOR = "caller@example.org", "supervisor@example.org"


def prepare(db: Database, key: str, content: Content, password: str, now: datetime) -> bool:
    """The sample frame and two accounts; False when no wave is open now (nothing to show)."""
    if sample_wave(content, now) is None:
        return False
    store_sample_fieldwork(db, PhoneCipher(key), content, now, "cli:shots")
    add_user(db, INTERVIEWER, "interviewer", password, now, "cli:shots")
    add_user(db, SUPERVISOR, "supervisor", password, now, "cli:shots")
    return True


def log_in(page: Any, base: str, email: str, password: str) -> None:
    """The staff login form, as a person fills it."""
    page.context.clear_cookies()
    page.goto(base + "/survey/staff/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def shoot_interviewer(page: Any, base: str, password: str, shoot: Any) -> None:
    """Home, start, a case, the interview with its script, and the saved notice."""
    log_in(page, base, INTERVIEWER, password)
    shoot("fieldwork-calls")
    page.locator("main a").first.click()
    shoot("fieldwork-start")
    page.click("button:has-text('下一个个案')")
    page.wait_for_url("**/cases/*/")
    shoot("fieldwork-case")
    page.click("a:has-text('开始访问')")
    page.wait_for_url("**/interview")
    shoot("fieldwork-interview")
    page.check("label:has-text('同意，开始访问')")
    for name in page.evaluate(
        "[...new Set([...document.querySelectorAll('input[type=radio]')].map(e => e.name))]"
    ):
        if name != "consent":
            page.locator(f"input[type=radio][name='{name}']").first.check()
    page.click("button:has-text('保存访问')")
    page.wait_for_load_state("networkidle")
    shoot("fieldwork-saved")


def shoot_supervisor(page: Any, base: str, password: str, shoot: Any) -> None:
    """The supervisor's list of waves and one wave's figures."""
    log_in(page, base, SUPERVISOR, password)
    shoot("fieldwork-supervision-index")
    page.locator("main a").first.click()
    page.wait_for_load_state("networkidle")
    shoot("fieldwork-supervision")
