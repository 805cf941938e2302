"""The dispositions file's columns: each case's code, label and group as the rates count it."""

from __future__ import annotations

import pandas as pd

from survey.analysis.dispositions import CASE_COLUMNS, VARIABLES, disposition_frame


def test_a_case_takes_its_final_code_else_its_last_call_else_3_11() -> None:
    cases = pd.DataFrame(
        [
            ("t", "2026-end", 1, "海淀区", None, 1, 0, "released", None, None),
            ("t", "2026-end", 2, "朝阳区", None, 1, 3, "released", None, "3.12"),
            ("t", "2026-end", 3, "朝阳区", None, 2, 2, "final", "2.12", "2.12"),
        ],
        columns=list(CASE_COLUMNS),
    )
    out = disposition_frame(cases)
    assert list(out.columns) == [v.name for v in VARIABLES]
    assert out[["final_code", "final_label", "group"]].values.tolist() == [
        ["3.11", "已发放、未拨打", "UH"],
        ["3.12", "占线", "UH"],
        ["2.12", "中途终止（开始后拒绝继续）", "R"],
    ]
    assert "last_code" in cases and "last_code" not in out  # the input is left as it was
