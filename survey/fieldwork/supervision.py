"""The supervisor's figures for one topic's fieldwork wave: quotas, dispositions, interviewers,
and the quality flags of `survey.fieldwork.quality`.

Completes are cases with final code 1.1 (each has its stored interview). An interviewer's hours
are, per Beijing calendar day, the time from the start of their first call to the end of their
last, summed over days: breaks inside a shift count, days off do not. Interview length is the
stored response's submitted_at minus started_at (the interview form was opened). Phones never
enter this module: it reads no phone column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select

from generator.content.models import Questionnaire
from generator.content.models.site import SatisfactionDefinition
from survey.fieldwork import quality
from survey.fieldwork.dispositions import CODES, COMPLETE, NOT_ATTEMPTED
from survey.fieldwork.hours import local
from survey.fieldwork.interview import PHONE, pseudonym
from survey.fieldwork.tables import Call, Case, Quota
from survey.storage.db import Database
from survey.storage.models import Response, User

MIN_RATED_HOURS = 0.25  # completes per hour are shown from a quarter of an hour's work
WORKED = ("released", "held", "final")  # cases given out to interviewers (drawn and released)


@dataclass(frozen=True)
class QuotaRow:
    """Completes against the quota of one district."""

    district: str
    target: str  # '不限' without a quota
    completes: int
    met: bool


@dataclass(frozen=True)
class InterviewerRow:
    """One interviewer's work in this wave."""

    email: str
    attempts: int
    completes: int
    hours: str
    per_hour: str
    median_minutes: str


@dataclass(frozen=True)
class FlagRow:
    """One interview a supervisor may want to check."""

    receipt: str
    interviewer: str
    minutes: str


@dataclass(frozen=True)
class EffectRow:
    """One interviewer's satisfaction rate against everyone else's."""

    interviewer: str
    n: int
    rate: str
    others_rate: str
    p_adjusted: str
    flagged: bool


@dataclass(frozen=True)
class Supervision:
    """Everything the supervisor page shows, as finished values."""

    quotas: list[QuotaRow]
    codes: list[tuple[str, str, int]]  # code, label, cases
    interviewers: list[InterviewerRow]
    median_minutes: str
    short_limit: str
    short: list[FlagRow]
    straight: list[FlagRow]
    effects: list[EffectRow]


def supervise(
    db: Database,
    questionnaire: Questionnaire,
    definition: SatisfactionDefinition,
    secret: str,
) -> Supervision:
    """The figures for `questionnaire`'s topic and wave."""
    topic, wave = questionnaire.topic, questionnaire.wave
    cases, calls, quotas, interviews, names = _load(db, topic, wave)
    alias = {pseudonym(secret, uid): email for uid, email in names.items()}
    frame = interviews_frame(interviews, alias, definition)
    median = float(frame[quality.MINUTES].median()) if not frame.empty else None
    scales = quality.scale_questions(questionnaire.questions)
    return Supervision(
        quotas=quota_rows(cases, quotas),
        codes=code_counts(cases),
        interviewers=interviewer_rows(calls, frame, names),
        median_minutes=_minutes(median),
        short_limit=_minutes(quality.SHORT_SHARE * median if median is not None else None),
        short=_flags(quality.too_short(frame)),
        straight=_flags(quality.straight_lined(frame, scales)),
        effects=_effects(quality.interviewer_effects(frame)),
    )


def _load(db: Database, topic: str, wave: str) -> tuple[Any, ...]:
    of_wave = (Case.topic == topic, Case.wave == wave)
    with db.transaction() as session:
        cases = pd.DataFrame(
            session.execute(
                select(Case.district, Case.last_code, Case.final_code).where(
                    *of_wave, Case.status.in_(WORKED)
                )
            ).all(),
            columns=["district", "last_code", "final_code"],
        )
        calls = pd.DataFrame(
            session.execute(
                select(Call.interviewer_id, Call.started_at, Call.ended_at, Call.code)
                .join(Case, Case.id == Call.case_id)
                .where(*of_wave)
            ).all(),
            columns=["interviewer_id", "started_at", "ended_at", "code"],
        )
        quota_rows = session.execute(
            select(Quota.district, Quota.target).where(Quota.topic == topic, Quota.wave == wave)
        )
        quotas = {district: target for district, target in quota_rows}
        interviews = session.scalars(
            select(Response).where(
                Response.topic == topic, Response.wave == wave, Response.mode == PHONE
            )
        ).all()
        people = session.execute(select(User.id, User.email).where(User.role == "interviewer"))
        names = {uid: email for uid, email in people}
    return cases, calls, quotas, list(interviews), names


