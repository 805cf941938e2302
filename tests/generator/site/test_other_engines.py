"""ProperDocs and Zensical build the shipped (hostile) content through `yiti build`'s pipeline,
with the same checks after them, and refuse what MkDocs refuses."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.site import cli as site_cli
from generator.site import engine, other_engines
from generator.site.build import BuildReport, build
from generator.cli import main
from generator.errors import YitiError
from tests.generator.fixtures import BUILD_TIME
from tests.generator.links import broken_links, html_pages

OTHERS = [name for name in other_engines.ENGINES if name != other_engines.DEFAULT]


@pytest.fixture(params=OTHERS)
def other_site(
    request: pytest.FixtureRequest, tmp_path: Path, hostile_content: Path
) -> tuple[str, Path]:
    """The hostile content built by a candidate engine (which CI installs: `.[engines]`)."""
    name: str = request.param
    assert importlib.util.find_spec(name), f"{name} missing: pip install -e '.[dev,engines]'"
    site = tmp_path / "site"
    build(hostile_content, site, now=BUILD_TIME, store=tmp_path / "store", engine_name=name)
    return name, site


def test_another_engine_builds_every_page_with_working_links(
    other_site: tuple[str, Path], built_site: Path
) -> None:
    name, site = other_site
    ours = {p.relative_to(site) for p in html_pages(site)}
    assert ours == {p.relative_to(built_site) for p in html_pages(built_site)}, name
    assert broken_links(site) == []
    # The flowcharts and the theme's own scripts came through.
    assert list((site / "topics").rglob("*.svg"))
    assert (site / "assets/javascripts/yiti-search.js").is_file()


def _tiny_docs(folder: Path, text: str) -> Path:
    """A one-page site whose page says `text`; returns its config file."""
    (folder / "docs").mkdir(parents=True)
    (folder / "docs/index.md").write_text(text, encoding="utf-8")
    config = folder / "mkdocs.yml"
    config.write_text(
        "site_name: t\ndocs_dir: docs\nsite_dir: site\ntheme:\n  name: material\nplugins: []\n",
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize("name", other_engines.ENGINES)
def test_every_engine_refuses_a_broken_link(name: str, tmp_path: Path) -> None:
    config = _tiny_docs(tmp_path, "# 标题\n\n[办事指南](no-such-page.md)\n")
    with pytest.raises(engine.EngineError, match=r"no-such-page|does not exist"):
        engine.run(config, tmp_path / "site", name=name)


def test_an_engine_that_is_not_installed_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(YitiError, match=r"pip install 'yiti\[engines\]'"):
        engine.run(_tiny_docs(tmp_path, "# 标题\n"), tmp_path / "site", name="zensical")


def test_the_engine_is_chosen_on_the_command_line_or_by_yiti_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen: list[str] = []

    def fake_build(*args: object, engine_name: str, **kwargs: object) -> BuildReport:
        chosen.append(engine_name)
        return BuildReport(tmp_path, 0, 0)

    monkeypatch.setattr(site_cli, "build_site", fake_build)
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--engine", "properdocs"]).exit_code == 0
    assert runner.invoke(main, ["build"], env={"YITI_ENGINE": "zensical"}).exit_code == 0
    assert runner.invoke(main, ["build"], env={"YITI_ENGINE": ""}).exit_code == 0
    wrong = runner.invoke(main, ["build", "--engine", "hugo"])
    assert wrong.exit_code == 2 and "hugo" in wrong.output
    assert chosen == ["properdocs", "zensical", "mkdocs"]
