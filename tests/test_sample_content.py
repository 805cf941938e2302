"""The shipped sample content is complete, clearly marked as sample, and names no real person."""

from __future__ import annotations

import pytest

from generator.content.loader import load_content
from generator.content.models import Topic
from tests.conftest import CONTENT

CONTENT_MODEL = load_content(CONTENT)
TOPICS = CONTENT_MODEL.topics


def test_at_least_eight_topics_span_2021_to_2024() -> None:
    assert len(TOPICS) >= 8
    assert {2021, 2022, 2023, 2024} <= {t.year for t in TOPICS}
    titles = {t.title for t in TOPICS}
    assert {"老楼加装电梯", "房产证办理难"} <= titles


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.slug)
def test_each_topic_is_complete_and_marked_as_sample(topic: Topic) -> None:
    assert topic.sample
    duty = topic.duty_list
    assert duty.city and duty.district and duty.street and duty.whistle
    assert len(topic.procedure.steps) >= 5
    assert any(s.kind == "decision" for s in topic.procedure.steps)
    assert len(topic.qa) >= 6
    assert len(topic.plan.targets) >= 2
    assert all(len(t.progress) >= 1 for t in topic.plan.targets)


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.slug)
def test_leader_is_a_role_not_a_name(topic: Topic) -> None:
    # A role names a portfolio; every sample role reads "分管…的副市长" or similar.
    assert "分管" in topic.governance.leader_role
