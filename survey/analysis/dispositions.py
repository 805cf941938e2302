"""The dispositions download: one row per issued case with its AAPOR outcome, never a phone.

The variable table drives the CSV columns and the codebook, as for responses
(survey.analysis.variables). Cases arrive as plain columns of `fieldwork_cases` (read by
survey.staff.downloads.cases, which selects no phone column); `disposition_frame` adds the
disposition, its label and its rate group the way the rates count them
(survey.fieldwork.dispositions.final_group), so the file reproduces every rate on the page.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from survey.analysis.variables import Variable
from survey.fieldwork.dispositions import CODES, NOT_ATTEMPTED, final_group

# Columns read from the cases table, in order; no phone, phone hash or frame attribute.
CASE_COLUMNS: Final = (
    *("topic", "wave", "case_id", "district", "street", "replicate", "attempts", "status"),
    *("final_code", "last_code"),
)
GROUP_MEANINGS: Final = {
    "I": "完成访问",
    "P": "部分完成",
    "R": "拒访与中途终止",
    "NC": "未接触到受访者",
    "O": "其他原因未访",
    "UH": "无法确认号码是否合格",
    "UO": "其他无法确认",
    "NE": "不合格",
}
STATUS_MEANINGS: Final = {"released": "已发放，待拨打", "held": "访员正在处理", "final": "已结案"}


def _coded(name: str, label: str, meanings: dict[str, str]) -> Variable:
    values = tuple(enumerate(meanings, start=1))
    return Variable(name, label, "category", values, meanings=tuple(meanings.values()))


VARIABLES: Final = (
    Variable("topic", "议题", "text"),
    Variable("wave", "调查批次", "text"),
    Variable("case_id", "样本编号（本系统内的编号，不是电话号码，不能关联到答卷）", "number"),
    Variable("district", "区", "text"),
    Variable("street", "街乡镇（统计用区划代码，名单所给）", "text"),
    Variable("replicate", "重复样本组（抽样后按组发放）", "number"),
    Variable("attempts", "拨打次数", "number"),
    _coded("status", "样本状态", STATUS_MEANINGS),
    Variable(
        "final_code",
        "最终结果代码（AAPOR；尚未结案的为最近一次拨打的结果，已发放未拨打的为 3.11）",
        "text",
    ),
    Variable("final_label", "最终结果", "text"),
    _coded("group", "AAPOR 应答率分组（I、P、R、NC、O、UH、UO、NE）", GROUP_MEANINGS),
)


def disposition_frame(cases: pd.DataFrame) -> pd.DataFrame:
    """Cases (CASE_COLUMNS) → the declared columns: each case's disposition, label and group."""
    code = cases["final_code"].where(cases["final_code"].notna(), cases["last_code"])
    code = code.fillna(NOT_ATTEMPTED.code).astype(str)
    labels = {c: d.label for c, d in CODES.items()} | {NOT_ATTEMPTED.code: NOT_ATTEMPTED.label}
    # One lookup per distinct code, not per case.
    groups = {c: final_group(c, None) for c in code.unique()}
    out = cases.assign(final_code=code, final_label=code.map(labels), group=code.map(groups))
    return out[[v.name for v in VARIABLES]]
