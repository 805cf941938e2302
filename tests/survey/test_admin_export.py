"""`yiti survey publish-export`: published waves become content/results/ files build reads."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from flask import Flask

from generator.loader import load_content
from generator.published import load_published, results_dir
from survey.cli import survey
from tests.conftest import CONTENT
from tests.survey.conftest import TOPIC, WAVE, CheckingClient, Clock, state_of
from tests.survey.evaluators.conftest import Answer, many, seed
from tests.survey.test_admin import AFTER_CLOSE, PUBLISH, UNPUBLISH, as_admin, token


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
