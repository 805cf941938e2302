"""`yiti survey publish-export`: published waves become content/results/ files build reads."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from flask import Flask

from generator.content.loader import load_content
from generator.content.published import load_published, results_dir
from survey.cli.main import survey
from tests.conftest import CONTENT
from tests.survey.conftest import TOPIC, WAVE, CheckingClient, Clock, state_of
from tests.survey.fieldwork.seeding import Spec, add_cases, add_response, add_wave
from tests.survey.staff.admin.test_views import AFTER_CLOSE, PUBLISH, UNPUBLISH, as_admin, token
from tests.survey.staff.evaluators.conftest import Answer, many, seed


def export(app: Flask, content: Path) -> str:
    """Run publish-export against `app`'s database into `content`; its output."""
    url = state_of(app).db.url
    command = ["publish-export", "--database", url, "--content", str(content)]
    result = CliRunner().invoke(survey, command)
    assert result.exit_code == 0, result.output
    return result.output


def test_published_wave_is_exported_and_withdrawn_wave_removed(
    app: Flask, client: CheckingClient, clock: Clock, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    seed(app, [*many(39, "满意"), Answer("不满意", comment="私人意见不应公开")])
    clock.now = AFTER_CLOSE
    as_admin(app, client)
    client.post(PUBLISH, {"csrf_token": token(client, PUBLISH)})

    assert "写入" in export(app, content)
    path = results_dir(content) / f"{WAVE}.yml"
    text = path.read_text(encoding="utf-8")
    assert "私人意见" not in text and "请勿手工修改" in text
    published = load_published(load_content(content))
    [(wave, results)] = published.by_topic[TOPIC]
    assert wave.id == WAVE
    assert results.satisfaction_rate.n == 40
    assert results.satisfaction_rate.value == 39 / 40
    assert "没有变化" in export(app, content)  # a second run rewrites nothing

    client.post(UNPUBLISH, {"csrf_token": token(client)})
    assert "已撤回" in export(app, content)
    assert not path.exists()
    assert load_published(load_content(content)).by_topic == {}


def test_a_wave_with_telephone_fieldwork_publishes_rr3_and_answers_by_mode(
    app: Flask, client: CheckingClient, clock: Clock, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    db = state_of(app).db
    seed(app, many(30, "满意"))
    for _ in range(10):
        add_response(db, TOPIC, WAVE, "phone", satisfaction="基本满意")
    add_wave(db, TOPIC, WAVE)
    # Issued: 10 complete, 5 refused, 10 never answered, 5 not eligible. e = 15 / 20 = 0.75, so
    # RR3 = 10 / (15 + 0.75 × 10) = 10 / 22.5 = 0.444…
    specs = [Spec("海淀区", final_code="1.1")] * 10 + [Spec("海淀区", final_code="2.11")] * 5
    specs += [Spec("海淀区", status="released", last_code="3.13", attempts=6)] * 10
    add_cases(db, TOPIC, WAVE, specs + [Spec("海淀区", final_code="4.30")] * 5)
    clock.now = AFTER_CLOSE
    as_admin(app, client)
    preview = client.get(PUBLISH)
    assert "电话调查共发放号码 30 个，完成访问 10 个，应答率 44.4%。" in preview.text()
    client.post(PUBLISH, {"csrf_token": token(client, PUBLISH)})
    export(app, content)
    [(_, results)] = load_published(load_content(content)).by_topic[TOPIC]
    assert results.fieldwork is not None
    assert results.fieldwork.response_rate == 10 / 22.5
    assert (results.fieldwork.web, results.fieldwork.phone) == (30, 10)
    assert (results.fieldwork.issued, results.fieldwork.completes) == (30, 10)
    others = load_published(load_content(content)).by_topic.get("civil-dog-keeping", [])
    assert all(r.fieldwork is None for _, r in others)
