"""Calling hours and the spreading rule, in Beijing time, as pure functions of a wave and a time.

Interviewers may call only inside the wave's calling hours (`calling_from`–`calling_until`,
Asia/Shanghai). Someone who does not answer at 10:00 on a workday is likely at work every
morning, so after a no-answer, busy line or answering machine the next attempt goes to another
part of the day (morning before 12:00, afternoon 12:00–18:00, evening from 18:00) and not sooner
than `SPREAD_HOURS` later: the earliest moment that satisfies both, inside calling hours. Only
when the calling hours lie wholly in one part of the day (e.g. 09:00–11:30) is the same part
allowed again, still `SPREAD_HOURS` later.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from survey.waves import as_utc

BEIJING: Final = ZoneInfo("Asia/Shanghai")
SPREAD_HOURS: Final = 3  # hours between a no-contact attempt and the next one, at least
# Codes after which the next attempt is spread to another part of the day (no contact made).
SPREAD_CODES: Final = frozenset({"3.12", "3.13", "3.14"})
# Parts of the day by local start hour: morning, afternoon, evening.
PARTS: Final = (("上午", 0), ("下午", 12), ("晚上", 18))
_LOOK_AHEAD_DAYS: Final = 8


class Hours(Protocol):
    """What the rules read of a wave: its calling hours as local HH:MM."""

    calling_from: str
    calling_until: str


def minutes(text: str) -> int:
    """`HH:MM` → minutes after local midnight. The wave's settings are written this way, and a
    calling day may end at `24:00` (`fieldwork open --hours 00:00-24:00`), which no `time` can
    hold."""
    hour, minute = text.split(":")
    return int(hour) * 60 + int(minute)


def local(moment: datetime) -> datetime:
    """`moment` in Beijing time."""
    return as_utc(moment).astimezone(BEIJING)


def part_of_day(moment: datetime) -> str:
    """上午, 下午 or 晚上 for `moment`, read in Beijing time."""
    hour = local(moment).hour
    return [name for name, start in PARTS if hour >= start][-1]


def in_calling_hours(wave: Hours, moment: datetime) -> bool:
    """Whether `moment` lies inside the wave's calling hours (start included, end excluded)."""
    now = local(moment)
    at = now.hour * 60 + now.minute + (now.second + now.microsecond / 1e6) / 60
    return minutes(wave.calling_from) <= at < minutes(wave.calling_until)


def _windows(wave: Hours, day: date) -> list[tuple[str, datetime, datetime]]:
    """The parts of the day `day` that lie inside calling hours, as (part, start, end) in UTC."""
    start, end = minutes(wave.calling_from), minutes(wave.calling_until)
    bounds = [start_hour * 60 for _, start_hour in PARTS] + [24 * 60]
    midnight = datetime.combine(day, time(0), BEIJING)  # Beijing keeps no summer time
    out = []
    for (name, _), low, high in zip(PARTS, bounds, bounds[1:], strict=False):
        opens, closes = max(start, low), min(end, high)
        if opens < closes:
            begin = (midnight + timedelta(minutes=opens)).astimezone(UTC)
            out.append((name, begin, (midnight + timedelta(minutes=closes)).astimezone(UTC)))
    return out


def spread_after(wave: Hours, called_at: datetime) -> datetime:
    """When a case may be called again after a no-contact call at `called_at` (the rule above)."""
    earliest = called_at + timedelta(hours=SPREAD_HOURS)
    last_part = part_of_day(called_at)
    first_day = local(called_at).date()
    windows = [
        window
        for offset in range(_LOOK_AHEAD_DAYS)
        for window in _windows(wave, first_day + timedelta(days=offset))
        if window[2] > earliest
    ]
    if not windows:  # calling hours empty (from ≥ until): nothing later is callable either
        return earliest.astimezone(UTC)
    other = [w for w in windows if w[0] != last_part]
    chosen = other[0] if other else windows[0]
    return max(chosen[1], earliest).astimezone(UTC)


def hours_label(wave: Hours) -> str:
    """The calling hours as interviewers read them, e.g. 每天 09:00–21:00（北京时间）."""
    return f"每天 {wave.calling_from}–{wave.calling_until}（北京时间）"
