"""Targets and records on one scale: a topic's target that counts its 12345 requests a month
(`monitored: true`) against the volume the monitoring of the same topic counts.

A topic page shows both, one above the other: a baseline of 3,400 a month beside 4 requests in
a half month tells the reader that one of them is wrong. With real records a gap that wide
means the target or the topic's keyword rule is wrong; with the shipped sample it means the
sample content is not on the sample records' scale (content/monitoring/README.md).

half_month = monitoring_for_site(content, records).half_month
scale_problems(content, half_month)   # [] when every monitored baseline is within 10×
"""

from __future__ import annotations

import pandas as pd

from generator.content.loader import Content
from generator.errors import Problem
from generator.monitor.columns import PARTIAL, TOPIC, VOLUME

MAX_FACTOR = 10.0  # an order of magnitude
# Below one request a month both figures are noise: 0.3 against 0 is no contradiction.
FLOOR = 1.0  # requests a month


def monthly_volume(half_month: pd.DataFrame) -> pd.Series:
    """Per topic: the mean requests a month over the complete half months the site shows."""
    complete = half_month.loc[~half_month[PARTIAL].astype(bool)]
    per_half: pd.Series = complete.groupby(TOPIC)[VOLUME].mean()
    return per_half * 2


def apart(figure: float, volume: float) -> bool:
    """Whether two monthly figures differ by more than MAX_FACTOR (each at least FLOOR)."""
    low, high = sorted((max(figure, FLOOR), max(volume, FLOOR)))
    return high > MAX_FACTOR * low


def scale_problems(content: Content, half_month: pd.DataFrame) -> list[Problem]:
    """Each monitored target whose baseline is not on the scale of its topic's records."""
    volumes = monthly_volume(half_month)
    out = []
    for topic in content.topics:
        if topic.slug not in volumes.index:
            continue  # the records do not reach this topic's years: nothing to compare
        volume = float(volumes[topic.slug])
        for i, target in enumerate(topic.plan.targets):
            if target.monitored and apart(target.baseline, volume):
                message = (
                    f"基线 {target.baseline:g} {target.unit}与本议题监测到的月均诉求量 "
                    f"{volume:.1f} 件相差超过 {MAX_FACTOR:g} 倍：请核对基线，"
                    "或本议题 monitoring 的分类和关键词（示例内容见 content/monitoring/README.md）"
                )
                where = ("plan", "targets", i, "baseline")
                out.append(content.sources[topic.slug].problem(where, message))
    return out
