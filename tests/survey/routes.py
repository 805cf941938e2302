"""Every route of the survey app, as each kind of visitor: the machinery of the access test
(tests/survey/test_access.py) and the security-header test (tests/survey/test_security.py).

Two topics get one response each whose comment is a unique marker, and each probe fills a
rule's parameters from one of them; a reply is read as text whatever its format (pages, CSV,
XLSX, SAV), so a marker cannot hide in a compressed download.
"""

from __future__ import annotations

import io
import itertools
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyreadstat
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from survey.fieldwork.cases import display_phone
from survey.fieldwork.crypto import PhoneCipher, new_key
from survey.fieldwork.tables import Case, FieldworkWave
from survey.jobs import current_jobs, store, work
from survey.storage.models import User
from survey.storage.repository import Submission, responses, save_response
from tests.survey.conftest import (
    ANSWERS,
    INVITED_TOPIC,
    NOW,
    TOPIC,
    WAVE,
    CheckingClient,
    add_staff,
    log_in,
    state_of,
)
from tests.survey.fieldwork.seeding import KEY, Spec, add_cases, add_wave, phone_of

TOPIC_A, TOPIC_B = TOPIC, INVITED_TOPIC  # the evaluator is scoped to A; B is the other one
TITLE_B = "文明养犬"
MARKERS = {TOPIC_A: "LEAKMARK-A-7f3c91", TOPIC_B: "LEAKMARK-B-2d84e6"}
# Download formats that carry responses (and so the markers), then those that describe them.
DATA_FORMATS = ("csv", "csv-utf8", "xlsx", "sav")
DISPOSITION_FORMATS = ("dispositions", "dispositions-utf8", "dispositions-codebook")
FORMATS = (*DATA_FORMATS, "codebook", "manifest", *DISPOSITION_FORMATS)
# Each topic has telephone fieldwork with one case; its phone (and the phone's lookup hash) must
# never reach anyone through these routes: no export, page or download carries a phone.
PHONES = {TOPIC_A: phone_of(0), TOPIC_B: phone_of(1)}
PHONE_MARKERS = (*PHONES.values(), *(PhoneCipher(KEY).lookup(p) for p in PHONES.values()))
ALL = "all"  # the downloads' slug for every topic the account may see
# Who may use each blueprint; any other logged-in role gets 403. None is the static endpoint.
PUBLIC = {None, "respondents", "auth"}
ROLES_OF = {
    "evaluators": {"admin", "evaluator"},
    "downloads": {"admin", "evaluator"},
    "admin": {"admin"},
    "auditors": {"auditor"},
    "interviewers": {"interviewer"},
    "supervisors": {"supervisor"},
}
EMAILS = {
    "evaluator": "scoped@example.org",
    "auditor": "auditor@example.org",
    "admin": "admin@example.org",
    "interviewer": "caller@example.org",
    "supervisor": "supervisor@example.org",
}
# Roles limited to topic A (`--topics`); the others see every topic they may see at all.
SCOPED = ("evaluator", "interviewer", "supervisor")
# Fieldwork cases (seed_fieldwork): the interviewer's own held case in A, another interviewer's
# in A, and another's in B; each phone, as stored and as the case page shows it, is a marker.
CASE_PHONES = {"mine": "+8619900001111", "other": "+8619900002222", "B": "+8619900003333"}
FIELDWORK_KEY = new_key()
LOGIN = "/staff/login/"
# Every query parameter a staff view reads, with a value other than its default: another
# format's manifest, the weighted figures, the second page of a list. Sent with every GET too,
# so a parameter that widened the scope would be caught like a path parameter.
QUERY = "of=csv-utf8&weighting=district_population&page=2&action=download"
# Sent with every POST besides the CSRF token: enough for a staff form to pass validation, so
# what stops a POST for someone out of scope is the scope check, not a missing field.
POST_FIELDS = {"reason": "访问控制测试（自动）", "page": "1"}


@dataclass(frozen=True)
class Seeded:
    """The seeded responses: id and receipt per topic."""

    ids: dict[str, int]
    receipts: dict[str, str]


def seed(app: Flask) -> Seeded:
    """One response per topic, stored as the survey stores them, its comment the topic's marker."""
    state = state_of(app)
    common = ANSWERS | {"street_name": "万寿路街道"}  # beside the code, as `submit` stores it
    answers = {
        TOPIC_A: common | {"comment": f"充电桩 {MARKERS[TOPIC_A]}"},
        TOPIC_B: {k: v for k, v in common.items() if k != "charging_distance"}
        | {"leash": "多数拴绳", "comment": f"遛狗 {MARKERS[TOPIC_B]}"},
    }
    for topic, given in answers.items():
        questionnaire = state.content.questionnaires.for_wave(topic, WAVE)
        assert questionnaire is not None
        submission = Submission(
            uuid.uuid4().hex, topic, WAVE, questionnaire.version, "link", given, NOW
        )
        save_response(state.db, submission)
    stored = {topic: responses(state.db, topic, WAVE)[0] for topic in answers}
    for first, topic in enumerate(PHONES):
        add_wave(state.db, topic, WAVE)
        add_cases(state.db, topic, WAVE, [Spec("海淀区", final_code="1.1")], first=first)
    return Seeded(
        ids={topic: row.id for topic, row in stored.items()},
        receipts={topic: row.receipt for topic, row in stored.items()},
    )


