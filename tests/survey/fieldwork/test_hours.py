"""Calling hours and the spreading rule, with fixed times (Beijing = UTC+8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from survey.fieldwork.hours import BEIJING, in_calling_hours, part_of_day, spread_after


@dataclass
class Hours:
    calling_from: str = "09:00"
    calling_until: str = "21:00"


def beijing(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in November 2026 given in Beijing, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


def test_calling_hours_include_the_start_and_exclude_the_end() -> None:
    assert in_calling_hours(Hours(), beijing(27, 9))
    assert not in_calling_hours(Hours(), beijing(27, 8, 59))
    assert in_calling_hours(Hours(), beijing(27, 20, 59))
    assert not in_calling_hours(Hours(), beijing(27, 21))


def test_a_calling_day_may_run_to_midnight_as_the_settings_allow() -> None:
    # `fieldwork open --hours 00:00-24:00` is accepted (make run's sample wave uses it); the
    # start page once answered 500 on it ("hour must be in 0..23").
    whole_day = Hours("00:00", "24:00")
    assert in_calling_hours(whole_day, beijing(27, 0))
    assert in_calling_hours(whole_day, beijing(27, 23, 59))
    evening = Hours("18:00", "24:00")
    assert not in_calling_hours(evening, beijing(27, 17, 59))
    after = spread_after(evening, beijing(27, 21))
    assert after == beijing(28, 18)  # another part of the day is impossible: next evening


def test_parts_of_the_day_are_read_in_beijing_time() -> None:
    assert part_of_day(beijing(27, 11, 59)) == "上午"
    assert part_of_day(beijing(27, 12)) == "下午"
    assert part_of_day(beijing(27, 18)) == "晚上"


@pytest.mark.parametrize(
    ("called", "expected"),
    [
        # morning no-answer: 3 hours later is 13:00, already the afternoon
        (beijing(27, 10), beijing(27, 13)),
        # 09:00 + 3 h is 12:00 sharp: the afternoon has begun
        (beijing(27, 9), beijing(27, 12)),
        # 11:30: 14:30 is the afternoon, another part
        (beijing(27, 11, 30), beijing(27, 14, 30)),
        # afternoon: 3 hours later is 17:00, still afternoon; the evening starts at 18:00
        (beijing(27, 14), beijing(27, 18)),
        # evening: nothing left today; tomorrow morning at the start of calling hours
        (beijing(27, 19), beijing(28, 9)),
    ],
)
def test_after_no_contact_the_next_attempt_is_in_another_part_of_the_day(
    called: datetime, expected: datetime
) -> None:
    assert spread_after(Hours(), called) == expected


def test_calling_hours_in_one_part_of_the_day_allow_that_part_again_three_hours_on() -> None:
    mornings = Hours("08:00", "11:30")
    assert spread_after(mornings, beijing(27, 8)) == beijing(27, 11)
    assert spread_after(mornings, beijing(27, 10)) == beijing(28, 8)
