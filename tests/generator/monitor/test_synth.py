"""Synthetic records: valid, reproducible, seasonal, skewed, with topic keywords."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from generator.content.loader import Content
from generator.monitor.columns import CATEGORY, RECEIVED_AT, STREET, TOPIC
from generator.monitor.importer import read_valid
from generator.monitor.places import districts_frame, streets_frame
from generator.monitor.synth import build_model, chunks, topic_intensity, write_synth
from generator.monitor.topics import assign_topics, rules_frame


def synth(content: Content, path: Path, records: int, seed: int = 1) -> Path:
    rules = rules_frame(content.topics)
    streets, districts = streets_frame(content.directory), districts_frame(content.directory)
    model = build_model(2024, rules, streets, districts, seed=seed)
    write_synth(path, chunks(model, records, seed=seed))
    return path


def test_synthetic_records_import_without_a_single_reject(tmp_path: Path, content: Content) -> None:
    records, rejects, read = read_valid(
        synth(content, tmp_path / "s.csv", 3_000), content.directory
    )
    assert (read, len(records), len(rejects)) == (3_000, 3_000, 0)
    assert records[RECEIVED_AT].dt.year.eq(2024).all()


def test_the_same_seed_gives_the_same_file(tmp_path: Path, content: Content) -> None:
    a = synth(content, tmp_path / "a.csv", 500).read_bytes()
    b = synth(content, tmp_path / "b.csv", 500).read_bytes()
    assert a == b
    assert synth(content, tmp_path / "c.csv", 500, seed=2).read_bytes() != a


def test_gb18030_and_parquet_outputs_hold_the_same_records(
    tmp_path: Path, content: Content
) -> None:
    rules = rules_frame(content.topics)
    model = build_model(
        2024, rules, streets_frame(content.directory), districts_frame(content.directory)
    )
    write_synth(tmp_path / "g.csv", chunks(model, 200), encoding="gb18030")
    write_synth(tmp_path / "p.parquet", chunks(model, 200))
    csv, _, _ = read_valid(tmp_path / "g.csv", content.directory)
    parquet, _, _ = read_valid(tmp_path / "p.parquet", content.directory)
    pd.testing.assert_frame_equal(csv, parquet)


def test_volume_is_skewed_across_streets_and_categories(tmp_path: Path, content: Content) -> None:
    records, _, _ = read_valid(synth(content, tmp_path / "s.csv", 20_000), content.directory)
    per_street = records.groupby(STREET, observed=True).size().sort_values(ascending=False)
    assert per_street.iloc[:34].sum() > 0.2 * len(records)  # top 10% of streets: over 20%
    shares = records[CATEGORY].value_counts(normalize=True)
    assert shares.max() > 2 * shares.min()


def test_topic_keywords_appear_and_fall_through_the_topics_year(
    tmp_path: Path, content: Content
) -> None:
    records, _, _ = read_valid(synth(content, tmp_path / "s.csv", 40_000), content.directory)
    hits = assign_topics(records, rules_frame(content.topics))
    assert {"ebike-charging", "civil-dog-keeping", "property-fees"} <= set(hits[TOPIC])
    ebike = hits.loc[hits[TOPIC] == "ebike-charging", RECEIVED_AT].dt.month
    assert (ebike <= 3).sum() > (ebike >= 10).sum()


def test_intensity_is_flat_before_falls_during_and_stays_low_after() -> None:
    months = np.array([1, 12])
    assert topic_intensity(2024, 2023, months).tolist() == [1.0, 1.0]
    assert topic_intensity(2024, 2024, months).tolist() == [1.0, 0.55]
    assert topic_intensity(2024, 2025, months).tolist() == [0.5, 0.5]
