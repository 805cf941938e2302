"""Which export column holds which field."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import ContentError
from generator.monitor.mapping import MappingError, load_mapping, resolve_headers

EXPORT = ["工单编号", "受理时间", "诉求性质", "问题分类", "区", "街乡镇", "诉求内容", "备注"]


def test_common_chinese_headers_are_recognised_without_a_mapping() -> None:
    found = resolve_headers(EXPORT)
    assert found == {
        "工单编号": "request_id",
        "受理时间": "received_at",
        "诉求性质": "kind",
        "问题分类": "category",
        "区": "district",
        "街乡镇": "street",
        "诉求内容": "text",
    }


def test_a_mapping_names_headers_the_aliases_do_not_know() -> None:
    headers = ["单号", "来件时间", "诉求性质", "问题分类", "区", "街乡镇"]
    found = resolve_headers(headers, {"单号": "request_id", "来件时间": "received_at"})
    assert found["单号"] == "request_id" and found["来件时间"] == "received_at"
    assert "text" not in found.values()  # text is optional


def test_missing_required_columns_are_named_with_the_headers_found() -> None:
    with pytest.raises(MappingError) as caught:
        resolve_headers(["单号", "区", "街乡镇"])
    message = str(caught.value)
    assert "诉求编号（request_id）" in message and "受理时间（received_at）" in message
    assert "文件的列为：单号、区、街乡镇" in message and "--mapping" in message


def test_a_mapping_file_with_an_unknown_field_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yml"
    path.write_text("单号: request_id\n来件时间: receive_time\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_mapping(path)
    assert ":2: 来件时间:" in str(caught.value)


def test_a_mapping_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yml"
    path.write_text("单号: request_id\n", encoding="utf-8")
    assert load_mapping(path) == {"单号": "request_id"}


def test_two_columns_for_one_field_are_an_error_naming_both() -> None:
    with pytest.raises(MappingError) as caught:
        resolve_headers([*EXPORT, "诉求摘要"])  # 诉求内容 and 诉求摘要 both mean text
    assert "“诉求内容”、“诉求摘要” 都对应 诉求内容（text）" in str(caught.value)


def test_a_mapping_that_sends_two_columns_to_one_field_is_an_error() -> None:
    headers = ["单号", "旧单号", "受理时间", "诉求性质", "问题分类", "区", "街乡镇"]
    with pytest.raises(MappingError) as caught:
        resolve_headers(headers, {"单号": "request_id", "旧单号": "request_id"})
    assert "“单号”、“旧单号” 都对应 诉求编号（request_id）" in str(caught.value)


def test_a_mapped_field_takes_only_the_mapped_column_not_its_aliases() -> None:
    found = resolve_headers([*EXPORT, "诉求摘要"], {"诉求摘要": "text"})
    assert [h for h, f in found.items() if f == "text"] == ["诉求摘要"]


def test_mapping_entries_for_columns_the_file_lacks_are_each_named() -> None:
    with pytest.raises(MappingError) as caught:
        resolve_headers(EXPORT, {"单号": "request_id", " 来件时间 ": "received_at"})
    message = str(caught.value)
    assert "映射文件中的列“单号”不在文件中" in message
    assert "映射文件中的列“来件时间”不在文件中" in message
    assert "文件的列为：工单编号、受理时间" in message


def test_mapping_names_match_headers_with_spaces_or_a_byte_order_mark() -> None:
    found = resolve_headers(["\ufeff单号 ", *EXPORT[1:]], {"单号": "request_id"})
    assert found["\ufeff单号 "] == "request_id"
