"""`yiti monitor …` through click's runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from wcwidth import width

from generator.cli import main
from generator.monitor.store import read_records
from tests.conftest import CONTENT
from tests.generator.monitor.conftest import write_gb18030
from tests.generator.monitor.test_importer import MESSY


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str, status: int = 0) -> str:
    result = runner.invoke(main, ["monitor", *args], catch_exceptions=False)
    assert result.exit_code == status, result.output
    return result.output


def test_import_reports_counts_and_each_rejected_row(runner: CliRunner, tmp_path: Path) -> None:
    path = write_gb18030(tmp_path / "export.csv", MESSY)
    store = tmp_path / "store"
    args = ("import", str(path), "--store", str(store), "--content", str(CONTENT))
    out = invoke(runner, *args, status=3)
    assert (
        "读取 6 行：新存入 2 条，已存在跳过 0 条，不合格 4 行（另有空行、合计行或重复的表头 1 行，已跳过）"
        in out
    )
    assert "第 5 行" not in out and "第 8 行：街乡镇“八里庄街道”不在东城区的名录中" in out
    assert f"不合格记录已写入 {store / 'rejects'}" in out
    again = invoke(runner, *args, status=3)
    assert "新存入 0 条，已存在跳过 2 条" in again


GOOD = (
    "B1,2024-05-01 09:00,投诉,住房,东城区,东华门街道,加装电梯\n"
    "B2,2024-05-01 10:00,投诉,住房,东城区,东华门街道,加装电梯\n"
    "B3,2024-05-01 11:00,投诉,住房,东城区,东华门街道,加装电梯\n"
)
BAD = "B4,2024-05-01 12:00,吐槽,住房,东城区,东华门街道,x\n"


@pytest.mark.parametrize(
    ("body", "extra", "status", "outcome"),
    [
        (GOOD, (), 0, "全部接受"),
        (GOOD + BAD, (), 3, "有不合格行"),
        (GOOD + BAD, ("--accept-rejects", "0.25"), 0, "全部接受"),  # 1 of 4 rows
        (GOOD + BAD, ("--accept-rejects", "0.2"), 3, "有不合格行"),
        (BAD + BAD.replace("B4", "B5"), ("--accept-rejects", "1"), 4, "全部不合格"),
    ],
)
def test_import_exit_status_says_all_accepted_some_rejected_or_nothing_imported(
    runner: CliRunner,
    tmp_path: Path,
    body: str,
    extra: tuple[str, ...],
    status: int,
    outcome: str,
) -> None:
    path = write_gb18030(tmp_path / "export.csv", body)
    args = ("import", str(path), "--store", str(tmp_path / "store"), *extra)
    out = invoke(runner, *args, status=status)
    assert f"结果：{outcome}" in out and f"（退出码 {status}）" in out


def test_blank_totals_and_repeated_rows_are_counted_in_one_note(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = write_gb18030(
        tmp_path / "export.csv", GOOD + "\n" + GOOD.splitlines()[0] + "\n合计,,,,,,3\n"
    )
    out = invoke(runner, "import", str(path), "--store", str(tmp_path / "store"))
    assert "读取 4 行：新存入 3 条，已存在跳过 0 条，不合格 0 行" in out
    assert "（另有空行、合计行或重复的表头 2 行、与前面某行完全相同的重复行 1 行，已跳过）" in out


def test_importing_the_same_file_again_is_all_accepted(runner: CliRunner, tmp_path: Path) -> None:
    path = write_gb18030(tmp_path / "export.csv", GOOD)
    args = ("import", str(path), "--store", str(tmp_path / "store"))
    invoke(runner, *args)
    assert "已存在跳过 3 条" in invoke(runner, *args, status=0)


def test_import_help_lists_every_exit_status(runner: CliRunner) -> None:
    out = invoke(runner, "import", "--help")
    for line in (
        "0  every row accepted",
        "1  nothing read",
        "2  the command line is wrong",
        "3  some rows rejected",
        "4  every row rejected",
    ):
        assert line in out
    assert "--accept-rejects" in out


def test_import_with_a_mapping_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(
        "单号,来件时间,诉求性质,问题分类,区,街乡镇\nM1,2024-05-01 09:00,投诉,住房,东城区,景山街道\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "m.yml"
    mapping.write_text("单号: request_id\n来件时间: received_at\n", encoding="utf-8")
    store = tmp_path / "store"
    args = ["import", str(path), "--mapping", str(mapping), "--store", str(store)]
    out = invoke(runner, *args, "--content", str(CONTENT), "--encoding", "utf-8")
    assert "新存入 1 条" in out
    assert read_records(store)["request_id"].tolist() == ["M1"]


def test_import_without_the_needed_columns_fails_with_a_message(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("单号,时间\n1,2\n", encoding="utf-8")
    result = runner.invoke(main, ["monitor", "import", str(path), "--store", str(tmp_path)])
    assert result.exit_code == 1
    assert "找不到这些必需的列" in result.output and "Traceback" not in result.output


def test_synth_then_import_then_report(runner: CliRunner, tmp_path: Path) -> None:
    out_file = tmp_path / "s.csv"
    store = tmp_path / "store"
    assert "wrote 2,000 synthetic records" in invoke(
        runner,
        "synth",
        "--year",
        "2024",
        "--year",
        "2025",
        "--records",
        "1000",
        "--out",
        str(out_file),
    )
    assert "新存入 2,000 条" in invoke(runner, "import", str(out_file), "--store", str(store))
    report = invoke(runner, "report", "--store", str(store), "--top", "5")
    assert "2025年12月" in report and "2025-12 街乡镇诉求量排名" in report
    assert "突增：某半月诉求量达到此前连续 6 个完整半月" in report
    assert "最近一期突增的议题：" in report and "突增：某月诉求量" in report
    header = next(line for line in report.splitlines() if line.startswith("议题"))
    rows = report.splitlines()[report.splitlines().index(header) + 1 :][:3]
    # Display width, not characters: every row's 半月 column starts where its header does.
    assert {width(r[: r.index("年", r.index(" "))]) - 4 for r in rows} == {
        width(header[: header.index("半月")])
    }
    one = invoke(runner, "report", "--store", str(store), "--topic", "civil-dog-keeping")
    assert "2024年1月上半月" in one


def test_report_falls_back_to_the_sample_and_rejects_unknown_topics(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = invoke(runner, "report", "--store", str(tmp_path), "--month", "2024-06")
    assert "以下为示例数据" in out and "2024-06 街乡镇诉求量排名" in out
    result = runner.invoke(main, ["monitor", "report", "--store", str(tmp_path), "--topic", "nope"])
    assert result.exit_code == 1 and "没有议题“nope”" in result.output


@pytest.mark.parametrize("command", [[], ["import"], ["synth"], ["report"]])
def test_every_monitor_command_has_help(runner: CliRunner, command: list[str]) -> None:
    out = invoke(runner, *command, "--help")
    assert "Usage:" in out and len(out.splitlines()) > 5


def test_a_store_that_cannot_be_written_is_reported_without_a_traceback(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = write_gb18030(tmp_path / "export.csv", GOOD)
    (tmp_path / "afile").write_text("", encoding="utf-8")
    store = tmp_path / "afile" / "store"  # under a file: no folder can be made there
    result = runner.invoke(main, ["monitor", "import", str(path), "--store", str(store)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "读写失败" in result.output and "已有的记录不受影响" in result.output
