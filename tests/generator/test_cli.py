"""The `yiti` command through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.content.schema import SCHEMAS, render
from tests.conftest import CONTENT, ROOT
from tests.generator.conftest import ELEVATORS, edit


@pytest.fixture
def runner() -> CliRunner:
    """A click runner."""
    return CliRunner()


def test_check_on_shipped_content_prints_a_summary(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--content", str(CONTENT)])
    assert result.exit_code == 0, result.output
    assert "内容检查通过" in result.output
    assert "流程步骤" in result.output and "问答" in result.output
    assert "16 个区，343 个街乡镇" in result.output


def test_check_on_broken_content_lists_every_problem_and_exits_1(
    runner: CliRunner, content_dir: Path
) -> None:
    line_a = edit(content_dir / ELEVATORS, "          to: mediation", "          to: gone")
    line_b = edit(content_dir / ELEVATORS, "  districts: [东城区,", "  districts: [火星区,")
    result = runner.invoke(main, ["check", "--content", str(content_dir)])
    assert result.exit_code == 1
    assert f"{ELEVATORS}:{line_a}: procedure.steps[1].branches[1].to:" in result.output
    assert f"{ELEVATORS}:{line_b}: governance.districts[0]:" in result.output
    assert "发现 2 个问题" in result.output
    assert "Traceback" not in result.output


def test_check_on_a_missing_folder_says_so(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["check", "--content", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "内容目录不存在" in result.output


def test_schema_writes_both_schemas(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    topic = json.loads((tmp_path / "topic.schema.json").read_text(encoding="utf-8"))
    assert "procedure" in topic["properties"]
    assert topic["additionalProperties"] is False


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_is_current(name: str) -> None:
    committed = (ROOT / "schema" / name).read_text(encoding="utf-8")
    assert committed == render(SCHEMAS[name]), "run `yiti schema` and commit schema/"


@pytest.mark.parametrize("command", [[], ["check"], ["schema"], ["build"], ["serve"]])
def test_every_command_has_useful_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 5


def test_check_also_reads_published_results(runner: CliRunner, content_dir: Path) -> None:
    results = content_dir / "results"
    results.mkdir()
    (results / "2024-end.yml").write_text("wave: 2024-end\npublished_at: soon\n", encoding="utf-8")
    result = runner.invoke(main, ["check", "--content", str(content_dir)])
    assert result.exit_code == 1
    assert "results/2024-end.yml:2: published_at:" in result.output
