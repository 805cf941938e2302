"""一图: the flowchart's labels show each step's text exactly as typed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from generator.content.models.guide import Procedure
from generator.site.render.flowchart import render_svg

SVG = "{http://www.w3.org/2000/svg}"


def drawn_text(svg: str) -> str:
    """Every label's text as the browser shows it (XML references resolved), lines joined."""
    root = ET.fromstring(svg[svg.index("<svg") :])
    return "".join(node.text or "" for node in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("name", ["甲&amp;乙", "&#60;p&#62;", "&lt;办&gt;", "A & B", "a\\nb <i>"])
def test_references_and_markup_in_a_step_name_are_drawn_as_typed(name: str) -> None:
    procedure = Procedure.model_validate(
        {
            "title": "流程",
            "steps": [
                {"id": "apply", "name": name, "handler": "区政务服务中心", "next": "done"},
                {"id": "done", "name": "办结", "kind": "end"},
            ],
        }
    )
    drawn = drawn_text(render_svg(procedure, "流程图"))
    assert drawn.replace(" ", "") == f"第1步{name}第2步办结".replace(" ", "")
