"""AAPOR response, cooperation, refusal and contact rates from disposition group counts.

The formulas are those of AAPOR's *Standard Definitions: Final Dispositions of Case Codes and
Outcome Rates for Surveys* (10th edition, 2023), with its letters: I complete, P partial,
R refusal and break-off, NC non-contact, O other eligible non-interview, UH unknown if
household / number is eligible, UO unknown other, NE not eligible (survey.fieldwork.dispositions
maps each code to its letter). NE never enters a denominator; it only informs e.

e is the share of the unknown-eligibility cases taken to be eligible. Here it is estimated by
the proportional allocation method (Standard Definitions, "estimating e"): among cases whose
eligibility is known, e = eligible ÷ (eligible + not eligible). A rate whose denominator is 0,
or RR3 when e cannot be estimated while unknown cases exist, has no value and says why: a
rate of 0% would claim that nobody answered, which is not what an empty wave shows.

No library implements these (none on PyPI is maintained); they are five fractions.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

RR1: Final = "RR1"
RR3: Final = "RR3"
COOP1: Final = "COOP1"
REF1: Final = "REF1"
CON1: Final = "CON1"
NAMES: Final = (RR1, RR3, COOP1, REF1, CON1)

FORMULAS: Final[dict[str, str]] = {
    RR1: "I ÷ ((I + P) + (R + NC + O) + (UH + UO))",
    RR3: "I ÷ ((I + P) + (R + NC + O) + e × (UH + UO))",
    COOP1: "I ÷ ((I + P) + R + O)",
    REF1: "R ÷ ((I + P) + (R + NC + O) + (UH + UO))",
    CON1: "((I + P) + R + O) ÷ ((I + P) + R + O + NC + (UH + UO))",
}
LABELS: Final[dict[str, str]] = {
    RR1: "应答率 RR1",
    RR3: "应答率 RR3",
    COOP1: "合作率 COOP1",
    REF1: "拒访率 REF1",
    CON1: "接触率 CON1",
}
DEFINITIONS: Final[dict[str, str]] = {
    RR1: "完成访问数 ÷ 全部已发放样本（不含确认不合格的号码）；无法确认是否合格的号码全部算作合格，"
    "是最保守的应答率。",
    RR3: "完成访问数 ÷ 估计的合格样本：无法确认是否合格的号码只按比例 e 算作合格。",
    COOP1: "在接通了合格受访者的样本中，完成访问的比例（部分完成不算完成）。",
    REF1: "拒绝访问或中途终止的数量 ÷ 与 RR1 相同的分母（无法确认是否合格的号码全部算作合格）。",
    CON1: "接通了合格受访者（完成、部分完成、拒访或其他原因未访）的样本占全部可能合格样本的比例。",
}
GROUPS_TEXT: Final = (
    "I 完成访问；P 部分完成；R 拒访与中途终止；NC 未接触到受访者（含约定回访）；"
    "O 其他原因未访（健康、语言）；UH 无法确认号码是否合格（占线、无人接听、答录机、已发放未拨打）；"
    "UO 其他无法确认；NE 不合格（号码错误、空号停机、不符合条件），不进入任何分母。"
)
E_TEXT: Final = (
    "e =（I + P + R + NC + O）÷（I + P + R + NC + O + NE）：在已确认是否合格的样本中合格的比例"
    "（AAPOR 比例分配法）。"
)
SOURCE_TEXT: Final = "AAPOR《Standard Definitions》第 10 版（2023）。"
# For the public site: a resident reads it, so no letters and no formula.
PUBLIC_TEXT: Final = (
    "应答率按美国民意研究协会（AAPOR）标准中的 RR3 计算：在电话调查抽中并发放的号码里，"
    "估计符合调查条件的居民中，完成访问的人所占的比例。始终打不通、无法确认号码是否有效的，"
    "按已确认的号码中有效号码的比例估算其中有多少人符合条件。"
)
NO_CASES: Final = "没有已发放的样本，无法计算。"
NO_E: Final = "没有任何样本确认过是否合格，无法估计 e，因此无法计算 RR3。"
NO_CONTACT: Final = "还没有接通任何合格受访者，无法计算合作率。"


@dataclass(frozen=True)
class GroupCounts:
    """Cases of the issued sample per AAPOR rate group (survey.fieldwork.dispositions.Group)."""

    I: int = 0  # noqa: E741  (AAPOR's own letter)
    P: int = 0
    R: int = 0
    NC: int = 0
    O: int = 0  # noqa: E741  (AAPOR's own letter)
    UH: int = 0
    UO: int = 0
    NE: int = 0

    def __post_init__(self) -> None:
        negative = [f.name for f in fields(self) if getattr(self, f.name) < 0]
        if negative:
            raise ValueError(f"样本数不能为负：{'、'.join(negative)}")

    @property
    def total(self) -> int:
        """Every issued case, not-eligible ones included."""
        return sum(getattr(self, f.name) for f in fields(self))

    @property
    def eligible(self) -> int:
        """Cases known to be eligible: I + P + R + NC + O."""
        return self.I + self.P + self.R + self.NC + self.O

    @property
    def unknown(self) -> int:
        """Cases whose eligibility is unknown: UH + UO."""
        return self.UH + self.UO


@dataclass(frozen=True)
class Rate:
    """One rate with its formula, its definition in Chinese, and why it has no value if so."""

    name: str
    label: str
    value: float | None
    numerator: float
    denominator: float
    formula: str
    definition: str
    note: str = ""


def eligibility_estimate(counts: GroupCounts) -> float | None:
    """e by proportional allocation; None when no case's eligibility is known."""
    known = counts.eligible + counts.NE
    return counts.eligible / known if known else None


def rates(counts: GroupCounts) -> tuple[Rate, ...]:
    """RR1, RR3, COOP1, REF1 and CON1, in that order."""
    c = counts
    base = c.I + c.P + c.R + c.NC + c.O
    contacted = c.I + c.P + c.R + c.O
    return (
        _rate(RR1, c.I, base + c.unknown, NO_CASES),
        _rr3(c, base),
        _rate(COOP1, c.I, contacted, NO_CONTACT),
        _rate(REF1, c.R, base + c.unknown, NO_CASES),
        _rate(CON1, contacted, contacted + c.NC + c.unknown, NO_CASES),
    )


def _rr3(c: GroupCounts, base: int) -> Rate:
    """RR3: unknown cases count as eligible in proportion e; with none, e does not matter."""
    if c.unknown == 0:
        return _rate(RR3, c.I, base, NO_CASES)
    e = eligibility_estimate(c)
    if e is None:
        return _rate(RR3, c.I, None, NO_E)
    return _rate(RR3, c.I, base + e * c.unknown, NO_CASES)


def _rate(name: str, numerator: float, denominator: float | None, why: str) -> Rate:
    """The fraction, or no value and `why` when the denominator is 0 or unknown."""
    missing = denominator is None or denominator <= 0
    return Rate(
        name=name,
        label=LABELS[name],
        value=None if denominator is None or denominator <= 0 else numerator / denominator,
        numerator=float(numerator),
        denominator=float("nan") if denominator is None else float(denominator),
        formula=FORMULAS[name],
        definition=DEFINITIONS[name],
        note=why if missing else "",
    )
