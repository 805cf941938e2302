"""The disposition table: AAPOR groups and what closes a case."""

from __future__ import annotations

from survey.fieldwork.dispositions import CODES, final_group


def test_final_codes_close_and_temporary_ones_keep_the_case_open() -> None:
    assert CODES["1.1"].final and CODES["2.11"].final and CODES["4.30"].final
    assert not CODES["3.13"].final and not CODES["2.21"].final
    assert [d.code for d in CODES.values() if d.callback] == ["2.21"]


def test_a_case_takes_its_final_code_then_its_last_call_then_not_attempted() -> None:
    assert final_group("1.1", "3.13") == "I"
    assert final_group(None, "2.21") == "NC"
    assert final_group(None, "3.12") == "UH"
    assert final_group(None, None) == "UH"
    assert final_group("4.10", None) == "NE"
