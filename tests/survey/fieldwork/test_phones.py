"""Phones: the frame's forms of mainland mobiles and Beijing landlines, and what is refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from survey.fieldwork import phones
from survey.fieldwork.phones import PHONE, PROBLEM, check_one, masked, normalise

TABLE = [
    ("13800138000", "+8613800138000", ""),
    ("138 0013 8000", "+8613800138000", ""),
    ("+86 138-0013-8000", "+8613800138000", ""),
    ("0086 13800138000", "+8613800138000", ""),
    ("8613800138000", "+8613800138000", ""),
    ("１３８００１３８０００", "+8613800138000", ""),  # full-width digits from a form
    ("17400123456", "+8617400123456", ""),
    ("010-6512 3456", "+861065123456", ""),
    ("(010)65123456", "+861065123456", ""),
    ("+86 10 6512 3456", "+861065123456", ""),
    ("+86 010 6512 3456", "+861065123456", ""),
    ("65123456", "+861065123456", ""),  # a bare local number is a Beijing line
    ("", "", phones.MISSING),
    ("  ", "", phones.MISSING),
    ("138-abc", "", phones.NOT_DIGITS),
    ("=1+2", "", phones.NOT_DIGITS),
    ("1.38001E+10", "", phones.SCIENTIFIC),  # a CSV saved by Excel from a General cell
    ("1.38001e10", "", phones.SCIENTIFIC),
    ("+1 650 253 0000", "", phones.FOREIGN),
    ("12012345678", "", phones.NO_MOBILE_RANGE),
    ("021-6512 3456", "", phones.OTHER_CITY),
    ("12345", "", phones.WRONG_LENGTH),
    ("400-123-4567", "", phones.WRONG_LENGTH),
    ("1380013800", "", phones.WRONG_LENGTH),
]


@pytest.mark.parametrize(("raw", "e164", "problem"), TABLE)
def test_each_form_is_normalised_or_refused_with_its_reason(
    raw: str, e164: str, problem: str
) -> None:
    found = normalise(pd.Series([raw], index=[7]))
    assert found.loc[7, PHONE] == e164
    assert found.loc[7, PROBLEM] == problem


@pytest.mark.parametrize(("raw", "e164", "problem"), TABLE)
def test_the_library_number_by_number_agrees_with_the_column_rules(
    raw: str, e164: str, problem: str
) -> None:
    assert check_one(raw) == (e164 or None)


def test_random_numbers_get_the_libraries_verdict() -> None:
    """Mobiles of every 1xx range and lines of every 10x range, as the library judges them."""
    rng = np.random.default_rng(16)
    mobiles = [f"1{n:010d}" for n in rng.integers(0, 10**10, 3000)]
    lines = [f"010{n:08d}" for n in rng.integers(0, 10**8, 2000)]
    local = [f"{n:08d}" for n in rng.integers(10**7, 10**8, 1000)]
    raw = pd.Series(mobiles + lines + local)
    found = [phone or None for phone in normalise(raw)[PHONE]]
    expected = [check_one(value) for value in raw]
    assert found == expected
    assert 0 < sum(phone is not None for phone in found) < len(raw)  # both verdicts occur


def test_missing_values_are_refused_and_the_index_is_kept() -> None:
    found = normalise(pd.Series([None, float("nan"), "13800138000"], index=[4, 5, 6]))
    assert found[PROBLEM].tolist() == [phones.MISSING, phones.MISSING, ""]
    assert found.index.tolist() == [4, 5, 6]


def test_a_masked_phone_keeps_only_its_ends() -> None:
    assert masked("+8613800138000") == "138****8000"
    assert masked("12") == "****"
