"""Which wave is open: a pure function of the calendar, the topic and a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from generator.content.loader import load_content
from survey.waves import SHANGHAI, is_open, local_time, next_wave, open_wave, wave_name
from tests.conftest import CONTENT

CONTENT_MODEL = load_content(CONTENT)
SITE = CONTENT_MODEL.site
EBIKE = next(t for t in CONTENT_MODEL.topics if t.slug == "ebike-charging")
END_2026 = next(w for w in SITE.waves if w.id == "2026-end")


def test_the_open_wave_is_the_one_whose_window_contains_now() -> None:
    assert open_wave(SITE, EBIKE, datetime(2026, 11, 27, tzinfo=UTC)) == END_2026
    assert open_wave(SITE, EBIKE, datetime(2025, 11, 27, tzinfo=UTC)) is None


def test_a_wave_opens_at_its_opening_time_and_closes_at_its_closing_time() -> None:
    opens = datetime(2026, 11, 15, 9, 0, tzinfo=SHANGHAI)
    closes = datetime(2026, 12, 15, 18, 0, tzinfo=SHANGHAI)
    assert not is_open(END_2026, opens - timedelta(seconds=1))
    assert is_open(END_2026, opens)
    assert is_open(END_2026, closes - timedelta(seconds=1))
    assert not is_open(END_2026, closes)


def test_a_wave_of_another_topic_is_not_open_for_this_one() -> None:
    elevators = next(t for t in CONTENT_MODEL.topics if t.slug == "old-building-elevators")
    assert open_wave(SITE, elevators, datetime(2026, 11, 27, tzinfo=UTC)) is None


def test_the_next_wave_is_the_first_to_open_after_now() -> None:
    assert next_wave(SITE, EBIKE, datetime(2025, 1, 1, tzinfo=UTC)) == END_2026
    assert next_wave(SITE, EBIKE, datetime(2026, 11, 27, tzinfo=UTC)) is None


def test_times_and_wave_names_read_as_residents_read_them() -> None:
    assert local_time(datetime(2026, 11, 15, 1, 0, tzinfo=UTC)) == "2026年11月15日 09:00"
    assert wave_name("2026-end") == "2026 年年底" and wave_name("2025-mid") == "2025 年年中"
