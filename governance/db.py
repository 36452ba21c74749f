"""The database: one engine for the process, transactions, migrations, integrity errors.

SQLite is the embedded default and PostgreSQL the production engine; the code path is
the same for both. What differs is handled here and only here:

* SQLite allows one writer at a time. A deferred transaction that reads and then writes
  fails with "database is locked" under concurrency, so every writing transaction is
  ``BEGIN IMMEDIATE`` and writers are serialised in-process by one ``asyncio.Lock``
  (measured: ~4x the throughput of letting them fight over the file lock). One process
  per SQLite file, therefore.
* PostgreSQL runs with a connection pool opened and closed in the app's lifespan.
* Integrity errors come from two drivers with no common Piccolo exception; they are
  translated into one :class:`IntegrityViolation` here.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

try:  # asyncpg is installed with piccolo[postgres]; keep SQLite-only installs working.
    import asyncpg
except ImportError:  # pragma: no cover
    asyncpg = None  # type: ignore[assignment]

from governance.settings import get_settings

log = logging.getLogger("governance.db")


def make_engine(database_url: str) -> Engine:
    """Build the Piccolo engine that ``DATABASE_URL`` describes."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # timeout: how long a connection waits for the file lock before giving up.
        return PooledSQLiteEngine(path=str(path), timeout=30)
    return WatchedPostgresEngine(config={"dsn": database_url})


# --- writes seen by the engine (for caches) ------------------------------------------

WriteListener = Callable[[str], None]
_write_listeners: list[WriteListener] = []
_written_in_transaction: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "written_in_transaction", default=None
)
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.IGNORECASE)
_READ = re.compile(r"^\s*(?:SELECT\b|PRAGMA\s+\w+\s*$|EXPLAIN\b)", re.IGNORECASE)
ALL_TABLES = "*"


def on_write(listener: WriteListener) -> None:
    """Call ``listener(table)`` whenever this process writes ``table`` (``"*"``: unknown, any).

    It is called when the statement runs and again when its transaction commits, so a
    cache that checks a generation number before storing can never keep pre-commit data.
    """
    if listener not in _write_listeners:
        _write_listeners.append(listener)


def _notify(table: str) -> None:
    for listener in _write_listeners:
        try:
            listener(table)
        except Exception:  # pragma: no cover - a cache must never break a write
            log.exception("write listener failed")


_recorders: list[list[str]] = []


@contextlib.contextmanager
def recording_statements() -> Iterator[list[str]]:
    """Collect the SQL of every statement the app runs meanwhile (tests count queries).

    BEGIN / COMMIT / ROLLBACK are not included: only what the code asks for.
    """
    statements: list[str] = []
    _recorders.append(statements)
    try:
        yield statements
    finally:
        _recorders.remove(statements)


def _saw_statement(sql: str) -> None:
    for recorder in _recorders:
        recorder.append(sql)
    if not _write_listeners:
        return
    match = _WRITE.match(sql)
    if match:
        table = match.group(1).lower()
    elif _READ.match(sql):
        return
    else:  # DDL, TRUNCATE, a raw statement: assume it could change anything.
        table = ALL_TABLES
    _notify(table)
    written = _written_in_transaction.get()
    if written is not None:
        written.add(table)


# --- engines ----------------------------------------------------------------------------


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
        _notify(ALL_TABLES)

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

        connection = aiosqlite.connect(**self.connection_kwargs)
        # Never keep the process alive at exit for an idle pooled connection.
        thread = getattr(connection, "_thread", None)
        if thread is not None:
            thread.daemon = True
        connection = await connection
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
        _saw_statement(query)
        if not _READ.match(query):
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


class PinnedConnection(PostgresTransaction):
    """One pooled connection for several reads, in autocommit (no BEGIN / COMMIT).

    Piccolo sends every query to the "current transaction"'s connection; this is such a
    holder that never begins one. ``writing()`` inside it does not nest into it: it
    begins a real transaction on another connection.
    """

    async def begin(self) -> None:
        pass

    async def commit(self) -> None:
        pass

    async def rollback(self) -> None:
        pass


async def _reset_connection(connection: Any) -> None:
    """What a connection needs before the next borrower: no transaction left open.

    asyncpg's default reset also runs ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL`` (one more round trip per query outside a transaction); this app takes no
    advisory locks, keeps no cursors, LISTENs on its own connections and SETs nothing.
    """
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


class WatchedPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine, telling caches which tables this process writes."""

    async def run_querystring(self, querystring: Any, in_pool: bool = True) -> Any:
        query, query_args = querystring.compile_string(engine_type=self.engine_type)
        _saw_statement(query)
        current_transaction = self.current_transaction.get()
        if current_transaction:
            return await current_transaction.connection.fetch(query, *query_args)
        if in_pool and self.pool:
            return await self._run_in_pool(query, query_args)
        return await self._run_in_new_connection(query, query_args)

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        _saw_statement(ddl)
        return await super().run_ddl(ddl, in_pool=in_pool)


_engine: Engine | None = None


def engine() -> Engine:
    """The engine piccolo_conf.py defines. Found once: Piccolo's finder re-reads the
    configuration module on every call (measured: ~2% of a vote burst's CPU)."""
    global _engine
    if _engine is None:
        from piccolo.engine.finder import engine_finder

        found = engine_finder()
        if found is None:  # pragma: no cover - piccolo_conf.py always defines DB
            raise RuntimeError("piccolo_conf.py defines no DB engine")
        _engine = found
    return _engine


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


# --- transactions -----------------------------------------------------------------

_write_lock: asyncio.Lock | None = None
_in_write: contextvars.ContextVar[bool] = contextvars.ContextVar("in_write", default=False)


def in_writing() -> bool:
    """True inside ``writing()``: what is read there may not be committed (never cache it)."""
    return _in_write.get()


def _lock() -> asyncio.Lock:
    global _write_lock
    if _write_lock is None:
        _write_lock = asyncio.Lock()
    return _write_lock


def reset_write_lock() -> None:
    """Forget the lock and the SQLite pool's (tests: several event loops, a file per test)."""
    global _write_lock
    _write_lock = None
    db = engine()
    if isinstance(db, PooledSQLiteEngine):
        db.reset_pool()
    _notify(ALL_TABLES)


AfterCommit = Callable[[], Awaitable[None]]
_after_commit: contextvars.ContextVar[list[AfterCommit] | None] = contextvars.ContextVar("after_commit", default=None)


def after_commit(callback: AfterCommit) -> None:
    """Run ``callback()`` once the current writing transaction has committed (not if it rolls back)."""
    pending = _after_commit.get()
    if pending is None:
        raise RuntimeError("after_commit() outside writing()")
    if callback not in pending:
        pending.append(callback)


async def forget_superseded(table: str) -> None:
    """Erase what the engine keeps of ``table``'s superseded row versions (a ballot box's history).

    * SQLite: ``secure_delete`` has zeroed freed content in the file already; the WAL still
      holds each page version written since the last checkpoint, so it is checkpointed and
      truncated as soon as this process is idle (``PooledSQLiteEngine``).
    * PostgreSQL: ``VACUUM FULL`` writes the table afresh and drops its old file, dead
      versions (readable with pageinspect) and old TOAST chunks with it. It takes an
      exclusive lock on a small table; a lock held elsewhere for more than 5 s makes it
      give up (logged), and the next close tries again. PostgreSQL's own WAL segments are
      beyond this (docs/threat-model.md says what they hold and for how long).
    """
    db = engine()
    if isinstance(db, PooledSQLiteEngine):
        db.truncate_journal_when_idle()
        return
    if not isinstance(db, PostgresEngine):
        return
    import asyncpg

    connection = await db.get_new_connection()
    try:
        await connection.execute("SET lock_timeout = '5s'")
        await connection.execute(f"VACUUM FULL {table}")
    except asyncpg.PostgresError as exc:
        log.warning("VACUUM FULL %s did not run (%s); the next close tries again", table, type(exc).__name__)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def writing() -> AsyncIterator[None]:
    """One atomic writing transaction; nested calls join the outer one.

    Everything a service writes for one user action goes through one of these, so a
    failure leaves no half-written rows.
    """
    if _in_write.get():
        yield
        return
    db = engine()
    token = _in_write.set(True)
    written: set[str] = set()
    written_token = _written_in_transaction.set(written)
    callbacks: list[AfterCommit] = []
    callbacks_token = _after_commit.set(callbacks)
    try:
        if isinstance(db, SQLiteEngine):
            async with _lock(), db.transaction(transaction_type=TransactionType.immediate):
                yield
        elif isinstance(db.current_transaction.get(), PinnedConnection):
            # Inside reading(): a real transaction of its own, never autocommit writes.
            outer = db.current_transaction.set(None)
            try:
                async with db.transaction():
                    yield
            finally:
                db.current_transaction.reset(outer)
        else:
            async with db.transaction():
                yield
    except Exception as exc:
        violation = translate_integrity_error(exc)
        if violation is not None:
            raise violation from exc
        raise
    finally:
        _written_in_transaction.reset(written_token)
        _after_commit.reset(callbacks_token)
        _in_write.reset(token)
        # Again once committed (or rolled back): a cache filled meanwhile from the
        # snapshot before the commit is dropped.
        for table in written:
            _notify(table)
    for callback in callbacks:  # reached only when the transaction committed
        await callback()


@contextlib.asynccontextmanager
async def reading() -> AsyncIterator[None]:
    """Reads on one connection: on SQLite one transaction (one snapshot for all reads).

    On PostgreSQL a read-only transaction at read committed gives no common snapshot
    (each statement sees what is committed when it starts), so only the connection is
    pinned: BEGIN and COMMIT would be two round trips for nothing. ``writing()`` inside
    it still opens a real transaction (on a connection of its own).
    """
    db = engine()
    if _in_write.get() or db.transaction_exists():
        yield
        return
    if isinstance(db, WatchedPostgresEngine) and db.pool is not None:
        async with PinnedConnection(db):
            yield
        return
    async with db.transaction():
        yield


# --- integrity errors ---------------------------------------------------------------


class IntegrityViolation(Exception):
    """The database refused a write: a unique, foreign key, check or not-null rule."""

    def __init__(self, kind: str, table: str | None, columns: tuple[str, ...], constraint: str | None):
        self.kind = kind  # "unique" | "foreign_key" | "check" | "not_null"
        self.table = table
        self.columns = columns
        self.constraint = constraint
        super().__init__(f"{kind} violation on {table}{list(columns)} ({constraint})")


def translate_integrity_error(exc: BaseException) -> IntegrityViolation | None:
    """Return the violation behind a driver exception, or None if it is not one."""
    if isinstance(exc, sqlite3.IntegrityError):
        message = str(exc)
        # e.g. "UNIQUE constraint failed: person.email" or "CHECK constraint failed: ck_name"
        head, _, rest = message.partition(":")
        rest = rest.strip()
        if head.startswith("UNIQUE"):
            parts = [p.strip() for p in rest.split(",")]
            table = parts[0].split(".")[0] if parts else None
            columns = tuple(p.split(".")[-1] for p in parts)
            return IntegrityViolation("unique", table, columns, None)
        if head.startswith("CHECK"):
            return IntegrityViolation("check", None, (), rest or None)
        if head.startswith("FOREIGN KEY"):
            return IntegrityViolation("foreign_key", None, (), None)
        if head.startswith("NOT NULL"):
            table, _, column = rest.partition(".")
            return IntegrityViolation("not_null", table, (column,), None)
        return IntegrityViolation("unknown", None, (), None)
    if asyncpg is not None and isinstance(exc, asyncpg.exceptions.IntegrityConstraintViolationError):
        table = getattr(exc, "table_name", None)
        constraint = getattr(exc, "constraint_name", None)
        column = getattr(exc, "column_name", None)
        detail = getattr(exc, "detail", "") or ""
        columns: tuple[str, ...] = (column,) if column else ()
        if detail.startswith("Key (") and ")=" in detail:
            columns = tuple(c.strip().strip('"') for c in detail[5 : detail.index(")=")].split(","))
        kinds = {
            asyncpg.exceptions.UniqueViolationError: "unique",
            asyncpg.exceptions.ForeignKeyViolationError: "foreign_key",
            asyncpg.exceptions.CheckViolationError: "check",
            asyncpg.exceptions.NotNullViolationError: "not_null",
        }
        kind = next((k for cls, k in kinds.items() if isinstance(exc, cls)), "unknown")
        return IntegrityViolation(kind, table, columns, constraint)
    return None


# --- start-up, shutdown, migrations --------------------------------------------------


async def start() -> None:
    """Open what the engine needs for serving (app lifespan)."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        # WAL lets readers run beside the writer; it persists in the file. Must run
        # outside a transaction.
        await db.run_ddl("PRAGMA journal_mode=WAL")
    else:
        settings = get_settings()
        # Opened up front: a connection opened during a burst costs a TLS negotiation.
        await db.start_connection_pool(
            min_size=settings.db_pool_min, max_size=settings.db_pool_max, reset=_reset_connection
        )


async def stop() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        with contextlib.suppress(Exception):
            await db.close_connection_pool()
    elif isinstance(db, PooledSQLiteEngine):
        await db.close_pool()


async def migrate() -> None:
    """Apply every committed migration, in dependency order."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    with contextlib.redirect_stdout(None):  # piccolo prints a heading per app
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"Migrations failed: {result.message}")
    if is_sqlite():
        await engine().run_ddl("PRAGMA journal_mode=WAL")


