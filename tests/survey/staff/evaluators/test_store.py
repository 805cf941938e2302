"""Reading and writing for the results pages: grouped counts equal the responses one by one,
exclusions keep the first reason, comments skip excluded and blank answers."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from flask import Flask

from survey.analysis.breakdown import by_district, drivers
from survey.analysis.columns import WENT_BADLY, WENT_WELL
from survey.analysis.frame import responses_frame
from survey.analysis.rates import summary
from survey.staff.evaluators import store
from survey.storage.audit import entries
from survey.storage.repository import responses
from tests.survey.conftest import NOW, TOPIC, WAVE, state_of
from tests.survey.staff.evaluators.conftest import Answer, literal_set, many, seed

ACTOR = store.Actor("eva@example.org", NOW)


def test_grouped_counts_give_the_same_figures_as_the_responses_one_by_one(app: Flask) -> None:
    ids = seed(
        app,
        literal_set()
        + many(3, "满意", district="朝阳区", went_well=("反馈及时", "办理时间更短"))
        + many(2, "不满意", went_badly=("没有反馈",), flags=("busy_device",)),
    )
    db = state_of(app).db
    store.exclude(db, ACTOR, TOPIC, WAVE, ids[0], "测试")
    store.exclude(db, ACTOR, TOPIC, WAVE, ids[-1], "测试")
    rows = [
        {c: getattr(r, c) for c in ("id", "topic", "wave", "district", "satisfaction")}
        | {"answers": r.answers, "flags": r.flags}
        for r in responses(db, TOPIC, WAVE)
    ]
    one_by_one = responses_frame(rows, {ids[0], ids[-1]})
    grouped = store.frame(db, [TOPIC], [WAVE])
    definition = state_of(app).content.site.satisfaction
    pd.testing.assert_frame_equal(summary(grouped, definition), summary(one_by_one, definition))
    pd.testing.assert_frame_equal(
        by_district(grouped, definition), by_district(one_by_one, definition)
    )
    for column in (WENT_WELL, WENT_BADLY):
        pd.testing.assert_frame_equal(drivers(grouped, column), drivers(one_by_one, column))


def test_excluding_twice_keeps_the_first_reason_and_logs_once(app: Flask) -> None:
    [first] = seed(app, many(1, "满意"))
    db = state_of(app).db
    assert store.exclude(db, ACTOR, TOPIC, WAVE, first, "第一次")
    assert store.exclude(db, ACTOR, TOPIC, WAVE, first, "第二次")
    [row], _ = store.listed(db, TOPIC, WAVE, 0, 10)
    assert row.reason == "第一次"
    assert [e.action for e in entries(db)].count("exclusion.add") == 1


def test_comments_are_newest_first_without_excluded_or_blank_ones(app: Flask) -> None:
    ids = seed(
        app,
        [
            Answer("满意", comment="最早"),
            Answer("满意", comment="被排除"),
            Answer("满意", comment="   "),
            Answer("满意"),
            Answer("满意", comment="最新"),
        ],
    )
    db = state_of(app).db
    store.exclude(db, ACTOR, TOPIC, WAVE, ids[1], "辱骂")
    shown, total = store.comments(db, TOPIC, WAVE, limit=1)
    assert total == 2 and [c.text for c in shown] == ["最新"]
    assert shown[0].submitted_at == NOW - timedelta(days=1) + timedelta(minutes=4)


def test_a_simultaneous_second_exclusion_is_refused_by_the_database_and_not_logged(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    [first] = seed(app, many(1, "满意"))
    db = state_of(app).db
    store.exclude(db, ACTOR, TOPIC, WAVE, first, "先到")
    monkeypatch.setattr(store, "_exclusion", lambda *_: None)  # as if read before the first commit
    assert store.exclude(db, ACTOR, TOPIC, WAVE, first, "后到")
    [row], _ = store.listed(db, TOPIC, WAVE, 0, 10)
    assert row.reason == "先到"
    assert [e.action for e in entries(db)].count("exclusion.add") == 1
