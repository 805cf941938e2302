"""AAPOR disposition codes for telephone interviews of a list sample (Standard Definitions).

Every call ends with one of these codes. A final code closes the case; a temporary one leaves
it callable until the wave's attempt cap, when the last temporary code becomes the case's final
disposition. The `group` is the letter the AAPOR rate formulas use (survey.analysis.aapor):
I complete, P partial, R refusal and break-off, NC non-contact, O other eligible non-interview,
UH / UO unknown eligibility, NE not eligible. Released cases never called count as 3.11 (UH).

Our frame is a list of named residents (people who called 12345 about the topic), so a number
that reaches someone else is a frame error and counts as not eligible (4.10), as does a person
who says they never raised the topic (4.70).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Group = Literal["I", "P", "R", "NC", "O", "UH", "UO", "NE"]


@dataclass(frozen=True)
class Disposition:
    """One AAPOR code: its label for interviewers, its rate group, whether it closes the case."""

    code: str
    label: str
    group: Group
    final: bool
    callback: bool = False  # the interviewer must give a time for the next call


_ALL: Final = (
    Disposition("1.1", "完成访问", "I", final=True),
    Disposition("1.2", "部分完成（受访者未答完即结束）", "P", final=True),
    Disposition("2.11", "拒绝访问", "R", final=True),
    Disposition("2.12", "中途终止（开始后拒绝继续）", "R", final=True),
    Disposition("2.21", "约定回访时间", "NC", final=False, callback=True),
    Disposition("2.32", "身体或精神原因无法受访", "O", final=True),
    Disposition("2.33", "语言障碍", "O", final=True),
    Disposition("3.12", "占线", "UH", final=False),
    Disposition("3.13", "无人接听", "UH", final=False),
    Disposition("3.14", "语音信箱或答录机", "UH", final=False),
    Disposition("4.10", "号码错误（不是名单上的居民）", "NE", final=True),
    Disposition("4.30", "空号或停机", "NE", final=True),
    Disposition("4.70", "不符合条件（未就本题反映过诉求）", "NE", final=True),
)

CODES: Final[dict[str, Disposition]] = {d.code: d for d in _ALL}
NOT_ATTEMPTED: Final = Disposition("3.11", "已发放、未拨打", "UH", final=True)
COMPLETE: Final = CODES["1.1"]


def final_group(final_code: str | None, last_code: str | None) -> Group:
    """The rate group of a released case: its final code, else its last call's, else 3.11."""
    code = final_code or last_code
    if code is None:
        return NOT_ATTEMPTED.group
    if code == NOT_ATTEMPTED.code:
        return NOT_ATTEMPTED.group
    return CODES[code].group
