"""Wave names as residents read them."""

from __future__ import annotations

import pytest

from generator.calendar import wave_label


@pytest.mark.parametrize(
    ("wave_id", "label"), [("2026-end", "2026 年年底"), ("2024-mid", "2024 年年中")]
)
def test_a_wave_id_reads_as_year_and_half(wave_id: str, label: str) -> None:
    assert wave_label(wave_id) == label
