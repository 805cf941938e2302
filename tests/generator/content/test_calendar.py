"""Wave names: what residents and evaluators read instead of a wave's id."""

from __future__ import annotations

import pytest

from generator.content.calendar import wave_label


@pytest.mark.parametrize(
    ("wave_id", "name", "survey"),
    [
        ("2026-end", "2026 年年底", "2026 年年底调查"),
        ("2024-mid", "2024 年年中", "2024 年年中调查"),
    ],
)
def test_a_wave_is_named_by_its_year_and_half(wave_id: str, name: str, survey: str) -> None:
    assert wave_label(wave_id) == name
    assert wave_label(wave_id, survey=True) == survey
