"""A wave's fieldwork: open it with calling hours and an attempt cap, close it, report its state.

Opening is what lets the sample be drawn and released; closing stops the calling and makes
the wave's phones due for `yiti survey purge`. Each act is audited with its settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from generator.content.loader import Content
from generator.errors import YitiError
from survey.fieldwork.tables import Case, FieldworkWave, Quota
from survey.storage.audit import record
from survey.storage.db import Database

HOURS: Final = re.compile(r"^\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-4]):([0-5]\d)\s*$")
DEFAULT_HOURS: Final = "09:00-21:00"
DEFAULT_ATTEMPTS: Final = 6


class FieldworkError(YitiError):
    """A fieldwork act that the wave's state or the command's values do not allow."""


def require_topic_wave(content: Content, topic: str, wave: str) -> None:
    """Refuse a topic or wave that the content does not have, naming the ones it has."""
    found = next((t for t in content.topics if t.slug == topic), None)
    if found is None:
        raise FieldworkError(f"没有议题 {topic}（请用议题的 slug，例如 ebike-charging）")
    if wave not in found.waves:
        waves = "、".join(found.waves) or "无"
        raise FieldworkError(f"议题 {topic} 不参加 {wave} 调查；它的批次为：{waves}")


def parse_hours(text: str) -> tuple[str, str]:
    """`09:00-21:00` → ("09:00", "21:00"); refused unless the start is before the end."""
    match = HOURS.match(text)
    if match is None:
        raise FieldworkError(f"--hours {text}：请写成 09:00-21:00（北京时间，24 小时制）")
    start, end = f"{match[1]}:{match[2]}", f"{match[3]}:{match[4]}"
    if end > "24:00" or start >= end:
        raise FieldworkError(f"--hours {text}：开始时间应早于结束时间（不跨午夜）")
    return start, end


def wave_row(session: Session, topic: str, wave: str) -> FieldworkWave | None:
    """The wave's fieldwork settings, if it was ever opened."""
    return session.get(FieldworkWave, (topic, wave))


def require_open(session: Session, topic: str, wave: str) -> FieldworkWave:
    """The wave's fieldwork row, refused unless it is open now."""
    row = wave_row(session, topic, wave)
    if row is None:
        raise FieldworkError(
            f"{topic} {wave} 的电话调查尚未开始：先运行 yiti survey fieldwork open"
        )
    if row.closed_at is not None:
        raise FieldworkError(f"{topic} {wave} 的电话调查已结束，不能再抽样或发放")
    return row


def open_fieldwork(
    db: Database, topic: str, wave: str, hours: str, attempts: int, at: datetime, actor: str
) -> FieldworkWave:
    """Open the wave's calling (or change the hours and cap of an open one); audited."""
    start, end = parse_hours(hours)
    if attempts < 1:
        raise FieldworkError("--max-attempts 至少为 1")
    with db.transaction() as session:
        row = wave_row(session, topic, wave)
        if row is not None and row.purged_at is not None:
            raise FieldworkError(f"{topic} {wave} 的号码已删除，电话调查不能重新开始")
        if row is None:
            row = FieldworkWave(topic=topic, wave=wave, opened_at=at)
            session.add(row)
        row.calling_from, row.calling_until, row.max_attempts = start, end, attempts
        row.closed_at = None
        detail = {"hours": f"{start}-{end}", "max_attempts": attempts}
        record(session, at, actor, "fieldwork.open", f"{topic}/{wave}", detail)
    return row


def close_fieldwork(db: Database, topic: str, wave: str, at: datetime, actor: str) -> int:
    """Close an open wave's calling; returns how many cases were still unresolved. Audited."""
    with db.transaction() as session:
        row = require_open(session, topic, wave)
        row.closed_at = at
        open_cases = session.scalar(
            select(func.count(Case.id)).where(
                Case.topic == topic, Case.wave == wave, Case.status.in_(("released", "held"))
            )
        )
        detail = {"unresolved_cases": int(open_cases or 0)}
        record(session, at, actor, "fieldwork.close", f"{topic}/{wave}", detail)
    return int(open_cases or 0)


@dataclass(frozen=True)
class Status:
    """What `fieldwork status` shows: settings, and case counts by district and status."""

    wave: FieldworkWave | None
    counts: dict[str, dict[str, int]]  # district → status → cases
    quotas: dict[str, int]  # district → completes wanted


def status(db: Database, topic: str, wave: str) -> Status:
    """The wave's fieldwork settings and its cases counted by district and status."""
    with db.transaction() as session:
        row = wave_row(session, topic, wave)
        found = session.execute(
            select(Case.district, Case.status, func.count(Case.id))
            .where(Case.topic == topic, Case.wave == wave)
            .group_by(Case.district, Case.status)
        )
        counts: dict[str, dict[str, int]] = {}
        for district, state, n in found:
            counts.setdefault(str(district), {})[str(state)] = int(n)
        quotas = session.execute(
            select(Quota.district, Quota.target).where(Quota.topic == topic, Quota.wave == wave)
        )
        return Status(row, counts, {str(d): int(t) for d, t in quotas})