def seed_jobs(app: Flask) -> dict[str, str]:
    """Finished background downloads by probe: the admin's of B and of all topics, and the
    scoped evaluator's of A. A job is its owner's alone: nobody else may read it."""
    jobs = current_jobs(app)
    owners = {"B": (EMAILS["admin"], TOPIC_B), "all": (EMAILS["admin"], ALL)}
    owners["A"] = (EMAILS["evaluator"], TOPIC_A)
    out = {}
    for probe, (email, slug) in owners.items():
        topics = (TOPIC_A, TOPIC_B) if slug == ALL else (slug,)
        asked = store.Asked(email, WAVE, slug, topics, "xlsx", NOW)
        out[probe] = store.create(jobs.state.db, asked).id
        work.run(jobs.state, jobs.folder, out[probe])
    return out


# Job ids for callers that seed no jobs (the header checks): every job route answers 404.
NO_JOBS = {"A": "no-such-job", "B": "no-such-job", "all": "no-such-job"}
NO_CASES = {"mine": 0, "other": 0, "B": 0}  # case ids for callers that seed no fieldwork


def phone_markers(which: Iterable[str]) -> list[str]:
    """The phones of these seeded cases, as stored digits and as the case page shows them."""
    out = []
    for name in which:
        out += [CASE_PHONES[name].removeprefix("+86"), display_phone(CASE_PHONES[name])]
    return out


def seed_fieldwork(app: Flask) -> dict[str, int]:
    """Fieldwork in both topics' waves and three held cases (see CASE_PHONES); after `visitors`,
    whose interviewer holds "mine". Returns the case ids by name."""
    from survey.staff.accounts import add_user

    db = state_of(app).db
    other = add_user(db, "other-caller@example.org", "interviewer", "x" * 12, NOW, "cli:test")
    cipher = PhoneCipher(app.config["YITI_FIELDWORK_KEY"])
    with db.transaction() as session:
        me = session.scalar(select(User.id).where(User.email == EMAILS["interviewer"]))
        for topic in (TOPIC_A, TOPIC_B):  # merge: another seed may have opened them already
            session.merge(FieldworkWave(topic=topic, wave=WAVE, opened_at=NOW - timedelta(days=1)))
        holders = {"mine": (TOPIC_A, me), "other": (TOPIC_A, other.id), "B": (TOPIC_B, other.id)}
        rows = {
            name: Case(
                topic=topic,
                wave=WAVE,
                contact_id=name,
                phone_token=cipher.encrypt(CASE_PHONES[name]),
                phone_key=cipher.lookup(CASE_PHONES[name]),
                district="海淀区",
                street=None,
                attributes={},
                batch="access",
                replicate=1,
                status="held",
                attempts=0,
                holder_id=holder,
                held_since=NOW,
            )
            for name, (topic, holder) in holders.items()
        }
        session.add_all(rows.values())
        session.flush()
        return {name: row.id for name, row in rows.items()}


def value_sets(
    seeded: Seeded, jobs: Mapping[str, str] = NO_JOBS, cases: Mapping[str, int] = NO_CASES
) -> dict[str, dict[str, Any]]:
    """Parameter values per probe. A tuple means: try each. A parameter missing here fails the
    test, so a new kind of route cannot go unchecked."""
    base: dict[str, Any] = {"wave": WAVE, "fmt": FORMATS, "filename": "survey.css"}

    def topic(slug: str, response_of: str) -> dict[str, Any]:
        receipt = seeded.receipts.get(slug, seeded.receipts[response_of])
        mine = (slug, response_of) == (TOPIC_A, TOPIC_A)
        job = jobs["A"] if mine else jobs.get(slug, jobs["B"])
        case = cases["mine"] if mine else cases["B" if slug == TOPIC_B else "other"]
        ids = {"response_id": seeded.ids[response_of], "job_id": job, "case_id": case}
        return base | {"slug": slug, "receipt": receipt} | ids

    return {
        "B": topic(TOPIC_B, TOPIC_B),  # the other topic, through and through
        "A with B's response": topic(TOPIC_A, TOPIC_B),  # A's URL, B's response id
        "all": topic(ALL, TOPIC_B),  # every topic the account may see
        "A": topic(TOPIC_A, TOPIC_A),  # in scope: the evaluator must see A here
    }