async def ping(within: float = 5.0) -> bool:
    """True when the database answers a trivial query within ``within`` seconds.

    Bounded: during an outage the pool tries to reconnect, and a health check that hangs
    tells a load balancer nothing."""
    try:
        await asyncio.wait_for(engine().run_ddl("SELECT 1"), timeout=within)
    except Exception:
        return False
    return True


# The only DDL that differs between the engines in our migrations.
_DIALECT = {
    "sqlite": {"serial": "INTEGER PRIMARY KEY", "blob": "BLOB"},
    "postgres": {"serial": "SERIAL PRIMARY KEY", "blob": "BYTEA"},
}


def run_sql_script(sql: str) -> Any:
    """Return a coroutine-function that runs each statement of ``sql`` (for migrations).

    Migrations are frozen SQL rather than Piccolo's generated DDL because constraints
    must live in CREATE TABLE (SQLite cannot add them later) and Piccolo emits
    composite ``Unique``/``Check`` as ``ALTER TABLE ... ADD CONSTRAINT``, which SQLite
    lacks. ``{serial}`` is the one placeholder.
    """

    async def run() -> None:
        dialect = _DIALECT["sqlite" if is_sqlite() else "postgres"]
        for statement in split_statements(sql):
            await engine().run_ddl(statement.format(**dialect))

    return run


def split_statements(sql: str) -> list[str]:
    """Statements of a migration script; whole-line ``--`` comments are dropped first."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
