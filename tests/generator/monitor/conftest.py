"""Small literal frames and the shipped directory, shared by the monitoring tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from generator.content.loader import Content, load_content
from generator.monitor.columns import (
    CATEGORIES,
    DISTRICT,
    EXCLUDE,
    KEYWORDS,
    POPULATION,
    STREET,
    STREET_CODE,
    STREET_KIND,
    TOPIC,
    TOPIC_YEAR,
)
from tests.conftest import CONTENT

HEADER = "工单编号,受理时间,诉求性质,问题分类,区,街乡镇,诉求内容\n"


@pytest.fixture(scope="session")
def content() -> Content:
    """The shipped content, loaded once."""
    return load_content(CONTENT)


@pytest.fixture
def streets() -> pd.DataFrame:
    """Four township-level units; 八里庄街道 exists in two districts, one is a 功能区."""
    return pd.DataFrame(
        {
            DISTRICT: ["东城区", "朝阳区", "海淀区", "北京经济技术开发区所在区"],
            STREET: ["东华门街道", "八里庄街道", "八里庄街道", "亦庄开发区"],
            STREET_CODE: ["110101001", "110105001", "110108001", "110115400"],
            STREET_KIND: ["街道", "街道", "街道", "功能区"],
            POPULATION: pd.array([10_000, pd.NA, 20_000, pd.NA], dtype="Int64"),
        }
    )


@pytest.fixture
def rules() -> pd.DataFrame:
    """Two topics: elevators (2024, housing) and e-bike charging (2024, with an exclusion)."""
    return pd.DataFrame(
        {
            TOPIC: ["elevators", "ebike"],
            TOPIC_YEAR: [2024, 2024],
            CATEGORIES: [("住房",), ()],
            KEYWORDS: [("加装电梯", "电梯加装"), ("充电桩", "飞线充电")],
            EXCLUDE: [(), ("电动汽车",)],
        }
    ).astype({TOPIC: "str"})


def write_gb18030(path: Path, body: str) -> Path:
    """A CSV export as the hotline system writes it: GB18030, Chinese headers."""
    path.write_bytes((HEADER + body).encode("gb18030"))
    return path
