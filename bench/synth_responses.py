"""Synthetic stored responses for bench/export.py: a million plausible rows, written fast.

Fourteen topics (one holding 30% of the rows), two waves, skewed answers, a few flagged rows
and comments a spreadsheet would run as formulas; inserted through the survey's own schema.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import insert

from survey.storage.db import Database
from survey.storage.models import Response

TOPICS = [f"topic-{i:02d}" for i in range(14)]
SHARES = np.array([0.3] + [0.7 / 13] * 13)  # one large topic, 13 of equal size
WAVES = ("2024-mid", "2024-end")
SCALE = ("非常满意", "满意", "基本满意", "不满意", "非常不满意", "说不清")
SCALE_P = (0.35, 0.35, 0.15, 0.07, 0.03, 0.05)
WELL = (
    "办事流程更简便",
    "办理时间更短",
    "工作人员态度好",
    "信息公开清楚",
    "问题真正得到解决",
    "反馈及时",
)
COMMENTS = ("充电桩不够用，晚上经常排队。", '=HYPERLINK("http://example.invalid")', "谢谢！")


def synthetic(
    n: int, start: int, rng: np.random.Generator, districts: list[str]
) -> list[dict[str, Any]]:
    """n stored responses with ids from `start`: plausible answers, a few flags and comments."""
    pick = {
        "topic": rng.choice(TOPICS, n, p=SHARES),
        "wave": rng.choice(WAVES, n),
        "district": rng.choice(districts, n),
        "satisfaction": rng.choice(SCALE, n, p=SCALE_P),
        "solved": rng.choice(("已解决", "部分解决", "未解决", "不适用"), n),
        "awareness": rng.choice(("知道，并了解具体措施", "听说过", "不知道"), n),
        "ticks": rng.integers(0, 64, n),
        "comment": rng.choice([*COMMENTS, ""], n, p=(0.05, 0.01, 0.04, 0.9)),
        "flag": rng.random(n) < 0.02,
    }
    at = pd.Timestamp("2024-06-20T02:00:00Z")
    return [_record(start + i, {k: v[i] for k, v in pick.items()}, at) for i in range(n)]


def _record(id_: int, a: dict[str, Any], at: pd.Timestamp) -> dict[str, Any]:
    went_well = [o for bit, o in enumerate(WELL) if int(a["ticks"]) >> bit & 1]
    answers = {
        "awareness": str(a["awareness"]),
        "change": "有所改善",
        "solved": str(a["solved"]),
        "satisfaction": str(a["satisfaction"]),
        "went_well": went_well,
        "went_badly": [],
        "district": str(a["district"]),
        "hotline": "没打过",
    }
    if a["comment"]:
        answers["comment"] = str(a["comment"])
    return {
        "id": id_,
        "submission_id": f"{id_:032x}",
        "receipt": f"{id_:016x}",
        "topic": str(a["topic"]),
        "wave": str(a["wave"]),
        "version": "standard@1",
        "submitted_at": at.to_pydatetime(),
        "channel": "sms",
        "district": str(a["district"]),
        "street": None,
        "satisfaction": str(a["satisfaction"]),
        "answers": answers,
        "digest": "0" * 64,
        "flags": ["too_fast"] if a["flag"] else [],
        "source": "0" * 16,
    }


def load(db: Database, total: int, districts: list[str]) -> None:
    """Insert `total` synthetic responses in batches (not timed as part of any download)."""
    rng = np.random.default_rng(20261127)
    batch = 50_000
    for start in range(1, total + 1, batch):
        rows = synthetic(min(batch, total - start + 1), start, rng, districts)
        with db.engine.begin() as connection:
            connection.execute(insert(Response), rows)
