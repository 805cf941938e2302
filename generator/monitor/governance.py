"""The governance list (治理类街乡镇): `content/monitoring/governance-streets.yml`.

A street on the list for a month is already being governed, so ranking in the top N that month
brings no warning talk. A street may have several periods on the list; `until` left out means
it is still on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import Field, StringConstraints, ValidationError

from generator.content.models import ContentModel, Directory
from generator.content.models.base import Text
from generator.content.yamlsource import Source, read_yaml
from generator.errors import ContentError, Problem
from generator.monitor.columns import DISTRICT, SINCE, STREET, UNTIL

GOVERNANCE_FILE = Path("monitoring/governance-streets.yml")
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class GovernedStreet(ContentModel):
    """One period a street spent on the list (months inclusive, written YYYY-MM)."""

    district: Text
    street: Text
    since: Month
    until: Month | None = Field(default=None, description="Last month on the list; none: still on")
    note: str = ""


class GovernanceList(ContentModel):
    """The whole list; `sample: true` marks it as sample content, not an official list."""

    sample: bool
    streets: list[GovernedStreet] = Field(default_factory=list)


def load_governance(content_root: Path, directory: Directory) -> GovernanceList:
    """Read and check the list against the directory; a missing file is an empty list."""
    path = content_root / GOVERNANCE_FILE
    if not path.is_file():
        return GovernanceList(sample=True)
    source, problems = read_yaml(path)
    if source is None:
        raise ContentError(problems)
    try:
        governance = GovernanceList.model_validate(source.data)
    except ValidationError as exc:
        raise ContentError(source.problems_from(exc)) from exc
    problems = check_governance(governance, directory, source)
    if problems:
        raise ContentError(problems)
    return governance


def check_governance(
    governance: GovernanceList, directory: Directory, source: Source
) -> list[Problem]:
    """Every entry names a ranked 街乡镇 of its district; periods run forward and never overlap."""
    ranked = {(s.district, s.name) for s in directory.streets if s.is_jiexiangzhen}
    problems: list[Problem] = []
    seen: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for i, entry in enumerate(governance.streets):
        where = ("streets", i)
        key = (entry.district, entry.street)
        until = entry.until or "9999-12"
        if entry.district not in directory.district_names():
            problems.append(source.problem((*where, "district"), f"区“{entry.district}”不在名录中"))
        elif key not in ranked:
            message = f"“{entry.street}”不是{entry.district}的街乡镇（功能区不参加排名）"
            problems.append(source.problem((*where, "street"), message))
        if until < entry.since:
            problems.append(source.problem((*where, "until"), "结束月份早于开始月份"))
        if any(entry.since <= u and s <= until for s, u in seen.get(key, [])):
            problems.append(source.problem((*where, "since"), "与同一街乡镇的另一段时间重叠"))
        seen.setdefault(key, []).append((entry.since, until))
    return problems


def governance_frame(governance: GovernanceList) -> pd.DataFrame:
    """The list as DISTRICT, STREET, SINCE, UNTIL (YYYY-MM text; UNTIL missing while on it)."""
    return pd.DataFrame(
        {
            DISTRICT: [g.district for g in governance.streets],
            STREET: [g.street for g in governance.streets],
            SINCE: [g.since for g in governance.streets],
            UNTIL: [g.until for g in governance.streets],
        }
    ).astype({DISTRICT: "str", STREET: "str", SINCE: "str", UNTIL: "str"})
