"""Which survey wave is open for a topic. Pure functions of content and a time: the static
site calls `open_wave` at build time to link a topic page to its open survey."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from generator.content.calendar import wave_label
from generator.content.models import Site, Topic, Wave

SHANGHAI = ZoneInfo("Asia/Shanghai")


def topic_waves(site: Site, topic: Topic) -> list[Wave]:
    """The calendar's waves that `topic` runs, in opening order."""
    wanted = set(topic.waves)
    return sorted((w for w in site.waves if w.id in wanted), key=lambda w: w.opens)


def is_open(wave: Wave, now: datetime) -> bool:
    """Whether answers are accepted at `now` (aware): from opening up to, not at, closing."""
    return wave.opens <= now < wave.closes


def open_wave(site: Site, topic: Topic, now: datetime) -> Wave | None:
    """The topic's wave open at `now`, if any."""
    return next((w for w in topic_waves(site, topic) if is_open(w, now)), None)


def next_wave(site: Site, topic: Topic, now: datetime) -> Wave | None:
    """The topic's next wave to open after `now`, if any."""
    return next((w for w in topic_waves(site, topic) if w.opens > now), None)


def as_utc(moment: datetime) -> datetime:
    """A stored time made aware: SQLite hands back naive datetimes, stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_time(moment: datetime) -> str:
    """A time as Beijing residents read it, e.g. `2026年11月15日 09:00`."""
    here = as_utc(moment).astimezone(SHANGHAI)
    return f"{here.year}年{here.month}月{here.day}日 {here:%H:%M}"


def wave_name(wave_id: str) -> str:
    """`2026-end` → `2026 年年底` (the site's own name for it, generator.content.calendar)."""
    return wave_label(wave_id)
