"""Synthetic hotline records for demos and benchmarks: `yiti monitor synth`.

Vectorised numpy, generated in chunks of a million rows so a 25-million-row year needs little
memory. Realistic in shape: seasonality (Spring Festival dip, summer peak, weekday and hour
of day), volume skewed across streets (district population × a log-normal street factor) and
categories, and topic keywords in the text of a share of records in the topic's categories,
falling through the topic's year as governance takes hold. Not real data.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from generator.monitor.columns import (
    CATEGORIES,
    DISTRICT,
    EXCLUDE,
    KEYWORDS,
    KINDS,
    NOT_RANKED_KIND,
    POPULATION,
    STREET,
    STREET_KIND,
    TOPIC_YEAR,
)
from generator.monitor.mapping import ALIASES
from generator.monitor.reading import InputError, file_format

CHUNK_ROWS = 1_000_000
# Shares of the published top categories (2020 list), plus everything else.
CATEGORY_SHARES = {
    "城乡建设": 0.15, "市场管理": 0.13, "住房": 0.12, "公共服务": 0.11, "交通管理": 0.08,
    "社会秩序": 0.08, "劳动和社会保障": 0.07, "医疗卫生": 0.06, "教育": 0.05, "疫情防控": 0.02,
    "其他": 0.13,
}  # fmt: skip
KIND_SHARES = (0.38, 0.25, 0.27, 0.05, 0.05)  # in KINDS order
MONTH_FACTORS = (0.9, 0.75, 0.95, 1.0, 1.05, 1.1, 1.2, 1.2, 1.0, 0.95, 1.0, 1.1)
WEEKDAY_FACTORS = (1.05, 1.05, 1.0, 1.0, 1.0, 0.9, 0.85)  # Monday first
HOUR_FACTORS = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.0, 2.4, 2.4, 2.0,
    1.5, 1.8, 2.2, 2.2, 2.0, 1.6, 1.2, 1.2, 1.1, 0.9, 0.6, 0.4,
)  # fmt: skip
TOPIC_RATE = 0.05  # share of a topic's category records that are about it, before governance
GENERIC = (
    "{c}方面的问题咨询", "反映{c}相关问题，希望尽快处理", "{c}问题多次反映未解决",
    "对{c}工作提出建议", "求助：{c}方面遇到困难", "举报{c}相关违规行为",
)  # fmt: skip
ABOUT_TOPIC = ("反映{k}问题，希望尽快解决", "咨询{k}怎么办理", "小区{k}问题多次反映未解决")
NEAR_MISS = "小区{e}{k}不够用"  # has a keyword and an exclude keyword: must not count
HEADERS = {field: names[1] for field, names in ALIASES.items()}  # the export's Chinese names


@dataclass(frozen=True)
class Model:
    """Everything drawn from, fixed for a run so every chunk shares the same skew."""

    year: int
    streets: pd.DataFrame  # DISTRICT, STREET, weight
    categories: tuple[str, ...]
    pool: tuple[str, ...]  # every text; records point into it
    topics: pd.DataFrame  # rules plus first/size of their texts and of near misses
    day_p: np.ndarray
    topic_share: float


def build_model(
    year: int, rules: pd.DataFrame, streets: pd.DataFrame, districts: pd.DataFrame,
    seed: int = 0, topic_share: float = 1.0,
) -> Model:  # fmt: skip
    """Fix the streets' skew, the texts and the calendar for one year."""
    pool = [g.format(c=c) for c in CATEGORY_SHARES for g in GENERIC]
    firsts, sizes, near_first, near_size = [], [], [], []
    for keywords, exclude in rules[[KEYWORDS, EXCLUDE]].itertuples(index=False, name=None):
        firsts.append(len(pool))
        pool += [f.format(k=k) for k in keywords for f in ABOUT_TOPIC]
        sizes.append(len(pool) - firsts[-1])
        near_first.append(len(pool))
        pool += [NEAR_MISS.format(e=e, k=keywords[0]) for e in exclude]
        near_size.append(len(pool) - near_first[-1])
    topics = rules.assign(first=firsts, size=sizes, near_first=near_first, near_size=near_size)
    return Model(
        year=year,
        streets=_street_weights(streets, districts, np.random.default_rng([seed, 7])),
        categories=tuple(CATEGORY_SHARES),
        pool=tuple(pool),
        topics=topics,
        day_p=_day_weights(year),
        topic_share=topic_share,
    )


