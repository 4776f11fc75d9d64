"""The SQLite database: one connection, serialised write transactions, numbered migrations.

A shared aiosqlite connection lets coroutines interleave statements inside someone
else's transaction, so every write goes through ``async with db.transaction()``, which
holds a lock and opens the transaction with BEGIN IMMEDIATE.

``async with db.unit():`` makes one unit of work of a use case: every transaction opened
inside it, by any repository, joins one write transaction that commits (with the record
that the update was handled) when the block ends, or rolls back as a whole. No Telegram
call belongs inside a unit: people are told after it commits.
"""

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import aiosqlite

from bot.clock import Clock, to_db
from bot.resources import resource_dir

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


# The update being handled (its id and the time), set per update by handlers/tracking.py.
# The first write transaction of a handler records the update as handled in the same
# commit, so an update Telegram delivers again after a crash is not applied twice.
_handling: ContextVar[tuple[int, str] | None] = ContextVar("buurtnet_handling", default=None)


def handling_update(update_id: int | None, now: str = "") -> None:
    _handling.set((update_id, now) if update_id is not None else None)


class MigrationError(Exception):
    """The database cannot be brought to the schema this code expects."""


def migration_files(folder: Path | None = None) -> list[tuple[int, Path]]:
    folder = folder or resource_dir("migrations")
    found = []
    for path in folder.iterdir():
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    found.sort()
    numbers = [number for number, _ in found]
    if len(set(numbers)) != len(numbers):
        raise MigrationError(f"two migrations share a number in {folder}")
    return found


class Database:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._write_lock = asyncio.Lock()
        # The task whose unit of work holds the open transaction, if any.
        self._unit: ContextVar[asyncio.Task | None] = ContextVar("buurtnet_unit", default=None)
        self._commit_listeners: list[Callable[[int | None], None]] = []
        self.after_step: Callable[[], None] | None = None
        """Called after each step of a unit of work: tests make one fail there."""

    def on_commit(self, listener: Callable[[int | None], None]) -> None:
        """Call `listener` with the handled update's id (or None) after every commit: the
        outbox sender wakes up for what was queued, tests count the commits."""
        self._commit_listeners.append(listener)

    @classmethod
    async def open(cls, path: str) -> "Database":
        pending = aiosqlite.connect(path, isolation_level=None)
        try:
            conn = await pending
        except BaseException:
            # The connection's worker thread must end before the event loop closes.
            await asyncio.to_thread(pending._thread.join)  # aiosqlite has no public join
            raise
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA busy_timeout = 5000")
        except BaseException:
            await conn.close()
            raise
        return cls(conn)

    async def close(self) -> None:
        await self.conn.close()

    def _in_unit(self) -> bool:
        task = self._unit.get()
        return task is not None and task is asyncio.current_task()

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction for everything inside; nested units join it too."""
        if self._in_unit():
            yield self.conn
            return
        async with self.transaction() as conn:
            token = self._unit.set(asyncio.current_task())
            try:
                yield conn
            finally:
                self._unit.reset(token)

    @asynccontextmanager
    async def bookkeeping(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write about a message already sent (which message shows a question, that an
        outgoing message went out): not part of the update being handled, so it is never
        recorded with it, and it may only follow the update's unit, never join it."""
        assert not self._in_unit(), "bookkeeping belongs after the unit of work"
        token = _handling.set(None)
        try:
            async with self.transaction() as conn:
                yield conn
        finally:
            _handling.reset(token)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        if self._in_unit():  # part of the unit of work in progress, which commits
            # A savepoint, so a step that fails and is handled undoes only itself.
            await self.conn.execute("SAVEPOINT step")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK TO step")
                raise
            finally:
                await self.conn.execute("RELEASE step")
            if self.after_step is not None:
                self.after_step()
            return
        async with self._write_lock:
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
                yield self.conn
                if (handling := _handling.get()) is not None:
                    await record_handled(self.conn, *handling)
                await self.conn.execute("COMMIT")
                for listener in self._commit_listeners:
                    listener(handling[0] if handling else None)
            except BaseException:
                # Also when BEGIN or COMMIT itself was interrupted (cancelled): never leave
                # it open. The statement still runs on the connection's thread, which runs
                # them in order, so this ROLLBACK comes after it, though in_transaction
                # cannot show it yet; with no transaction open it is refused, harmlessly.
                with contextlib.suppress(sqlite3.OperationalError):
                    await self.conn.execute("ROLLBACK")
                raise

    async def write(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One statement in a transaction of its own; how many rows it changed."""
        async with self.transaction() as conn:
            cursor = await conn.execute(sql, tuple(params))
            return cursor.rowcount

    async def write_one(self, sql: str, params: Iterable[Any] = ()) -> bool:
        """A conditional write in a transaction of its own; True if it changed exactly one
        row, False if the row was not (or no longer) as its condition asks."""
        return await self.write(sql, params) == 1

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        return await fetch_one_in(self.conn, sql, params)

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def fetch_column(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        """The first column of every row."""
        return [row[0] for row in await self.fetch_all(sql, params)]

    @asynccontextmanager
    async def committed(self) -> AsyncIterator[aiosqlite.Connection]:
        """Reads of what is committed: waits for a write transaction in progress to end,
        since the one shared connection would otherwise show its uncommitted changes, and
        keeps others from writing until the block ends: keep it to a few quick reads."""
        assert not self._in_unit(), "a unit of work reads its own changes"
        async with self._write_lock:
            yield self.conn

    async def fetch_committed(self, sql: str, params: Iterable[Any] = ()
                              ) -> list[aiosqlite.Row]:
        """Rows as committed (the outbox sender must not send what a unit of work may still
        roll back)."""
        async with self.committed():
            return await self.fetch_all(sql, params)

    async def fetch_value(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def schema_version(self) -> int:
        exists = await self.fetch_value(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        )
        if not exists:
            return 0
        return await self.fetch_value("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")

    async def migrate(self, clock: Clock, folder: Path | None = None) -> list[int]:
        """Apply the migrations not yet recorded, each in its own transaction."""
        files = migration_files(folder)
        latest = files[-1][0] if files else 0
        current = await self.schema_version()
        if current > latest:
            raise MigrationError(
                f"The database is at schema version {current}, but this version of Buurtnet "
                f"only knows up to {latest}. Upgrade Buurtnet, or use another database file."
            )
        async with self.transaction() as conn:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
        applied = []
        for number, path in files:
            if number <= current:
                continue
            statements = path.read_text(encoding="utf-8")
            async with self.transaction() as conn:
                for statement in _split_statements(statements):
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (number, path.name, to_db(clock.now())),
                )
            log.info("applied migration %s", path.name)
            applied.append(number)
        return applied


class Repository:
    """Records kept in `db`; `clock` gives the moments they are written at."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock


async def record_handled(conn: aiosqlite.Connection, update_id: int, now: str) -> None:
    """Inside a transaction: the update is handled, so it leaves the inbox."""
    await conn.execute("INSERT OR IGNORE INTO processed_updates (update_id, processed_at)"
                       " VALUES (?, ?)", (update_id, now))
    await conn.execute("DELETE FROM inbox WHERE update_id = ?", (update_id,))


async def fetch_one_in(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
                       ) -> aiosqlite.Row | None:
    """The first row `sql` finds, read inside the caller's transaction."""
    async with conn.execute(sql, tuple(params)) as cursor:
        return await cursor.fetchone()


def _split_statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit on its own)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise MigrationError("a migration ends with an unfinished statement")
    return statements

