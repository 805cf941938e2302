"""Header mapping shared by imports: aliases, a mapping file that wins, every problem at once."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from pydantic import RootModel

from generator.errors import ContentError
from generator.sheets.columns import (
    Fields,
    MappingError,
    load_mapping,
    ordered_fields,
    resolve_headers,
)

FIELDS = Fields(
    order=("id", "phone", "note"),
    required=("id", "phone"),
    aliases={"id": ("id", "编号"), "phone": ("电话", "手机")},
    labels={"id": "编号", "phone": "电话", "note": "备注"},
    guide="the guide",
)


class Mapping(RootModel[dict[str, Literal["id", "phone", "note"]]]):
    """A mapping file of these fields."""


def test_aliases_find_fields_and_the_mapping_wins_over_them() -> None:
    assert resolve_headers(["编号", " 电话"], None, FIELDS) == {"编号": "id", " 电话": "phone"}
    found = resolve_headers(["编号", "电话", "联系方式"], {"联系方式": "phone"}, FIELDS)
    assert found == {"编号": "id", "联系方式": "phone"}
    assert ordered_fields(found, FIELDS) == ["id", "phone"]


def test_every_problem_is_named_with_this_imports_labels_and_guide() -> None:
    with pytest.raises(MappingError) as caught:
        resolve_headers(["电话", "手机", "x"], {"没有的列": "note"}, FIELDS)
    said = str(caught.value)
    assert "“没有的列”不在文件中" in said
    assert "“电话”、“手机” 都对应 电话（phone）" in said
    assert "编号（id）" in said and "见 the guide" in said


def test_a_mapping_file_with_an_unknown_field_is_located(tmp_path: Path) -> None:
    path = tmp_path / "m.yml"
    path.write_text("联系方式: phone\n备注栏: remark\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_mapping(path, Mapping)
    assert "m.yml:2" in str(caught.value)
    path.write_text("联系方式: phone\n", encoding="utf-8")
    assert load_mapping(path, Mapping) == {"联系方式": "phone"}


def test_a_field_header_that_appears_twice_is_an_error_and_other_repeats_are_not() -> None:
    with pytest.raises(MappingError, match=r"“电话”列出现了 2 次，无法确定用哪一列"):
        resolve_headers(["编号", "电话", "电话"], None, FIELDS)
    assert resolve_headers(["编号", "电话", "x", "x"], None, FIELDS) == {
        "编号": "id",
        "电话": "phone",
    }
