"""Analysis fixtures: the satisfaction definition as configured, and literal response frames."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from generator.content.models.site import SatisfactionDefinition
from survey.analysis.columns import EXCLUDED, SUSPECT

COUNT = "times"  # literal frames say how often a row repeats, to reach n >= 30 in a few lines


@pytest.fixture
def definition() -> SatisfactionDefinition:
    """The headline definition of content/site.yml, written out so tests do not read files."""
    return SatisfactionDefinition(
        satisfied=["非常满意", "满意", "基本满意"],
        top_box=["非常满意"],
        excluded=("说不清",),
        description="满意率 =（非常满意 + 满意 + 基本满意）÷ 有效回答数。",
    )


def frame(rows: dict[str, list[Any]]) -> pd.DataFrame:
    """A responses frame from literal columns; rows repeat `times` times, flags default to False."""
    data = pd.DataFrame(rows)
    n = len(data)
    data = data.assign(
        **{col: data[col] if col in data else [False] * n for col in (EXCLUDED, SUSPECT)}
    )
    if COUNT in data:
        data = data.loc[data.index.repeat(data[COUNT])].drop(columns=COUNT)
    return data.reset_index(drop=True)
