"""The governance list: model, checks against the directory, frame."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from generator.content.loader import Content
from generator.errors import ContentError
from generator.monitor.columns import DISTRICT, SINCE, STREET, UNTIL
from generator.monitor.governance import (
    GOVERNANCE_FILE,
    GovernanceList,
    GovernedStreet,
    governance_frame,
    load_governance,
)
from tests.conftest import CONTENT


def write(root: Path, body: str) -> Path:
    path = root / GOVERNANCE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("sample: true\nstreets:\n" + body, encoding="utf-8")
    return root


def test_the_shipped_list_loads(content: Content) -> None:
    governance = load_governance(CONTENT, content.directory)
    assert governance.sample and governance.streets


def test_a_missing_list_is_an_empty_list(tmp_path: Path, content: Content) -> None:
    assert load_governance(tmp_path, content.directory).streets == []


def test_directory_and_period_checks_name_the_entry(tmp_path: Path, content: Content) -> None:
    root = write(
        tmp_path,
        "  - {district: 火星区, street: 某街道, since: 2024-01}\n"
        "  - {district: 东城区, street: 东华门街道, since: 2024-01, until: 2024-06}\n"
        "  - {district: 东城区, street: 东华门街道, since: 2024-06}\n"
        "  - {district: 东城区, street: 景山街道, since: 2024-05, until: 2024-02}\n",
    )
    with pytest.raises(ContentError) as caught:
        load_governance(root, content.directory)
    assert [(p.line, p.field, p.message) for p in caught.value.problems] == [
        (3, "streets[0].district", "区“火星区”不在名录中"),
        (5, "streets[2].since", "与同一街乡镇的另一段时间重叠"),
        (6, "streets[3].until", "结束月份早于开始月份"),
    ]


def test_a_development_zone_cannot_be_listed(tmp_path: Path, content: Content) -> None:
    zone = next(s for s in content.directory.streets if not s.is_jiexiangzhen)
    root = write(
        tmp_path, f"  - {{district: {zone.district}, street: {zone.name}, since: 2024-01}}\n"
    )
    with pytest.raises(ContentError, match=r"不是.*的街乡镇"):
        load_governance(root, content.directory)


def test_a_badly_written_month_is_a_model_problem(tmp_path: Path, content: Content) -> None:
    root = write(tmp_path, "  - {district: 东城区, street: 景山街道, since: 2024-13}\n")
    with pytest.raises(ContentError) as caught:
        load_governance(root, content.directory)
    assert [(p.line, p.field) for p in caught.value.problems] == [(3, "streets[0].since")]


def test_the_list_as_a_frame() -> None:
    governance = GovernanceList(
        sample=True,
        streets=[
            GovernedStreet(district="东城区", street="景山街道", since="2024-01"),
            GovernedStreet(district="朝阳区", street="劲松街道", since="2023-01", until="2023-12"),
        ],
    )
    expected = pd.DataFrame(
        {
            DISTRICT: ["东城区", "朝阳区"],
            STREET: ["景山街道", "劲松街道"],
            SINCE: ["2024-01", "2023-01"],
            UNTIL: [None, "2023-12"],
        }
    ).astype("str")
    assert_frame_equal(governance_frame(governance), expected)