def interviews_frame(
    rows: list[Response], alias: dict[str, str], definition: SatisfactionDefinition
) -> pd.DataFrame:
    """One row per phone interview: receipt, interviewer's email, minutes, answers, satisfied."""
    records = [
        {
            "receipt": r.receipt,
            quality.INTERVIEWER: alias.get(r.interviewer or "", "（已停用的账户）"),
            quality.MINUTES: (r.submitted_at - r.started_at).total_seconds() / 60
            if r.started_at
            else float("nan"),
            quality.ANSWERS: r.answers,
            quality.VALID: r.satisfaction not in definition.excluded,
            quality.SATISFIED: r.satisfaction in definition.satisfied,
        }
        for r in rows
    ]
    columns = ["receipt", quality.INTERVIEWER, quality.MINUTES, quality.ANSWERS]
    return pd.DataFrame(records, columns=[*columns, quality.VALID, quality.SATISFIED])


def quota_rows(cases: pd.DataFrame, quotas: dict[str, int]) -> list[QuotaRow]:
    """Every district with a quota or a case, in name order."""
    completes = cases[cases["final_code"] == COMPLETE.code].groupby("district").size()
    districts = sorted(set(quotas) | set(cases["district"]))
    return [
        QuotaRow(
            district=d,
            target=str(quotas[d]) if d in quotas else "不限",
            completes=int(completes.get(d, 0)),
            met=d in quotas and int(completes.get(d, 0)) >= quotas[d],
        )
        for d in districts
    ]


def code_counts(cases: pd.DataFrame) -> list[tuple[str, str, int]]:
    """Cases by their current disposition: final code, else last call's, else 3.11 (not called)."""
    current = cases["final_code"].fillna(cases["last_code"]).fillna(NOT_ATTEMPTED.code)
    counts = current.value_counts()
    labels = {code: d.label for code, d in CODES.items()} | {
        NOT_ATTEMPTED.code: NOT_ATTEMPTED.label
    }
    order = [*CODES, NOT_ATTEMPTED.code]
    return [(code, labels[code], int(counts[code])) for code in order if code in counts]


def interviewer_rows(
    calls: pd.DataFrame, interviews: pd.DataFrame, names: dict[int, str]
) -> list[InterviewerRow]:
    """Attempts, completes, hours, completes per hour and median length per interviewer."""
    out = []
    for uid in sorted({int(i) for i in calls["interviewer_id"]}):
        mine = calls[calls["interviewer_id"] == uid]
        email = names.get(uid, f"账户 {uid}")
        completes = int((mine["code"] == COMPLETE.code).sum())
        hours = _hours(mine)
        lengths = interviews[interviews[quality.INTERVIEWER] == email][quality.MINUTES]
        out.append(
            InterviewerRow(
                email=email,
                attempts=len(mine),
                completes=completes,
                hours=f"{hours:.1f}",
                # Under a quarter of an hour a rate means nothing (one call: thousands an hour).
                per_hour=f"{completes / hours:.1f}" if hours >= MIN_RATED_HOURS else "—",
                median_minutes=_minutes(float(lengths.median()) if len(lengths) else None),
            )
        )
    return sorted(out, key=lambda row: row.email)


def _hours(calls: pd.DataFrame) -> float:
    """Per Beijing day, first call's start to last call's end, summed (in hours)."""
    days = calls.assign(day=calls["started_at"].map(lambda t: local(t).date())).groupby("day")
    first, last = days["started_at"].min(), days["ended_at"].max()
    seconds = sum((end - start).total_seconds() for start, end in zip(first, last, strict=True))
    return float(seconds) / 3600


def _minutes(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.1f} 分钟"


def _flags(frame: pd.DataFrame) -> list[FlagRow]:
    return [
        FlagRow(r["receipt"], r[quality.INTERVIEWER], _minutes(r[quality.MINUTES]))
        for r in frame.to_dict("records")
    ]


def _effects(frame: pd.DataFrame) -> list[EffectRow]:
    return [
        EffectRow(
            interviewer=str(r[quality.INTERVIEWER]),
            n=int(r[quality.N]),
            rate=f"{r[quality.RATE]:.1%}",
            others_rate=f"{r[quality.OTHERS_RATE]:.1%}",
            p_adjusted="未检验"
            if pd.isna(r[quality.P_ADJUSTED])
            else f"{r[quality.P_ADJUSTED]:.3f}",
            flagged=bool(r[quality.FLAGGED]),
        )
        for r in frame.to_dict("records")
    ]
