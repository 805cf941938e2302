"""Survey waves: which is open (the site links each topic to its open survey) and their names."""

from __future__ import annotations

from datetime import datetime

from generator.content.models import Site, Topic, Wave


def open_wave(site: Site, topic: Topic, now: datetime) -> Wave | None:
    """The topic's wave that is open at `now` (aware), if any."""
    for wave in site.waves:
        if wave.id in topic.waves and wave.opens <= now < wave.closes:
            return wave
    return None


def next_wave(site: Site, now: datetime) -> Wave | None:
    """The first wave that opens after `now`, for 'the next survey opens on …'."""
    upcoming = [w for w in site.waves if w.opens > now]
    return min(upcoming, key=lambda w: w.opens) if upcoming else None


def wave_label(wave_id: str, *, survey: bool = False) -> str:
    """How people name a wave: `2026-end` → `2026 年年底`, or `2026 年年底调查` with `survey`.

    The site and the survey's staff pages both show this instead of the raw id.
    """
    year, _, part = wave_id.partition("-")
    name = f"{year} 年{'年中' if part == 'mid' else '年底'}"
    return f"{name}调查" if survey else name