@dataclass(frozen=True)
class Call:
    """One request the test makes: a rule, a method, a URL and the probe that filled it."""

    rule: Rule
    method: str
    url: str
    probe: str
    values: Mapping[str, Any]

    @property
    def blueprint(self) -> str | None:
        """The rule's blueprint (None for the app's own static route)."""
        return self.rule.endpoint.rpartition(".")[0] or None


def calls(app: Flask, probes: Mapping[str, Mapping[str, Any]]) -> list[Call]:
    """Every rule × method × probe × value combination; logout last (it ends the session)."""
    out: list[Call] = []
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule))
    for rule in rules:
        methods = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
        if methods - {"GET", "POST"}:
            pytest.fail(f"{rule.rule} takes {sorted(methods)}: teach the access test to send them")
        for probe, values in probes.items():
            unknown = set(rule.arguments) - set(values)
            if unknown:
                pytest.fail(f"{rule.rule}: the access test cannot fill {sorted(unknown)}")
            for filled in combinations(values, sorted(rule.arguments)):
                with app.test_request_context():
                    url = app.url_for(rule.endpoint, **filled)
                out += [Call(rule, m, url, probe, filled) for m in sorted(methods)]
                if "GET" in methods:  # the query strings staff views read, all at once
                    out.append(Call(rule, "GET", f"{url}?{QUERY}", probe, filled))
    # A URL that no probe changes (no parameters, or the same values) is requested once.
    unique = {(c.method, c.url): c for c in reversed(out)}
    return [c for c in out if unique[(c.method, c.url)] is c]


def combinations(values: Mapping[str, Any], names: list[str]) -> Iterator[dict[str, Any]]:
    """Each combination of the named parameters' values (tuples are alternatives)."""
    options = [v if isinstance(v, tuple) else (v,) for v in (values[n] for n in names)]
    for chosen in itertools.product(*options):
        yield dict(zip(names, chosen, strict=True))


def readable(response: TestResponse) -> str:
    """Everything a reply says, as text: pages, CSV and JSON as they are; XLSX (and any zip)
    unpacked; SPSS files read back; so a marker cannot hide in a compressed download."""
    body = response.get_data()
    response.close()
    return text_of(body)


def text_of(body: bytes) -> str:
    """The text inside `body`, whatever the file format."""
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(text_of(archive.read(name)) for name in archive.namelist())
    if body[:4] in (b"$FL2", b"$FL3"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "data.sav"
            path.write_bytes(body)
            frame, meta = pyreadstat.read_sav(str(path))
        return frame.to_csv() + repr(meta.column_labels) + repr(meta.variable_value_labels)
    return body.decode("utf-8", errors="replace")


@dataclass
class Visitor:
    """A client as one role (or anonymous), with a CSRF token valid for its session."""

    role: str
    client: FlaskClient
    token: str = ""
    seen: list[tuple[Call, int, str]] = field(default_factory=list)

    def refresh_token(self) -> None:
        """A token from the page the login URL leads to (the login form, or a staff page whose
        logout form carries one), so CSRF is never what stops a POST."""
        page = CheckingClient(self.client).get(LOGIN, follow_redirects=True)
        self.token = page.hidden("csrf_token")

    def send(self, call: Call) -> tuple[int, str, TestResponse]:
        """Make `call`; POSTs carry the CSRF token and the usual staff form fields."""
        data = POST_FIELDS | {"csrf_token": self.token} if call.method == "POST" else None
        response = self.client.open(call.url, method=call.method, data=data)
        text = readable(response)
        self.seen.append((call, response.status_code, text))
        return response.status_code, text, response


def visitors(app: Flask) -> dict[str, Visitor]:
    """An anonymous visitor and one logged-in visitor per role."""
    add_staff(app, EMAILS["evaluator"], "evaluator", (TOPIC_A,))
    add_staff(app, EMAILS["auditor"], "auditor")
    add_staff(app, EMAILS["admin"], "admin")
    out = {"anonymous": Visitor("anonymous", app.test_client())}
    for role, email in EMAILS.items():
        if role in SCOPED and role != "evaluator":
            add_staff(app, email, role, (TOPIC_A,))
        checking = CheckingClient(app.test_client())
        log_in(checking, email)
        out[role] = Visitor(role, checking.client)
    for visitor in out.values():
        visitor.refresh_token()
    return out


def replies(
    people: Iterable[Visitor], todo: list[Call]
) -> Iterator[tuple[Visitor, Call, TestResponse, str]]:
    """Each visitor makes each call in turn; a logout ends the session, so a fresh CSRF token
    is fetched after it (logout comes last: the rest of the calls are few and anonymous)."""
    for visitor in people:
        for call in todo:
            _, text, response = visitor.send(call)
            yield visitor, call, response, text
            if call.rule.endpoint == "auth.logout":
                visitor.refresh_token()
