"""A synthetic telephone frame for `make run`: one topic's current wave, opened, drawn, released.

So a newcomer's interviewer account has cases to call at once. The numbers are a run of
138-0000-xxxx, which no resident holds in a frame of ours, and every case is flagged
`sample` (the import refuses to mix them with a real frame, and `yiti survey sample-data`,
which calls this, is refused in production). Idempotent: a wave that already has fieldwork
or cases is left alone.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from generator.content.loader import Content
from survey.cli.sample import sample_targets
from survey.fieldwork import draw
from survey.fieldwork.crypto import PhoneCipher
from survey.fieldwork.frame import CONTACT_ID, DISTRICT, PHONE, ROW, STREET
from survey.fieldwork.importer import Target, import_frame
from survey.fieldwork.settings import DEFAULT_ATTEMPTS, open_fieldwork
from survey.fieldwork.tables import Case, FieldworkWave
from survey.storage.db import Database

CONTACTS: Final = 2000  # frame size; phones 138-0000-0000 … 138-0000-1999
DRAWN: Final = 600
COMPLETES: Final = 200
REPLICATES: Final = 3
SEED: Final = 2026
BATCH: Final = "sample-frame"
# Round the clock, so a newcomer can try an interview whenever they run make run; a real wave
# keeps to the hours the evaluator sets (default 09:00-21:00).
HOURS: Final = "00:00-24:00"


def sample_wave(content: Content, now: datetime) -> tuple[str, str] | None:
    """The topic and wave to fill: the latest wave opened by `now`, open-access topics first."""
    opens = {w.id: w.opens for w in content.site.waves}
    found = sorted(
        sample_targets(content, now),
        key=lambda q: (opens[q.wave], q.access == "open", q.topic),
        reverse=True,
    )
    return (found[0].topic, found[0].wave) if found else None


def frame_rows(content: Content, count: int = CONTACTS, seed: int = SEED) -> pd.DataFrame:
    """`count` fake contacts in the frame reader's shape: districts by census population."""
    rng = np.random.default_rng(seed)
    districts = content.directory.districts
    weights = np.array([d.population_2020 for d in districts], dtype=float)
    picked = rng.choice(len(districts), size=count, p=weights / weights.sum())
    names = [districts[i].name for i in picked]
    by_district = {
        d.name: [s.name for s in content.directory.streets if s.district == d.name]
        for d in districts
    }
    streets = [str(rng.choice(by_district[n])) if by_district[n] else "" for n in names]
    return pd.DataFrame(
        {
            ROW: np.arange(2, count + 2),
            CONTACT_ID: [f"SAMPLE-{i:05d}" for i in range(count)],
            PHONE: [f"138-0000-{i:04d}" for i in range(count)],
            DISTRICT: names,
            STREET: streets,
            "示例": "是",
        }
    )


def store_sample_fieldwork(
    db: Database, cipher: PhoneCipher, content: Content, now: datetime, actor: str
) -> str | None:
    """Import, open, draw and release the sample frame; a message, or None if already there."""
    chosen = sample_wave(content, now)
    if chosen is None:
        return None
    topic, wave = chosen
    with db.transaction() as session:
        opened = session.get(FieldworkWave, chosen) is not None
        cases = session.scalar(
            select(func.count(Case.id)).where(Case.topic == topic, Case.wave == wave)
        )
    if opened or cases:
        return None
    with tempfile.TemporaryDirectory() as folder:  # no rejects: the rows are made valid
        rejects = Path(folder) / "rejects.csv"
        target = Target(topic, wave, BATCH, sample=True)
        detail = {"file": "(示例名单)"}
        import_frame(
            db, cipher, content, target, [frame_rows(content)], rejects, (now, actor, detail)
        )
    open_fieldwork(db, topic, wave, HOURS, DEFAULT_ATTEMPTS, now, actor)
    districts = tuple(d.name for d in content.directory.districts)
    plan = draw.Plan(DRAWN, None, COMPLETES, REPLICATES, SEED)
    draw.draw_sample(db, topic, wave, districts, plan, (now, actor))
    replicate, released = draw.release(db, topic, wave, None, (now, actor))
    return (
        f"已写入示例电话调查：{topic} {wave}，名单 {CONTACTS} 人（号码 138-0000-xxxx），"
        f"抽样 {DRAWN} 个分 {REPLICATES} 组，已发放第 {replicate} 组 {sum(released.values())} 个"
    )
