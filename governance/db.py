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

The SQLite connection pool lives in ``governance.sqlite_pool``; what the engines run is
reported to caches and tests through ``governance.sql_watch``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.query.methods.select import Select

try:  # asyncpg is installed with piccolo[postgres]; keep SQLite-only installs working.
    import asyncpg
except ImportError:  # pragma: no cover
    asyncpg = None  # type: ignore[assignment]

from governance.settings import get_settings
from governance.sql_watch import (  # noqa: F401 - on_write, recording_statements: used as db.*
    ALL_TABLES,
    notify,
    on_write,
    recording_statements,
    saw_statement,
    written_in_transaction,
)
from governance.sqlite_pool import PooledSQLiteEngine, PooledSQLiteTransaction  # noqa: F401

log = logging.getLogger("governance.db")

Dialect = Literal["sqlite", "postgres"]


def make_engine(database_url: str, *, log_queries: bool = False, log_responses: bool = False) -> Engine:
    """Build the Piccolo engine that ``DATABASE_URL`` describes.

    ``log_queries`` / ``log_responses`` are Piccolo's own switches (each query, each response
    printed); they work on both engines, through our overrides too."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # timeout: how long a connection waits for the file lock before giving up.
        return PooledSQLiteEngine(path=str(path), timeout=30, log_queries=log_queries, log_responses=log_responses)
    return WatchedPostgresEngine(config={"dsn": database_url}, log_queries=log_queries, log_responses=log_responses)


# --- engines ----------------------------------------------------------------------------


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
        # Piccolo's PostgresEngine.run_querystring plus saw_statement(): the compiled SQL is
        # only known in here (compiling it twice costs a vote burst CPU). A copy: keep it in
        # step with upstream, which tests/test_db_engine.py pins (query logging included).
        query, query_args = querystring.compile_string(engine_type=self.engine_type)
        saw_statement(query)
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=querystring.__str__())
        current_transaction = self.current_transaction.get()
        if current_transaction:
            response = await current_transaction.connection.fetch(query, *query_args)
        elif in_pool and self.pool:
            response = await self._run_in_pool(query, query_args)
        else:
            response = await self._run_in_new_connection(query, query_args)
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        saw_statement(ddl)
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


def dialect() -> Dialect:
    """Which engine's SQL to run where the text differs (migrations, the ballot box's JSON)."""
    return "sqlite" if is_sqlite() else "postgres"


# --- row locks ------------------------------------------------------------------------
# PostgreSQL runs writers side by side at read committed: a rule that reads rows and then
# writes must lock them. SQLite needs no row locks (one writer at a time: ``writing()``),
# and Piccolo's ``lock_rows()`` raises there.

LockStrength = Literal["UPDATE", "NO KEY UPDATE", "SHARE", "KEY SHARE"]
SelectQuery = TypeVar("SelectQuery", bound=Select)


def lock(query: SelectQuery, strength: LockStrength = "UPDATE") -> SelectQuery:
    """``query`` ending ``FOR <strength>`` on PostgreSQL (its rows stay locked until the
    transaction ends); ``query`` itself on SQLite."""
    if is_sqlite():
        return query
    return query.lock_rows(strength)


async def take_lock(query: Select, strength: LockStrength = "UPDATE") -> None:
    """Lock the rows ``query`` selects until the transaction ends, on PostgreSQL. On SQLite
    nothing runs: the statement would lock nothing and cost a query."""
    if not is_sqlite():
        await query.lock_rows(strength)


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
    notify(ALL_TABLES)


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
    written_token = written_in_transaction.set(written)
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
        written_in_transaction.reset(written_token)
        _after_commit.reset(callbacks_token)
        _in_write.reset(token)
        # Again once committed (or rolled back): a cache filled meanwhile from the
        # snapshot before the commit is dropped.
        for table in written:
            notify(table)
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
        return _sqlite_violation(str(exc))
    if asyncpg is not None and isinstance(exc, asyncpg.exceptions.IntegrityConstraintViolationError):
        return _postgres_violation(exc)
    return None


def _sqlite_violation(message: str) -> IntegrityViolation:
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
        not_null_table, _, column = rest.partition(".")
        return IntegrityViolation("not_null", not_null_table, (column,), None)
    return IntegrityViolation("unknown", None, (), None)


def _postgres_violation(exc: Any) -> IntegrityViolation:
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


# --- start-up, shutdown, migrations --------------------------------------------------


async def start() -> None:
    """Open what the engine needs for serving (app lifespan)."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        # WAL lets readers run beside the writer; it persists in the file. Must run
        # outside a transaction.
        await db.run_ddl("PRAGMA journal_mode=WAL")
    elif isinstance(db, PostgresEngine):
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
        words = _DIALECT[dialect()]
        for statement in split_statements(sql):
            await engine().run_ddl(statement.format(**words))

    return run


def split_statements(sql: str) -> list[str]:
    """Statements of a migration script; whole-line ``--`` comments are dropped first."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
