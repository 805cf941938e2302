"""Backing up and restoring the survey database with each engine's own tools.

SQLite: the online backup API, a consistent copy even while the app writes. PostgreSQL:
`pg_dump --format=custom` and `pg_restore`. A backup is written beside its final name and
renamed, so a failed run never leaves a file that looks complete. A restore checks the file
first and replaces the data in one transaction, so a failure leaves the old data as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3

# bandit B404: subprocess runs pg_dump/pg_restore only, by absolute path with argument lists.
import subprocess  # nosec B404
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy.engine import URL, make_url

SQLITE_BUSY_SECONDS = 10  # as survey/storage/db.py: wait this long for the app's writer to finish
# A table every survey database has; a backup without it is of some other database.
SURVEY_TABLE = "responses"
PG_CONNECT_SECONDS = "10"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message names the file and what to do."""


def backup(database_url: str, file: Path) -> None:
    """Copy the database at `database_url` into `file` (replaced if it exists)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_path(url), file)
    elif url.get_backend_name() == "postgresql":
        _pg_dump(url, file)
    else:
        raise BackupError(
            f"不支持备份 {url.get_backend_name()} 数据库：只支持 SQLite 和 PostgreSQL"
        )


def restore(database_url: str, file: Path) -> None:
    """Replace every table of the database at `database_url` with the contents of `file`."""
    if not file.is_file():
        raise BackupError(f"备份文件 {file} 不存在：请给出 yiti survey backup 写出的文件")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(file, _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        _pg_restore(file, url)
    else:
        raise BackupError(
            f"不支持恢复 {url.get_backend_name()} 数据库：只支持 SQLite 和 PostgreSQL"
        )


@contextmanager
def _draft(file: Path) -> Iterator[Path]:
    """An empty, owner-only file beside `file`; renamed to `file` on success, removed on failure."""
    draft = file.with_name(f".{file.name}.{os.getpid()}.part")
    try:
        os.close(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    except OSError as exc:
        raise BackupError(f"无法写入备份文件 {file}：{exc.strerror}；请换一个可写的位置") from exc
    try:
        yield draft
        draft.replace(file)
    finally:
        draft.unlink(missing_ok=True)


# SQLite


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复：请在 DATABASE_URL 中给出文件路径")
    return Path(url.database)


def _sqlite_backup(source: Path, file: Path) -> None:
    if not source.is_file():  # connecting would create an empty database and back that up
        raise BackupError(f"数据库文件 {source} 不存在：请检查 DATABASE_URL")
    with _draft(file) as draft:
        try:
            with closing(_connect(source)) as live, closing(sqlite3.connect(draft)) as copy:
                live.backup(copy)
                # One self-contained file: no -wal beside it to forget when copying it away.
                copy.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.Error as exc:
            raise BackupError(f"备份 {source} 失败：{exc}") from exc


def _sqlite_restore(file: Path, target: Path) -> None:
    _sqlite_check(file)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(_read_only(file)) as saved, closing(_connect(target)) as live:
            # All pages in one step: SQLite writes the target in a single transaction, so a
            # failure or a crash leaves the old contents. Replacing the file by rename instead
            # would let a running worker keep writing to the unlinked old file, and leave a
            # stale -wal beside the new one.
            saved.backup(live)
    except sqlite3.Error as exc:
        raise BackupError(
            f"恢复到 {target} 失败，数据库保持原样（{exc}）：请先停止服务（systemctl stop yiti-survey）再恢复"
        ) from exc


def _sqlite_check(file: Path) -> None:
    """Refuse a file that is not a sound SQLite copy of a survey database."""
    try:
        with closing(_read_only(file)) as saved:
            verdict = saved.execute("PRAGMA quick_check").fetchall()
            tables = {row[0] for row in saved.execute("SELECT name FROM sqlite_master")}
            pages = saved.execute("PRAGMA page_count").fetchone()[0]
            page_size = saved.execute("PRAGMA page_size").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            f"{file} 不是完好的 SQLite 备份（{exc}）：请换一个 yiti survey backup 写出的文件"
        ) from exc
    # quick_check reads only pages in use: a file cut short inside free pages passes it, but
    # its header still counts the pages it should have.
    if file.stat().st_size < pages * page_size:
        size = file.stat().st_size
        raise BackupError(
            f"{file} 不完整（{size} 字节，应为 {pages * page_size} 字节）：请换一个 yiti survey backup 写出的文件"
        )
    if verdict != [("ok",)]:
        problems = "；".join(" ".join(str(row[0]).split()) for row in verdict[:3])
        raise BackupError(f"{file} 已损坏（{problems}）：请换一个 yiti survey backup 写出的文件")
    if SURVEY_TABLE not in tables:
        raise BackupError(f"{file} 不是调查数据库的备份（没有 {SURVEY_TABLE} 表）：请检查文件")


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=SQLITE_BUSY_SECONDS)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


# PostgreSQL


def _pg_dump(url: URL, file: Path) -> None:
    with _draft(file) as draft:
        _run_pg("pg_dump", ["--format=custom", f"--file={draft}"], url, f"备份到 {file} 失败")


def _pg_restore(file: Path, url: URL) -> None:
    # bandit B603 is a false positive here: no shell; the tool's absolute path from shutil.which and
    # a list of arguments
    listing = subprocess.run(  # nosec B603
        [_tool("pg_restore"), "--list", str(file)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise BackupError(
            f"{file} 不是完好的 pg_dump 备份（{listing.stderr.strip()}）："
            "请换一个 yiti survey backup 写出的文件"
        )
    # --single-transaction: all or nothing, so a damaged file leaves the old data in place.
    # --no-owner/--no-privileges: the objects belong to whoever restores (the app's user).
    options = ["--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-privileges"]
    _run_pg("pg_restore", [*options, str(file)], url, f"从 {file} 恢复失败，数据库保持原样")


def _run_pg(tool: str, arguments: list[str], url: URL, failure: str) -> None:
    """Run a PostgreSQL client tool on `url`; the password travels in the environment only."""
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    environment = os.environ | {"PGCONNECT_TIMEOUT": PG_CONNECT_SECONDS}
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    # bandit B603 is a false positive here: no shell; the tool's absolute path and a list, so the
    # DSN is one argument
    run = subprocess.run(  # nosec B603
        [_tool(tool), *arguments, f"--dbname={dsn}"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if run.returncode != 0:
        raise BackupError(f"{failure}：{run.stderr.strip()}")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"找不到 {name}：请安装与服务器同一主版本的 PostgreSQL 客户端（如 postgresql-client-15）"
        )
    return found
