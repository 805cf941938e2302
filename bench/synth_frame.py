"""A synthetic telephone frame CSV for bench/fieldwork.py: fake contacts at Beijing's scale.

Ids, phones in the written forms evaluators' files use (138 0013 8000, +86-…, 010-6512 3456),
districts by 2020 census population, a street of the district, two attribute columns, and a
few bad phones and repeated phones, so the import's checks have work to do. Not real data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from generator.content.loader import load_content

ROOT = Path(__file__).resolve().parent.parent
MOBILE_PREFIXES = (
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "182",
    "183",
    "187",
    "188",
    "130",
    "131",
    "132",
    "155",
    "156",
    "185",
    "186",
    "133",
    "153",
    "180",
    "181",
    "189",
    "199",
    "177",
)


def write_frame(path: Path, n: int, seed: int = 16) -> Path:
    """The synthetic frame CSV (made once, then reused)."""
    if path.is_file():
        return path
    content = load_content(ROOT / "content")
    rng = np.random.default_rng(seed)
    districts = content.directory.districts
    weights = np.array([d.population_2020 for d in districts], float)
    streets = {
        d.name: [s.name for s in content.directory.streets if s.district == d.name]
        for d in districts
    }
    draft = path.with_suffix(".tmp")
    with draft.open("w", encoding="utf-8", newline="") as handle:
        for start in range(0, n, 100_000):
            size = min(100_000, n - start)
            picked = [
                districts[i].name
                for i in rng.choice(len(districts), size, p=weights / weights.sum())
            ]
            table = pd.DataFrame(
                {
                    "编号": [f"C{start + i:08d}" for i in range(size)],
                    "联系电话": _phones(rng, start, size),
                    "区": picked,
                    "街道": [str(rng.choice(streets[d])) for d in picked],
                    "来电日期": "2026-10-01",
                    "诉求摘要": "小区充电桩不够用",
                }
            )
            table.to_csv(handle, header=start == 0, index=False)
    draft.replace(path)
    return path


def _phones(rng: np.random.Generator, start: int, size: int) -> list[str]:
    """Unique numbers in the written forms frames use; 0.2 % bad, 0.2 % repeats."""
    serial = np.arange(start, start + size)
    prefix = np.array(MOBILE_PREFIXES)[serial % len(MOBILE_PREFIXES)]
    body = [f"{p}{s // len(MOBILE_PREFIXES):08d}" for p, s in zip(prefix, serial, strict=True)]
    forms = rng.integers(0, 20, size)
    out = []
    for number, form, s in zip(body, forms, serial, strict=True):
        if form == 0:
            out.append(f"010-6{s % 10_000_000:07d}")
        elif form == 1:
            out.append(f"+86 {number[:3]} {number[3:7]} {number[7:]}")
        elif form == 2:
            out.append(f"{number[:3]}-{number[3:7]}-{number[7:]}")
        else:
            out.append(number)
    bad = rng.random(size) < 0.002
    repeat = rng.random(size) < 0.002
    return [
        ("12345" if b else (out[0] if r else p)) for p, b, r in zip(out, bad, repeat, strict=True)
    ]
