"""The one module that owns database engines and sessions; nothing else opens a session."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import InvalidatePoolError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_MS = 10_000  # a writer waits this long for another before giving up
# Whether a connection taken from the pool is checked first (see `Database.once`).
PING = ContextVar("yiti_ping_on_checkout", default=True)
T = TypeVar("T")

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

    def once(self, write: Callable[[Connection], T]) -> T:
        """Run `write`, a single statement that is safe to run twice, in autocommit; return
        what it returns. SQLite writers take turns.

        The statement is its own transaction, all or nothing, committed as it returns: with
        PostgreSQL one round trip instead of three (BEGIN, the statement, COMMIT). Nor is the
        connection pinged when taken from the pool, another round trip: if it turns out dead
        (the database restarted), the pool is renewed and `write` runs once more on a fresh
        connection. A resident's answers are one INSERT whose unique submission id makes a
        second run that follows a first one committed just before the connection died a
        refused duplicate, which the caller answers with the first receipt (issue 17).
        """
        try:
            return self._autocommit(write)
        except OperationalError as exc:
            if not exc.connection_invalidated:
                raise unavailable(exc) from exc
        try:
            return self._autocommit(write)  # the pool has been renewed: a fresh connection
        except OperationalError as exc:
            raise unavailable(exc) from exc

    def _autocommit(self, write: Callable[[Connection], T]) -> T:
        with queued(self._queue), self._unpinged() as connection:
            return write(connection.execution_options(isolation_level="AUTOCOMMIT"))

    @contextmanager
    def _unpinged(self) -> Iterator[Connection]:
        token = PING.set(False)
        try:
            connection = self.engine.connect()
        finally:
            PING.reset(token)
        with connection:
            yield connection

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
        sized = {"pool_size": pool_size} if pool_size else {}
        return _pinged(create_engine(url, **sized))
    if parsed.database and parsed.database != ":memory:" and not _is_uri(url):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"timeout": SQLITE_BUSY_MS / 1000}
    engine = create_engine(url, connect_args=connect_args)
    event.listen(engine, "connect", _sqlite_pragmas)
    return _pinged(engine)


def _pinged(engine: Engine) -> Engine:
    """`engine`, whose pool pings a connection when it is taken out, as `pool_pre_ping` does,
    unless `PING` says not to: a connection dropped while the database was away is replaced,
    not used. A disconnection renews the whole pool, as pre-ping does."""
    dialect: Dialect = engine.dialect

    def ping(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if not PING.get():
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                raise InvalidatePoolError() from exc
            raise

    event.listen(engine.pool, "checkout", ping)
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
