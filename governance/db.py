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
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

try:  # asyncpg is installed with piccolo[postgres]; keep SQLite-only installs working.
    import asyncpg
except ImportError:  # pragma: no cover
    asyncpg = None  # type: ignore[assignment]


def make_engine(database_url: str) -> Engine:
    """Build the Piccolo engine that ``DATABASE_URL`` describes."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # timeout: how long a connection waits for the file lock before giving up.
        return SQLiteEngine(path=str(path), timeout=30)
    return PostgresEngine(config={"dsn": database_url})


def engine() -> Engine:
    from piccolo.engine.finder import engine_finder

    found = engine_finder()
    if found is None:  # pragma: no cover - piccolo_conf.py always defines DB
        raise RuntimeError("piccolo_conf.py defines no DB engine")
    return found


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


# --- transactions -----------------------------------------------------------------

_write_lock: asyncio.Lock | None = None
_in_write: contextvars.ContextVar[bool] = contextvars.ContextVar("in_write", default=False)


def _lock() -> asyncio.Lock:
    global _write_lock
    if _write_lock is None:
        _write_lock = asyncio.Lock()
    return _write_lock


def reset_write_lock() -> None:
    """Forget the lock (tests that run several event loops in one process)."""
    global _write_lock
    _write_lock = None


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
    try:
        if isinstance(db, SQLiteEngine):
            async with _lock(), db.transaction(transaction_type=TransactionType.immediate):
                yield
        else:
            async with db.transaction():
                yield
    except Exception as exc:
        violation = translate_integrity_error(exc)
        if violation is not None:
            raise violation from exc
        raise
    finally:
        _in_write.reset(token)


@contextlib.asynccontextmanager
async def reading() -> AsyncIterator[None]:
    """A read-only transaction: one connection (and, on SQLite, one thread) for all reads."""
    db = engine()
    if _in_write.get() or db.transaction_exists():
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
        await db.start_connection_pool(min_size=2, max_size=20)


async def stop() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        with contextlib.suppress(Exception):
            await db.close_connection_pool()


async def migrate() -> None:
    """Apply every committed migration, in dependency order."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    with contextlib.redirect_stdout(None):  # piccolo prints a heading per app
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"Migrations failed: {result.message}")
    if is_sqlite():
        await engine().run_ddl("PRAGMA journal_mode=WAL")


async def ping() -> bool:
    """True when the database answers a trivial query."""
    try:
        await engine().run_ddl("SELECT 1")
    except Exception:
        return False
    return True


# The only DDL that differs between the engines in our migrations.
_DIALECT = {
    "sqlite": {"serial": "INTEGER PRIMARY KEY"},
    "postgres": {"serial": "SERIAL PRIMARY KEY"},
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