def _street_weights(
    streets: pd.DataFrame, districts: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """District population shared among its streets, times a log-normal factor (σ = 0.8)."""
    per_district = streets.groupby(DISTRICT)[STREET].transform("size")
    people = streets[DISTRICT].map(districts.set_index(DISTRICT)[POPULATION]).astype("float64")
    zone = np.where(streets[STREET_KIND] == NOT_RANKED_KIND, 0.2, 1.0)
    weight = people / per_district * zone * rng.lognormal(0.0, 0.8, len(streets))
    return streets[[DISTRICT, STREET]].assign(weight=weight / weight.sum())


def _day_weights(year: int) -> np.ndarray:
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    weight = np.take(MONTH_FACTORS, days.month - 1) * np.take(WEEKDAY_FACTORS, days.day_of_week)
    return np.asarray(weight / weight.sum())


def topic_intensity(topic_year: int, year: int, month: np.ndarray) -> np.ndarray:
    """How common a topic's complaints are, relative to before it was chosen (1.0)."""
    if year < topic_year:
        return np.ones_like(month, dtype="float64")
    if year == topic_year:
        return 1.0 - 0.45 * (month - 1) / 11  # governance takes hold through the year
    return np.full_like(month, 0.5, dtype="float64")


def chunks(model: Model, records: int, seed: int = 0) -> Iterator[pa.Table]:
    """The year's records as Arrow tables of at most CHUNK_ROWS rows, with export headers."""
    for index, start in enumerate(range(0, records, CHUNK_ROWS)):
        rng = np.random.default_rng([seed, model.year, index])
        yield _chunk(model, rng, start, min(CHUNK_ROWS, records - start))


def _chunk(model: Model, rng: np.random.Generator, start: int, n: int) -> pa.Table:
    day = rng.choice(len(model.day_p), n, p=model.day_p)
    hour = rng.choice(24, n, p=np.asarray(HOUR_FACTORS) / sum(HOUR_FACTORS))
    seconds = day * 86_400 + hour * 3_600 + rng.integers(0, 3_600, n)
    when = np.datetime64(f"{model.year}-01-01", "s") + seconds.astype("timedelta64[s]")
    category = rng.choice(len(model.categories), n, p=list(CATEGORY_SHARES.values()))
    street = rng.choice(len(model.streets), n, p=model.streets["weight"].to_numpy())
    text = category * len(GENERIC) + rng.integers(0, len(GENERIC), n)
    month = when.astype("datetime64[M]").astype("int64") % 12 + 1
    text = _topic_texts(model, rng, category, month, text)
    places = model.streets.iloc[street]
    columns = {
        "request_id": model.year * 1_000_000_000 + start + np.arange(n, dtype="int64"),
        "received_at": when,
        "kind": _labels(rng.choice(len(KINDS), n, p=KIND_SHARES), KINDS),
        "category": _labels(category, model.categories),
        DISTRICT: places[DISTRICT].to_numpy(),
        STREET: places[STREET].to_numpy(),
        "text": _labels(text, model.pool),
    }
    return pa.table({HEADERS[k]: v for k, v in columns.items()})


def _topic_texts(
    model: Model, rng: np.random.Generator, category: np.ndarray, month: np.ndarray,
    text: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Give a share of each topic's category records a text naming one of its keywords.

    Topics sharing a category split its records by one draw per record, so a high
    --topic-share divides the records between them instead of the first taking them all.
    """
    rates = _topic_rates(model, category, month)
    draw = rng.random(len(text)) * np.maximum(sum(rates, np.zeros(len(text))), 1.0)
    low = np.zeros(len(text))
    about_any = np.zeros(len(text), dtype=bool)
    for topic, rate in zip(model.topics.to_dict("records"), rates, strict=True):
        about = (draw >= low) & (draw < low + rate)
        text = np.where(about, topic["first"] + rng.integers(0, topic["size"], len(text)), text)
        about_any |= about
        low += rate
    near_draw = rng.random(len(text))
    for topic, rate in zip(model.topics.to_dict("records"), rates, strict=True):
        if topic["near_size"]:
            near = ~about_any & (near_draw < rate * 0.2)
            pick = topic["near_first"] + rng.integers(0, topic["near_size"], len(text))
            text = np.where(near, pick, text)
    return text


def _topic_rates(model: Model, category: np.ndarray, month: np.ndarray) -> list[np.ndarray]:
    """Per topic, each record's chance of being about it (0 outside its categories)."""
    codes = {c: i for i, c in enumerate(model.categories)}
    out = []
    for topic in model.topics.to_dict("records"):
        cats = [codes[c] for c in topic[CATEGORIES] if c in codes]
        eligible = np.isin(category, cats) if cats else np.ones(len(category), dtype=bool)
        rate = (
            TOPIC_RATE * model.topic_share * topic_intensity(topic[TOPIC_YEAR], model.year, month)
        )
        out.append(np.where(eligible, rate, 0.0))
    return out


def _labels(codes: np.ndarray, values: tuple[str, ...]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(
        pa.array(codes, pa.int32()), pa.array(values, pa.string())
    )


def write_synth(path: Path, tables: Iterable[pa.Table], encoding: str = "utf-8") -> int:
    """Write chunks as CSV (in `encoding`) or Parquet, by the file's suffix; return the rows."""
    fmt = file_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    writer: pq.ParquetWriter | None = None
    with path.open("wb") as handle:
        for index, table in enumerate(tables):
            plain = table.cast(pa.schema([(f.name, _plain(f.type)) for f in table.schema]))
            if fmt == "parquet":
                writer = writer or pq.ParquetWriter(handle, plain.schema, compression="zstd")
                writer.write_table(plain)
            elif fmt == "csv":
                handle.write(_csv_bytes(plain, header=index == 0, encoding=encoding))
            else:
                raise InputError("synth 只能写 .csv 或 .parquet 文件")
            rows += plain.num_rows
        if writer is not None:
            writer.close()
    return rows


def _plain(kind: pa.DataType) -> pa.DataType:
    return pa.string() if pa.types.is_dictionary(kind) else kind


def _csv_bytes(table: pa.Table, header: bool, encoding: str) -> bytes:
    buffer = io.BytesIO()
    pacsv.write_csv(
        table, buffer, pacsv.WriteOptions(include_header=header, quoting_style="needed")
    )
    data = buffer.getvalue()
    return data if encoding.replace("-", "").lower() == "utf8" else data.decode().encode(encoding)
