"""Phone numbers of the frame: mainland mobiles and Beijing landlines, normalised to E.164.

The frame comes from the evaluator's spreadsheets, so one number arrives as `138 0013 8000`,
`+86-138-0013-8000`, `0086 13800138000`, `(010) 6512-3456` or a bare `65123456`. Which numbers
exist is the `phonenumbers` library's knowledge (Google's libphonenumber metadata, updated as
ranges are allocated): we accept what its metadata for CN calls a mobile, or a fixed line with
Beijing's area code 10, and nothing else (premium, toll-free, shared-cost and other cities'
numbers are not residents we can call about a Beijing topic).

A frame has a million rows, and `phonenumbers.parse` takes about 30 µs a number, longer than
the whole rest of the import. So the same rules run on a whole column at once: separators and
the country code are stripped with vectorised regular expressions (Arrow's RE2), and the
national number is matched against the library's own patterns. `check_one` asks the library
number by number; the tests hold the two to the same answer.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

PHONE: Final = "phone"  # E.164, e.g. +8613800138000; "" when rejected
PROBLEM: Final = "problem"  # why it was rejected, in Chinese; "" when accepted


def _pattern(kind: str) -> str:
    """The library's national-number pattern of one kind of CN number."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    described = getattr(metadata, kind, None)
    pattern = getattr(described, "national_number_pattern", None)
    if not pattern:
        raise RuntimeError(f"phonenumbers has no CN {kind} pattern")
    return str(pattern)


_MOBILE: Final = _pattern("mobile")
_FIXED: Final = _pattern("fixed_line")
BEIJING_AREA: Final = "10"

MISSING: Final = "缺少电话号码"
NOT_DIGITS: Final = "电话号码含有数字以外的字符"
# Excel shows an 11-digit number typed into a General cell as 1.38001E+10, and a CSV saved from
# it keeps only those digits: the number is gone, and the fix is in the source spreadsheet.
SCIENTIFIC: Final = (
    "电话号码被 Excel 存成了科学计数法（如 1.38001E+10），后几位已丢失："
    "请在原表中把电话列设为“文本”后重新导出"
)
FOREIGN: Final = "不是中国大陆的号码（国家代码不是 +86）"
NO_MOBILE_RANGE: Final = "不是有效的手机号段"
NO_BEIJING_LINE: Final = "不是有效的北京固定电话号码"
OTHER_CITY: Final = "不是北京的固定电话（区号不是 010）"
WRONG_LENGTH: Final = "位数不对：应为 11 位手机号，或 8 位北京固定电话（可带区号 010）"


def normalise(raw: pd.Series) -> pd.DataFrame:
    """Each value's E.164 form (PHONE) or the reason it is refused (PROBLEM), same index."""
    text = pa.array(raw, type=pa.string(), from_pandas=True).fill_null("")
    text = pc.utf8_trim_whitespace(pc.utf8_normalize(text, "NFKC"))  # full-width digits too
    compact = pc.replace_substring_regex(text, r"[\s\-–—().]", "")
    national = _national(compact)
    mobile = _full(national, r"1\d{10}")
    landline = _beijing_landline(national)
    is_beijing = _array(pc.not_equal(landline, ""))
    valid_mobile = mobile & _full(national, _MOBILE)
    valid_line = is_beijing & _full(landline, _FIXED)
    plus = pc.starts_with(compact, "+")
    problem = np.select(
        [
            _array(pc.equal(compact, "")),
            _full(compact, r"\d+[eE]\+?\d+"),  # the dot was taken out with the separators
            ~_full(compact, r"\+?\d+"),
            _array(plus) & ~_array(pc.starts_with(compact, "+86")),
            mobile & ~valid_mobile,
            is_beijing & ~valid_line,
            _full(national, r"0[2-9]\d{8,10}"),
            ~(valid_mobile | valid_line),
        ],
        [
            MISSING,
            SCIENTIFIC,
            NOT_DIGITS,
            FOREIGN,
            NO_MOBILE_RANGE,
            NO_BEIJING_LINE,
            OTHER_CITY,
            WRONG_LENGTH,
        ],
        default="",
    )
    chosen = pc.if_else(
        pa.array(valid_mobile), national, pc.if_else(pa.array(valid_line), landline, "")
    )
    phone = pc.if_else(pc.equal(chosen, ""), "", pc.binary_join_element_wise("+86", chosen, ""))
    return pd.DataFrame(
        {PHONE: phone.to_numpy(zero_copy_only=False), PROBLEM: problem.astype(object)},
        index=raw.index,
    )


def _full(values: pa.Array, pattern: str) -> np.ndarray:
    """Whether each value matches `pattern` as a whole (RE2, over the whole column)."""
    return _array(pc.match_substring_regex(values, f"^(?:{pattern})$"))


def _array(flags: pa.Array) -> np.ndarray:
    return np.asarray(flags.to_numpy(zero_copy_only=False), dtype=bool)


def _national(compact: pa.Array) -> pa.Array:
    """The number without +86, 0086, or a bare 86 in front of a full mobile or Beijing line."""
    stripped = pc.replace_substring_regex(compact, r"^(?:\+86|0086)", "")
    return pc.replace_substring_regex(stripped, r"^86(1\d{10}|0?10\d{8})$", r"\1")


def _beijing_landline(national: pa.Array) -> pa.Array:
    """The national form (10 + 8 digits) of a Beijing fixed line, else "".

    Written with the trunk 0 (01065123456), without it (1065123456, as after +86), or as the
    bare 8-digit local number Beijing callers use.
    """
    with_area = pc.replace_substring_regex(national, r"^0?10(\d{8})$", r"10\1")
    local = pc.binary_join_element_wise(BEIJING_AREA, national, "")
    out = pc.if_else(pa.array(_full(with_area, r"10\d{8}")), with_area, "")
    return pc.if_else(pa.array(_full(national, r"[2-9]\d{7}")), local, out)


def check_one(text: str) -> str | None:
    """The library's own verdict on one number: its E.164 form, or None if we do not take it.

    Slow (a parse per number); for tests and single numbers typed by a person.
    """
    compact = text.strip()
    if compact.isdigit() and len(compact) == 8 and compact[0] in "23456789":
        compact = "010" + compact  # a bare Beijing local number
    try:
        number = phonenumbers.parse(compact, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return None
    kind = phonenumbers.number_type(number)
    national = str(number.national_number)
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return f"+86{national}"
    fixed = (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if kind in fixed and national.startswith(BEIJING_AREA):
        return f"+86{national}"
    return None


def masked(phone: str) -> str:
    """A phone with its middle hidden (138****8000), for files people handle."""
    digits = phone.removeprefix("+86")
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "****"
