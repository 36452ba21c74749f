"""Piccolo's SQLite engine with a small pool of long-lived connections (see ``governance.db``)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from governance.sql_watch import ALL_TABLES, READ, notify, saw_statement


class _Released(Exception):
    """Internal: the connection could not be cleaned and was closed instead of pooled."""


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine with a small pool of long-lived connections.

    Piccolo opens a new connection (and aiosqlite thread) for every transaction and for
    every query outside one, and runs ``PRAGMA foreign_keys`` before every statement. Here
    connections are opened once (foreign keys on, busy timeout set) and handed out to
    one transaction or one autocommit statement at a time; at most ``POOL_SIZE`` exist.
    A connection that comes back still inside a transaction (a cancelled request) is
    rolled back, and closed if even that fails. Retargeting ``path`` (tests) drops them.

    With connections kept open, SQLite no longer folds the WAL back into the database
    file when the last one closes; so whenever the pool falls idle after a write, a
    passive checkpoint does it (a plain copy of the file is then complete, as before).
    """

    POOL_SIZE = 6

    def __init__(self, path: str = "piccolo.sqlite", **kwargs: Any) -> None:
        super().__init__(path=path, **kwargs)
        self._idle: list[Any] = []
        self._open: set[Any] = set()
        self._slots: asyncio.Semaphore | None = None
        self._dirty = False  # written since the last checkpoint
        self._truncate_journal = False  # the WAL holds history that must go (a ballot box's)

    # Piccolo's engines use __slots__ but the subclass has a __dict__: fine.

    @property
    def path(self) -> str:
        return self.connection_kwargs["database"]

    @path.setter
    def path(self, value: str) -> None:
        self.connection_kwargs["database"] = value
        self._forget_idle()
        notify(ALL_TABLES)

    def _forget_idle(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            self._discard(connection)

    def _discard(self, connection: Any) -> None:
        self._open.discard(connection)
        with contextlib.suppress(Exception):
            connection.stop()  # closes it in its own thread, without waiting

    def reset_pool(self) -> None:
        """Forget the pool's semaphore and idle connections (a new event loop, a new file)."""
        self._forget_idle()
        self._slots = None

    async def close_pool(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            self._open.discard(connection)
            with contextlib.suppress(Exception):
                await connection.close()
        self._slots = None

    async def _new_connection(self) -> Any:
        import aiosqlite

        opening = aiosqlite.connect(**self.connection_kwargs)
        # Never keep the process alive at exit for an idle pooled connection.
        thread = getattr(opening, "_thread", None)
        if thread is not None:
            thread.daemon = True
        connection: Any = await opening  # Any: it also carries _governance_path
        connection.row_factory = dict_factory
        await connection.execute("PRAGMA foreign_keys = 1")
        # Deleted and superseded content is overwritten with zeros, not left in free pages:
        # a secret poll's ballot box is rewritten on every cast (docs/threat-model.md).
        await connection.execute("PRAGMA secure_delete = ON")
        connection._governance_path = self.path
        self._open.add(connection)
        return connection

    async def acquire(self) -> Any:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.POOL_SIZE)
        await self._slots.acquire()
        try:
            while self._idle:
                connection = self._idle.pop()
                if connection._governance_path == self.path:
                    return connection
                self._discard(connection)
            return await self._new_connection()
        except BaseException:
            self._slots.release()
            raise

    async def release(self, connection: Any) -> None:
        slots = self._slots
        try:
            await asyncio.shield(self._clean(connection))
        finally:
            if slots is not None and slots is self._slots:
                slots.release()

    async def _clean(self, connection: Any) -> None:
        try:
            if connection.in_transaction:
                await connection.execute("ROLLBACK")
            if connection.in_transaction or connection._governance_path != self.path:
                raise _Released
            if (self._dirty or self._truncate_journal) and len(self._open) - len(self._idle) == 1:  # the last one out
                self._dirty = False
                if self._truncate_journal:
                    await self._checkpoint_and_truncate(connection)
                else:
                    async with connection.execute("PRAGMA wal_checkpoint(PASSIVE)") as cursor:
                        await cursor.fetchall()  # an unfinished statement would hold a read lock
        except Exception:
            self._discard(connection)
            return
        self._idle.append(connection)

    def truncate_journal_when_idle(self) -> None:
        """Empty the WAL file at the next moment no connection of this process is in use: it
        holds every page version written since the last checkpoint, in commit order."""
        self._truncate_journal = True

    async def _checkpoint_and_truncate(self, connection: Any) -> None:
        # Nobody else in this process holds a connection; another process (a backup) might
        # read: wait for it briefly, and try again at the next idle moment if it is still there.
        await connection.execute("PRAGMA busy_timeout = 1000")
        try:
            async with connection.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
                busy = (await cursor.fetchone() or {"busy": 1}).get("busy", 1)
        finally:
            await connection.execute(f"PRAGMA busy_timeout = {int(self.connection_kwargs.get('timeout', 30) * 1000)}")
        self._truncate_journal = bool(busy)

    def _saw(self, query: str) -> None:
        saw_statement(query)
        if not READ.match(query):
            self._dirty = True

    async def get_connection(self) -> Any:  # Piccolo's batch(): a connection of its own
        return await super().get_connection()

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> SQLiteTransaction:
        return PooledSQLiteTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        self._saw(query)
        connection = await self.acquire()
        try:
            async with connection.execute(query, args or []) as cursor:
                return await cursor.fetchall()
        finally:
            await self.release(connection)

    async def _run_in_existing_connection(
        self, connection: Any, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        # Piccolo re-runs "PRAGMA foreign_keys = 1" before every statement; it is set once
        # per pooled connection (and is a no-op inside a transaction anyway).
        self._saw(query)
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()


class PooledSQLiteTransaction(SQLiteTransaction):
    """A transaction on a pooled connection, returned to the pool instead of closed."""

    async def get_connection(self) -> Any:
        return await self.engine.acquire()  # type: ignore[attr-defined]

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            await self.begin()
        except BaseException:
            await self.engine.release(self.connection)  # type: ignore[attr-defined]
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            await self.engine.release(self.connection)  # type: ignore[attr-defined]
        return exception is None
