"""Text bound for a spreadsheet: cells a spreadsheet would run as formulas, made plain text.

Shared by every CSV or XLSX the project writes for people to open (the survey's downloads and
audit log, the monitoring import's rejects file). It imports nothing of the project, so both
the generator and the survey may use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import pandas as pd

# OWASP CSV injection: a cell starting with these may be run as a formula by a spreadsheet.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
FORMULA_PATTERN: Final = "^[=+\\-@\t\r]"  # the same starts, for Arrow's regex kernel


def neutralise(value: str) -> str:
    """A leading apostrophe on text a spreadsheet would read as a formula (OWASP CSV injection)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def guard(table: pd.DataFrame) -> pd.DataFrame:
    """Every text cell neutralised; numbers are left alone (a negative number is not a formula)."""
    import pandas as pd  # only here: the survey's workers need neutralise, not pandas

    text_columns = {}
    for name in table.columns:
        column = table[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            risky = column.str.startswith(FORMULA_STARTS, na=False).astype(bool)
            if risky.any():
                text_columns[name] = column.where(~risky, "'" + column.astype(str))
    return table.assign(**text_columns)
