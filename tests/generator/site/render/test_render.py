"""Golden Markdown for a fixture topic: what editors' YAML becomes, byte for byte.

Regenerate after an intended change with:

    YITI_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/generator/site/render/test_render.py

and review the diff of tests/generator/site/render/golden/ before committing it.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from generator.content.loader import load_content
from generator.content.models import Topic
from generator.site.render.pages import OPTIONAL_SECTIONS, SECTIONS, site_context
from generator.site.render.site import render_topic
from tests.conftest import CONTENT

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
FIXTURE = HERE.parents[1] / "data" / "golden-topic.yml"
NOW = datetime(2022, 6, 20, 4, 0, tzinfo=UTC)  # during the fixture's 2022-mid wave


def rendered() -> dict[str, str]:
    """The fixture topic's pages; the inline SVG (Graphviz's own output) is cut out."""
    content = load_content(CONTENT)
    topic = Topic.model_validate(yaml.safe_load(FIXTURE.read_text(encoding="utf-8")))
    pages = render_topic(content, topic, NOW, site_context(content, NOW))
    return {
        Path(path).name: re.sub(
            r"<svg\b.*?</svg>", "<svg><!-- dot output --></svg>", text, flags=re.S
        )
        for path, text in pages.items()
        if path.endswith(".md")
    }


PAGES = rendered()


@pytest.mark.parametrize("name", [s.filename for s in SECTIONS if s.key not in OPTIONAL_SECTIONS])
def test_page_matches_its_golden_file(name: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("YITI_REGENERATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(PAGES[name], encoding="utf-8")
    assert PAGES[name] == golden.read_text(encoding="utf-8"), f"regenerate: see {__doc__}"


def test_without_records_there_is_no_monitoring_page() -> None:
    assert "monitoring.md" not in PAGES
    assert "monitoring.md" not in PAGES["index.md"]


def test_open_wave_links_to_the_survey() -> None:
    assert "/survey/golden-topic/2022-mid/?channel=link" in PAGES["index.md"]
