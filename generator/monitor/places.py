"""The directory as frames: which (district, street) pairs exist, and who lives where."""

from __future__ import annotations

import pandas as pd

from generator.content.models import Directory
from generator.monitor.columns import (
    DISTRICT,
    NOT_RANKED_KIND,
    POPULATION,
    STREET,
    STREET_CODE,
    STREET_KIND,
)


def streets_frame(directory: Directory) -> pd.DataFrame:
    """Every township-level unit: district, street, code, kind, and population (unknown: NA).

    The directory has 2020 census populations for districts only, so street population is
    left missing and per-10,000 rates for streets stay empty rather than being guessed.
    """
    return pd.DataFrame(
        {
            DISTRICT: [s.district for s in directory.streets],
            STREET: [s.name for s in directory.streets],
            STREET_CODE: [s.code for s in directory.streets],
            STREET_KIND: [s.kind for s in directory.streets],
            POPULATION: pd.array([pd.NA] * len(directory.streets), dtype="Int64"),
        }
    )


def ranked_streets(streets: pd.DataFrame) -> pd.DataFrame:
    """The 343 街乡镇 that are ranked: development zones (功能区) left out."""
    return streets.loc[streets[STREET_KIND] != NOT_RANKED_KIND].reset_index(drop=True)


def districts_frame(directory: Directory) -> pd.DataFrame:
    """The 16 districts with their 2020 census population."""
    return pd.DataFrame(
        {
            DISTRICT: [d.name for d in directory.districts],
            POPULATION: pd.array([d.population_2020 for d in directory.districts], dtype="Int64"),
        }
    )
