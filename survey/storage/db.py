"""The one module that owns database engines and sessions; nothing else opens a session."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_MS = 10_000  # a writer waits this long for another before giving up

# What a resident is told when the database cannot take their answers, by cause.
UNREACHABLE = "暂时无法连接数据库"
READ_ONLY = "数据库当前为只读状态"
DISK_FULL = "服务器磁盘空间已满"


class DatabaseUnavailableError(Exception):
    """The database cannot be reached or written to now; retrying later may succeed.

    `cause` is said for a resident (in Chinese); `detail` names the engine's error for the log.
    """

    def __init__(self, cause: str, detail: str) -> None:
        self.cause = cause
        self.detail = detail
        super().__init__(f"{cause}: {detail}")


class Database:
    """An engine and its session factory for one DATABASE_URL."""

    def __init__(self, url: str, pool_size: int | None = None) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._queue = writer_queue(url)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as exc:
            raise unavailable(exc) from exc

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """`transaction()` for read-then-write work (fieldwork's next case): SQLite writers take
        turns through the lock file, so what was read is still true when it is written."""
        with queued(self._queue), self.transaction() as session:
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A plain connection in one transaction, for single statements that need no ORM:
        committed on success, rolled back on any error. SQLite writers take turns."""
        try:
            with queued(self._queue), self.engine.begin() as connection:
                yield connection
        except OperationalError as exc:
            raise unavailable(exc) from exc

    @contextmanager
    def statement(self) -> Iterator[Connection]:
        """A plain connection in autocommit, for a write that is a single statement: the
        statement is its own transaction, all or nothing as in `connection()`, and commits as it
        runs. With PostgreSQL that is one round trip instead of three (BEGIN, the statement,
        COMMIT): a resident's answers are one INSERT (issue 17). SQLite writers take turns."""
        try:
            with queued(self._queue), self.engine.connect() as connection:
                yield connection.execution_options(isolation_level="AUTOCOMMIT")
        except OperationalError as exc:
            raise unavailable(exc) from exc

    def dispose(self) -> None:
        """Close pooled connections (tests, forked workers)."""
        self.engine.dispose()


def writer_queue(url: str) -> Path | None:
    """The lock file beside a SQLite database file; None for PostgreSQL, memory and URIs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or _is_uri(url):
        return None
    if not parsed.database or parsed.database == ":memory:":
        return None
    return Path(f"{parsed.database}.writers")


@contextmanager
def queued(path: Path | None) -> Iterator[None]:
    """Hold an exclusive flock on `path` (if any) while writing to SQLite.

    SQLite lets one writer in at a time; the others retry after sleeping 1, 2, 5, 10, 15, 20,
    25 ms… (its busy handler), so under a burst a commit of under a millisecond often waits 5–25
    ms. Waiting on a file lock instead wakes the next writer as soon as the lock is free. The
    kernel drops the lock of a killed process; a lock file that cannot be opened (read-only
    directory) leaves SQLite's own locking in charge, as before.
    """
    if path is None:
        yield
        return
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def make_engine(url: str, pool_size: int | None = None) -> Engine:
    """An engine; SQLite files get WAL and a busy timeout so readers never block the writer.
    `pool_size`: connections kept for a server process with that many threads (default 5)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # pre-ping: a connection dropped while the database was away is replaced, not used.
        sized = {"pool_size": pool_size} if pool_size else {}
        return create_engine(url, pool_pre_ping=True, **sized)
    if parsed.database and parsed.database != ":memory:" and not _is_uri(url):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"timeout": SQLITE_BUSY_MS / 1000}
    engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def unavailable(error: OperationalError) -> DatabaseUnavailableError:
    """The cause of an engine's operational error, in the resident's words."""
    name = str(getattr(error.orig, "sqlite_errorname", ""))
    if name.startswith("SQLITE_READONLY"):
        return DatabaseUnavailableError(READ_ONLY, str(error.orig))
    if name == "SQLITE_FULL":
        return DatabaseUnavailableError(DISK_FULL, str(error.orig))
    return DatabaseUnavailableError(UNREACHABLE, str(error.orig))


def _is_uri(url: str) -> bool:
    """SQLite `file:` URIs (e.g. `?mode=ro`) name no directory to create."""
    return make_url(url).query.get("uri") == "true"
