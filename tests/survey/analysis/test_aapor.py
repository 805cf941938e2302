"""AAPOR rates: a worked example done by hand, the honest empty cases, and properties."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.analysis.aapor import (
    COOP1,
    NAMES,
    NO_CASES,
    NO_CONTACT,
    NO_E,
    RR1,
    RR3,
    GroupCounts,
    Rate,
    eligibility_estimate,
    rates,
)

# A wave of 1,100 issued cases.
EXAMPLE = GroupCounts(I=400, P=20, R=150, NC=80, O=10, UH=300, UO=40, NE=100)


def by_name(counts: GroupCounts) -> dict[str, Rate]:
    return {r.name: r for r in rates(counts)}


def test_the_worked_example_matches_the_arithmetic_done_by_hand() -> None:
    # Known eligible: I + P + R + NC + O = 400 + 20 + 150 + 80 + 10 = 660.
    # Known either way: 660 + NE 100 = 760, so e = 660 / 760 = 33/38 (about 0.868).
    # Unknown: UH + UO = 300 + 40 = 340.
    # RR1   = 400 / (420 + 240 + 340) = 400 / 1000 = 0.4
    # RR3   = 400 / (660 + 33/38 × 340) = 400 / (660 + 5610/19) = 400 × 19 / 18150 = 152/363
    # COOP1 = 400 / (420 + 150 + 10) = 400 / 580 = 20/29
    # REF1  = 150 / 1000 = 0.15
    # CON1  = (420 + 150 + 10) / (580 + 80 + 340) = 580 / 1000 = 0.58
    assert eligibility_estimate(EXAMPLE) == pytest.approx(float(Fraction(33, 38)))
    found = {name: r.value for name, r in by_name(EXAMPLE).items()}
    assert found == pytest.approx(
        {
            "RR1": 0.4,
            "RR3": float(Fraction(152, 363)),
            "COOP1": float(Fraction(20, 29)),
            "REF1": 0.15,
            "CON1": 0.58,
        }
    )
    rr3 = by_name(EXAMPLE)[RR3]
    assert rr3.numerator == 400.0
    assert rr3.denominator == pytest.approx(18150 / 19)


def test_every_rate_carries_its_formula_and_a_chinese_definition() -> None:
    for rate in rates(EXAMPLE):
        assert "÷" in rate.formula
        assert rate.label.endswith(rate.name)
        assert rate.definition and not rate.note
    assert [r.name for r in rates(EXAMPLE)] == list(NAMES)


def test_no_issued_case_gives_no_rate_rather_than_zero() -> None:
    for rate in rates(GroupCounts()):
        assert rate.value is None
        assert rate.note in (NO_CASES, NO_CONTACT)


def test_rr3_has_no_value_when_e_cannot_be_estimated() -> None:
    only_unknown = GroupCounts(UH=25, UO=5)
    found = by_name(only_unknown)
    assert eligibility_estimate(only_unknown) is None
    assert found[RR3].value is None and found[RR3].note == NO_E
    assert found[RR1].value == 0.0  # nobody answered out of 30 possibly eligible: a true 0%
    assert found[COOP1].value is None and found[COOP1].note == NO_CONTACT


def test_without_unknown_cases_rr3_equals_rr1_whatever_e() -> None:
    resolved = GroupCounts(I=30, R=10, NC=5, NE=50)
    found = by_name(resolved)
    assert found[RR3].value == found[RR1].value == pytest.approx(30 / 45)


def test_not_eligible_cases_only_change_rr3() -> None:
    more_ne = GroupCounts(**{**EXAMPLE.__dict__, "NE": 600})
    before, after = by_name(EXAMPLE), by_name(more_ne)
    for name in NAMES:
        if name != RR3:
            assert before[name].value == after[name].value
    assert after[RR3].value is not None and before[RR3].value is not None
    assert after[RR3].value > before[RR3].value  # fewer unknowns presumed eligible


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="NC"):
        GroupCounts(NC=-1)


counts = st.builds(GroupCounts, **{k: st.integers(0, 10_000) for k in GroupCounts().__dict__})


@given(counts)
def test_rates_lie_between_zero_and_one_and_rr1_never_exceeds_rr3(c: GroupCounts) -> None:
    found = by_name(c)
    for rate in found.values():
        assert rate.value is None or 0.0 <= rate.value <= 1.0
        assert (rate.value is None) == bool(rate.note)
    rr1, rr3 = found[RR1].value, found[RR3].value
    if rr1 is not None and rr3 is not None:
        assert rr1 <= rr3 + 1e-12
    e = eligibility_estimate(c)
    assert e is None or 0.0 <= e <= 1.0


@given(counts)
def test_rr1_is_cooperation_times_contact_and_refusals_fit_beside_it(c: GroupCounts) -> None:
    found = {name: r.value for name, r in by_name(c).items()}
    if found["RR1"] is None:
        assert c.total - c.NE == 0
        return
    assert found["CON1"] is not None
    if found["COOP1"] is not None:
        assert math.isclose(found["RR1"], found["COOP1"] * found["CON1"], abs_tol=1e-12)
    assert found["REF1"] is not None
    assert found["RR1"] + found["REF1"] <= found["CON1"] + 1e-12
