"""The stratified sample, as pure functions: allocation by district, the draw, replicates.

Proportional allocation gives each district its share of the frame, rounded by largest
remainders (Hamilton's method: the sizes add up to exactly the sample, and no district is more
than one case from its exact share). A quotas file gives fixed sizes instead. The draw takes a
simple random sample without replacement in each district from numpy's Generator, so a seed
reproduces it exactly; the frame is ordered by contact id first, so the same frame drawn with
the same seed gives the same cases whatever order it was imported in. Each district's cases
are dealt in random order to K replicates, so every replicate is itself a stratified random
sample, and releasing one more replicate keeps the issued sample balanced.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from survey.fieldwork.frame import text_encoding
from survey.fieldwork.settings import FieldworkError

CASE_ID: Final = "id"
CONTACT_ID: Final = "contact_id"
DISTRICT: Final = "district"
REPLICATE: Final = "replicate"
SEED_LIMIT: Final = 2**31  # fieldwork_waves.seed is a 32-bit integer


def proportional(frame: pd.Series, size: int) -> pd.Series:
    """`size` cases over districts in proportion to `frame` (district → contacts).

    Largest remainders, in exact integers; equal remainders go to the larger district first,
    then in the series' order (the directory's), so the result never depends on chance.
    """
    total = int(frame.sum())
    if size < 1:
        raise FieldworkError("--size 至少为 1")
    if size > total:
        raise FieldworkError(f"--size {size} 超过名单中可抽的联系人数 {total}")
    shares = frame.astype("int64") * size
    sizes = shares // total
    remainders = shares % total
    order = sorted(
        range(len(frame)), key=lambda i: (-int(remainders.iloc[i]), -int(frame.iloc[i]), i)
    )
    sizes.iloc[order[: size - int(sizes.sum())]] += 1
    return sizes.astype("int64")


def fixed_sizes(path: Path, frame: pd.Series, districts: tuple[str, ...]) -> pd.DataFrame:
    """Sizes (and optional completes) per district from a quotas CSV: `district,size[,completes]`.

    Every problem is named with its row: a district that is not Beijing's, one listed twice,
    a size that is not a whole number or is more than the frame holds.
    """
    rows = _rows(path)
    problems: list[str] = []
    out = pd.DataFrame({"size": 0, "completes": pd.NA}, index=pd.Index(districts, name=DISTRICT))
    seen: set[str] = set()
    for number, row in rows:
        name = (row.get(DISTRICT) or "").strip()
        where = f"{path.name} 第 {number} 行"
        if name not in out.index:
            problems.append(f"{where}：“{name}”不是北京市的区")
            continue
        if name in seen:
            problems.append(f"{where}：{name} 重复出现")
        seen.add(name)
        size = _whole(row.get("size"), f"{where}：size", problems)
        available = int(frame.get(name, 0))
        if size is not None and size > available:
            problems.append(f"{where}：{name} 要抽 {size} 个，名单中只有 {available} 个可抽")
        out.loc[name, "size"] = size or 0
        if (row.get("completes") or "").strip():
            out.loc[name, "completes"] = _whole(
                row.get("completes"), f"{where}：completes", problems
            )
    if not problems and int(out["size"].sum()) == 0:
        problems.append(f"{path.name}：没有任何区要抽样（size 全为 0）")
    if problems:
        raise FieldworkError("配额文件有问题：\n" + "\n".join(problems))
    return out


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The quotas file's rows by header (UTF-8, with or without BOM, or GB18030), each with
    its line number: blank rows are left out, so counting the rows kept would misplace the
    problems after one."""
    raw = path.read_bytes()
    text = raw.decode(text_encoding(raw[: 256 << 10]))
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if DISTRICT not in header or "size" not in header:
        raise FieldworkError(
            f"{path.name}：表头应为 district,size（可加 completes），实际为 {','.join(header)}"
        )
    reader.fieldnames = header
    return [
        (reader.line_num, row) for row in reader if any((v or "").strip() for v in row.values())
    ]


def _whole(text: str | None, where: str, problems: list[str]) -> int | None:
    value = (text or "").strip()
    if not value.isdigit():
        problems.append(f"{where} 应为不小于 0 的整数，实际为“{value}”")
        return None
    return int(value)


def draw(cases: pd.DataFrame, sizes: pd.Series, replicates: int, seed: int) -> pd.DataFrame:
    """CASE_ID and REPLICATE (1…K) of the drawn cases: `sizes[d]` from each district d."""
    if not 1 <= replicates <= int(sizes.sum()):
        raise FieldworkError(f"--replicates {replicates}：应在 1 和样本量 {int(sizes.sum())} 之间")
    rng = np.random.default_rng(seed)
    ordered = cases.sort_values(CONTACT_ID, kind="stable")
    parts = []
    dealt = 0  # the deal goes on from district to district, so small ones spread evenly too
    for district, wanted in sizes.items():
        pool = ordered.loc[ordered[DISTRICT] == district, CASE_ID].to_numpy()
        picked = rng.choice(pool, size=int(wanted), replace=False)
        groups = (dealt + np.arange(len(picked))) % replicates + 1
        dealt += len(picked)
        parts.append(pd.DataFrame({CASE_ID: picked, REPLICATE: groups}))
    return (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[CASE_ID, REPLICATE])
    )


def new_seed() -> int:
    """A seed for a draw the user gave none: recorded, so the draw can still be reproduced."""
    return int(np.random.default_rng().integers(0, SEED_LIMIT))
