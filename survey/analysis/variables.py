"""The declared variable table of a download: names, labels, types, value labels, missing codes.

One table drives every format: the CSV and XLSX columns, the SPSS labels and missing values and
the codebook, so they cannot disagree. Chunks from the repository hold answers as the resident saw
them (option text; lists for multiple choice); `prepare` turns a chunk into the declared columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from generator.content.models.questionnaire import Questionnaire
from generator.sheets.cells import FORMULA_PATTERN as FORMULA_PATTERN
from generator.sheets.cells import FORMULA_STARTS as FORMULA_STARTS
from generator.sheets.cells import guard as guard
from generator.sheets.cells import neutralise as neutralise
from survey.analysis.columns import STREET_NAME

# text: free text; number: a number; category: option text ↔ code 1..k; flag: 0/1 with labels.
Kind = Literal["text", "number", "category", "flag"]
# Options that mean "no usable answer": SPSS user-missing codes, left out of rates here too.
MISSING_OPTIONS: Final = frozenset({"说不清", "不适用", "记不清"})
FLAG_LABELS: Final = ((0, "否"), (1, "是"))
TICK_LABELS: Final = ((0, "未选"), (1, "选择"))
CODEBOOK_COLUMNS: Final = ["variable", "label", "type", "values", "missing"]


@dataclass(frozen=True)
class Variable:
    """One column of a download; `ticks` makes a 0/1 column from a multiple-choice list."""

    name: str
    label: str
    kind: Kind
    values: tuple[tuple[int, str], ...] = ()
    missing: tuple[int, ...] = ()
    ticks: tuple[str, str] | None = None  # (list column, option)
    # What each stored value means, in the order of `values`, when the value is a token
    # ("phone") rather than the words a resident saw: SPSS shows these as its value labels.
    meanings: tuple[str, ...] = ()

    def codes(self) -> dict[str, int]:
        """Option text → numeric code, for SPSS."""
        return {label: code for code, label in self.values}

    def value_labels(self) -> dict[int, str]:
        """Code → the label SPSS shows: the meaning if the value is a token, else the text."""
        meanings = self.meanings or tuple(label for _, label in self.values)
        return {code: meaning for (code, _), meaning in zip(self.values, meanings, strict=True)}

    def described(self) -> str:
        """The codebook's values: "1=非常满意；2=满意…", a token's meaning beside it."""
        meanings = self.meanings or ("",) * len(self.values)
        return "；".join(
            f"{code}={label}" + (f"（{meaning}）" if meaning else "")
            for (code, label), meaning in zip(self.values, meanings, strict=True)
        )


def category(name: str, label: str, options: Sequence[str]) -> Variable:
    """A single-choice variable coded 1..k in option order; no-answer options are user-missing."""
    values = tuple(enumerate(options, start=1))
    missing = tuple(code for code, option in values if option in MISSING_OPTIONS)
    return Variable(name, label, "category", values, missing)


# How the answers were collected (survey.storage.models.Response.mode).
MODE_VARIABLE: Final = Variable(
    "mode", "访问方式", "category", ((1, "web"), (2, "phone")), meanings=("网页自填", "电话访问")
)


def questionnaire_variables(questionnaire: Questionnaire) -> tuple[Variable, ...]:
    """Response metadata, then one variable per question (one 0/1 per multiple-choice option)."""
    out = [
        Variable("receipt", "回执码", "text"),
        Variable("topic", "议题", "text"),
        Variable("wave", "调查批次", "text"),
        Variable("version", "问卷版本", "text"),
        Variable("submitted_at", "提交时间（UTC，ISO 8601）", "text"),
        Variable("channel", "来源渠道", "text"),
        MODE_VARIABLE,
        Variable("interviewer", "访员代号（电话访问；不是姓名，不能关联到电话号码）", "text"),
        Variable("started_at", "访问开始时间（电话访问；UTC，ISO 8601）", "text"),
        Variable("suspect", "被系统标记为可疑", "flag", FLAG_LABELS),
        Variable("excluded", "被评估人员排除", "flag", FLAG_LABELS),
        # Why: an evaluator must be able to reproduce each figure and see what was left out.
        Variable("flags", "可疑标记原因（系统记录，多个以“；”分隔）", "text"),
        Variable("exclusion_reason", "排除理由（评估人员填写）", "text"),
    ]
    for q in questionnaire.questions:
        if q.kind == "single":
            out.append(category(q.id, q.label, q.options))
        elif q.kind == "multiple":
            out += [
                Variable(f"{q.id}_{i}", f"{q.label}：{o}", "flag", TICK_LABELS, ticks=(q.id, o))
                for i, o in enumerate(q.options, start=1)
            ]
        elif q.kind == "street":
            out.append(Variable(q.id, f"{q.label}（统计用区划代码）", "text"))
            out.append(Variable(STREET_NAME, f"{q.label}（名称）", "text"))
        else:
            out.append(Variable(q.id, q.label, "text"))
    return tuple(out)


# Single-choice questions whose options are an ordered scale (Likert items): SPSS measure
# Ordinal. Other single-choice questions are unordered codes: Nominal.
ORDERED: Final = frozenset({"satisfaction", "change", "solved", "awareness"})


def measure(variable: Variable) -> str:
    """The SPSS measure level: Likert items ordinal, counts and durations scale, else nominal."""
    if variable.kind == "number":
        return "scale"
    if variable.kind == "category" and variable.name in ORDERED:
        return "ordinal"
    return "nominal"


def spss_format(variable: Variable) -> str | None:
    """The SPSS print format of a numeric variable: whole-number codes and 0/1 flags as F<w>.0."""
    if variable.kind in ("flag", "category"):
        return f"F{len(str(max((code for code, _ in variable.values), default=1)))}.0"
    return None


def codebook(variables: Iterable[Variable]) -> pd.DataFrame:
    """variable, label, type, values ("1=非常满意；2=满意…") and missing codes, one row each."""
    rows = [
        (
            v.name,
            v.label,
            v.kind,
            v.described(),
            "；".join(str(code) for code in v.missing),
        )
        for v in variables
    ]
    return pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)


def prepare(chunk: pd.DataFrame, variables: Sequence[Variable]) -> pd.DataFrame:
    """The declared columns in order, text as text: what CSV and XLSX write."""
    lists = {v.ticks[0] for v in variables if v.ticks is not None and v.ticks[0] in chunk}
    # One row per ticked option, exploded once per list column (vectorised, no per-row Python).
    exploded = {name: chunk[name].explode() for name in lists}
    columns = {v.name: _column(chunk, v, exploded) for v in variables}
    return pd.DataFrame(columns, index=chunk.index)


def _column(chunk: pd.DataFrame, variable: Variable, exploded: dict[str, pd.Series]) -> pd.Series:
    """One declared column; a question nobody in this chunk answered is an empty column."""
    source = variable.ticks[0] if variable.ticks is not None else variable.name
    if source not in chunk:
        return pd.Series(0 if variable.kind == "flag" else None, index=chunk.index, dtype=object)
    if variable.ticks is not None:
        ticked = exploded[source] == variable.ticks[1]
        return ticked.groupby(level=0).any().reindex(chunk.index, fill_value=False).astype(int)
    values = chunk[variable.name]
    if variable.kind == "flag":
        return values.astype(bool).astype(int)
    if variable.kind == "number":
        return pd.to_numeric(values)
    if pd.api.types.is_datetime64_any_dtype(values):
        return iso_utc(values)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.astype(object)  # already text: skip the per-value conversion
    return values.map(_text, na_action="ignore").astype(object)


def iso_utc(values: pd.Series) -> pd.Series:
    """Times as ISO 8601 in UTC to the second (what the privacy notice promises); naive is UTC."""
    stamps = pd.to_datetime(values)
    utc = stamps.dt.tz_convert("UTC") if stamps.dt.tz is not None else stamps.dt.tz_localize("UTC")
    return utc.dt.strftime("%Y-%m-%dT%H:%M:%S+00:00").astype(object).where(values.notna(), None)


def _text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def coded(table: pd.DataFrame, variables: Sequence[Variable]) -> pd.DataFrame:
    """A prepared table with categories as their numeric codes, for SPSS; unknown text fails."""
    columns = {}
    for v in variables:
        if v.kind != "category":
            continue
        codes = table[v.name].map(v.codes())
        unknown = table[v.name].notna() & codes.isna()
        if unknown.any():
            raise ValueError(f"{v.name}：选项不在问卷中：{table.loc[unknown, v.name].iloc[0]}")
        columns[v.name] = codes.astype(float)
    return table.assign(**columns)


def guard_arrow(table: pa.Table) -> pa.Table:
    """`guard` for an Arrow table: the same apostrophe on the same cells, without a Python loop."""
    for index, name in enumerate(table.column_names):
        column = table.column(index)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        risky = pc.fill_null(pc.match_substring_regex(column, FORMULA_PATTERN), False)
        if pc.any(risky).as_py():
            quoted = pc.binary_join_element_wise(pa.scalar("'"), column, "")
            table = table.set_column(index, name, pc.if_else(risky, quoted, column))
    return table
