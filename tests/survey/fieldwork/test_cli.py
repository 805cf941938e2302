"""`yiti survey fieldwork …` and its sibling commands, through click's runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from survey.cli.main import survey
from survey.fieldwork.crypto import PhoneCipher, new_key
from survey.storage.db import Database
from tests.conftest import CONTENT
from tests.survey.fieldwork.conftest import ROWS, TOPIC, WAVE, write_csv


def test_new_key_prints_a_key_the_cipher_accepts() -> None:
    result = CliRunner().invoke(survey, ["fieldwork", "new-key"])
    assert result.exit_code == 0, result.output
    name, _, key = result.output.strip().partition("=")
    assert name == "YITI_FIELDWORK_KEY"
    assert PhoneCipher(key).decrypt(PhoneCipher(key).encrypt("+8613800138000"))


NO_CONTENT = {("fieldwork", "close"), ("sample", "release")}  # commands without --content


def run(db: Database, *args: str) -> Result:
    """`yiti survey ARGS` on `db` (with the shipped content where the command reads it)."""
    content = [] if tuple(args[:2]) in NO_CONTENT else ["--content", str(CONTENT)]
    return CliRunner().invoke(survey, [*args, "--database", db.url, *content])


def test_fieldwork_end_to_end_from_the_command_line_never_prints_a_phone(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YITI_FIELDWORK_KEY", new_key())
    monkeypatch.setenv("YITI_INSTANCE_DIR", str(tmp_path / "instance"))
    rows = [*ROWS, ["B1", "021-1234 5678", "东城区", "", ""], ROWS[0]]
    path = write_csv(tmp_path / "frame.csv", rows)
    where = ["--topic", TOPIC, "--wave", WAVE]
    imported = run(db, "frame", "import", str(path), *where)
    assert imported.exit_code == 0, imported.output
    assert "新存入 3 个联系人" in imported.output and "重复 1 行" in imported.output
    assert "不合格 1 行" in imported.output and "rejects" in imported.output
    refused = run(db, "sample", "draw", *where, "--size", "2")
    assert refused.exit_code == 1 and "fieldwork open" in refused.output
    opened = run(db, "fieldwork", "open", *where, "--hours", "10:00-20:00", "--max-attempts", "4")
    assert "10:00-20:00" in opened.output and "4 次" in opened.output
    drawn = run(db, "sample", "draw", *where, "--size", "2", "--seed", "11", "--replicates", "2")
    assert drawn.exit_code == 0, drawn.output
    assert "随机种子 11" in drawn.output
    released = run(db, "sample", "release", *where, "--next")
    assert "已发放第 1 组：1 个样本" in released.output, released.output
    status = run(db, "fieldwork", "status", *where)
    assert "进行中" in status.output and "抽样种子 11" in status.output
    assert status.output.splitlines()[-1].startswith("合计\t1\t1\t1\t0\t0")
    closed = run(db, "fieldwork", "close", *where)
    assert "已结束" in closed.output and "yiti survey purge" in closed.output
    everything = imported.output + drawn.output + status.output + closed.output
    assert "13800138000" not in everything and "6512" not in everything


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--size", "2", "--quotas", "q.csv"], "--size 或 --quotas"),
        ([], "--size 或 --quotas"),
    ],
)
def test_draw_needs_a_size_or_a_quotas_file(
    db: Database, tmp_path: Path, args: list[str], said: str
) -> None:
    (tmp_path / "q.csv").write_text("district,size\n东城区,1\n", encoding="utf-8")
    args = [str(tmp_path / a) if a == "q.csv" else a for a in args]
    result = run(db, "sample", "draw", "--topic", TOPIC, "--wave", WAVE, *args)
    assert result.exit_code == 2 and said in result.output


def test_bad_hours_are_refused_in_chinese(db: Database) -> None:
    result = run(db, "fieldwork", "open", "--topic", TOPIC, "--wave", WAVE, "--hours", "21-9")
    assert result.exit_code == 1 and "请写成 09:00-21:00" in result.output
