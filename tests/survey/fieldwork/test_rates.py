"""Dispositions counted by the database: only the issued sample, per code and per group."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from survey.analysis.aapor import GroupCounts
from survey.fieldwork.rates import dispositions, fieldwork_topics, frame_districts
from survey.storage.db import Database
from tests.survey.fieldwork.seeding import Spec, add_cases, add_wave

TOPIC, OTHER, WAVE = "ebike-charging", "civil-dog-keeping", "2026-end"
SPECS = [
    Spec("海淀区", status="frame"),  # never drawn: not in the sample
    Spec("海淀区", status="drawn"),  # drawn, replicate not released: not issued
    Spec("海淀区", status="released"),  # issued, never called: 3.11
    Spec("朝阳区", status="released", last_code="3.13", attempts=2),  # no answer yet
    Spec("朝阳区", status="held", last_code="2.21", attempts=1),  # callback booked
    Spec("海淀区", final_code="1.1", attempts=1),
    Spec("海淀区", final_code="1.1", attempts=3),
    Spec("朝阳区", final_code="1.1", attempts=2),
    Spec("朝阳区", final_code="2.11", attempts=1),
    Spec("丰台区", final_code="4.30", attempts=1),
]


def test_only_released_cases_count_each_under_its_final_or_last_code(
    migrated_db: Database,
) -> None:
    add_wave(migrated_db, TOPIC, WAVE)
    add_cases(migrated_db, TOPIC, WAVE, SPECS)
    add_wave(migrated_db, OTHER, WAVE)
    add_cases(migrated_db, OTHER, WAVE, [Spec("海淀区", final_code="1.1")], first=100)
    found = dispositions(migrated_db, [TOPIC, OTHER], WAVE)[TOPIC]
    assert [(c.code, c.group, c.cases) for c in found.codes] == [
        ("1.1", "I", 3),
        ("2.11", "R", 1),
        ("2.21", "NC", 1),
        ("3.11", "UH", 1),
        ("3.13", "UH", 1),
        ("4.30", "NE", 1),
    ]
    assert found.codes[3].label == "已发放、未拨打"
    assert found.issued == 8
    assert found.groups() == GroupCounts(I=3, R=1, NC=1, UH=2, NE=1)


def test_a_topic_without_fieldwork_is_absent_not_empty(migrated_db: Database) -> None:
    add_wave(migrated_db, TOPIC, WAVE)
    found = dispositions(migrated_db, [TOPIC, OTHER], WAVE)
    assert list(found) == [TOPIC]
    assert found[TOPIC].codes == () and found[TOPIC].groups() == GroupCounts()
    assert fieldwork_topics(migrated_db, [TOPIC, OTHER], "2026-mid") == set()


def test_the_counts_come_from_one_grouped_query(migrated_db: Database) -> None:
    add_wave(migrated_db, TOPIC, WAVE)
    add_cases(migrated_db, TOPIC, WAVE, SPECS)
    statements: list[str] = []

    def listen(*args: Any) -> None:
        statements.append(args[2])

    event.listen(migrated_db.engine, "before_cursor_execute", listen)
    try:
        dispositions(migrated_db, [TOPIC], WAVE)
    finally:
        event.remove(migrated_db.engine, "before_cursor_execute", listen)
    on_cases = [s for s in statements if "fieldwork_cases" in s]
    assert len(on_cases) == 1 and "GROUP BY" in on_cases[0]


def test_the_frame_distribution_counts_every_contact_by_district(migrated_db: Database) -> None:
    add_cases(migrated_db, TOPIC, WAVE, SPECS)
    assert frame_districts(migrated_db, TOPIC, WAVE) == {"海淀区": 5, "朝阳区": 4, "丰台区": 1}
