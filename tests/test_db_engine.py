"""The engine layer (governance.db, governance.sqlite_pool) against the Piccolo it builds on.

Our engines copy a few Piccolo methods (private ones among them) to add a connection pool
and statement watching. A copy silently drifts when Piccolo changes the original, so the
upstream source of every method we override is pinned here by hash: when a Piccolo upgrade
changes one, this fails, and our copy must be re-read against the new upstream.
"""

from __future__ import annotations

import hashlib
import inspect

import pytest
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction

from governance import db
from governance.accounts.tables import Person
from governance.sqlite_pool import PooledSQLiteEngine, PooledSQLiteTransaction
from tests.support.database import ENGINE

# (Piccolo class, method) -> sha256 of inspect.getsource() of Piccolo's own, as of piccolo 1.38.0;
# with what our copy relies on.
PINNED: dict[tuple[type, str], tuple[str, str]] = {
    (SQLiteEngine, "_run_in_new_connection"): (
        "b1d06d9de80697ec927ce63bd5503c37eb5dd3b34da17fcf79fa3f4e96f25d8d",
        "PooledSQLiteEngine: a pooled connection instead of a new one; no RETURNING fallback (SQLite >= 3.35)",
    ),
    (SQLiteEngine, "_run_in_existing_connection"): (
        "0cd1e6dc5537338873291a245df9f9e89cfe6131c27f82639dc17b1e45298f0d",
        "PooledSQLiteEngine: no PRAGMA foreign_keys per statement (set once per pooled connection)",
    ),
    (SQLiteTransaction, "__aenter__"): (
        "579894a54e56b9a89ff3f9bdfcc770a48b6aff4c3448935a5ae1a0bc562e3f21",
        "PooledSQLiteTransaction: the connection goes back to the pool when BEGIN fails",
    ),
    (SQLiteTransaction, "__aexit__"): (
        "08149562d0e1db2e2c2c57396b4263d33beaecc85db2a674f8f391b9770a55a5",
        "PooledSQLiteTransaction: released to the pool instead of closed",
    ),
    (PostgresEngine, "run_querystring"): (
        "348d22aa818ace11c94827b6bcf9db9bc70452e1730c3d1beb579c8658cb7595",
        "WatchedPostgresEngine: a copy that reports the compiled SQL (and logs as upstream does)",
    ),
    (PostgresTransaction, "__aenter__"): (
        "60718be475b058d71c088969a1a53f67996058e325e34c341d5546ec13c36e33",
        "PinnedConnection: holds a connection through __aenter__, which must call begin() (a no-op there)",
    ),
}

OURS: dict[type, type] = {
    PooledSQLiteEngine: SQLiteEngine,
    PooledSQLiteTransaction: SQLiteTransaction,
    db.WatchedPostgresEngine: PostgresEngine,
    db.PinnedConnection: PostgresTransaction,
}
# Overrides that call Piccolo's own (super()) rather than copy it: nothing to pin.
DELEGATING = {"__init__"}


def _digest(function: object) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()  # type: ignore[arg-type]


@pytest.mark.parametrize(("upstream", "name"), list(PINNED), ids=[f"{c.__name__}.{n}" for c, n in PINNED])
def test_overridden_piccolo_methods_are_unchanged_upstream(upstream: type, name: str) -> None:
    expected, why = PINNED[(upstream, name)]
    assert _digest(getattr(upstream, name)) == expected, (
        f"Piccolo changed {upstream.__module__}.{upstream.__name__}.{name}, which our engine copies "
        f"({why}). Re-check our copy in governance/db.py or governance/sqlite_pool.py against the new "
        f"upstream source, carry over what changed, then update the hash in tests/test_db_engine.py."
    )


def test_every_private_override_is_pinned() -> None:
    """A new override of a Piccolo private (or dunder) method needs its pin above."""
    unpinned = []
    for ours, upstream in OURS.items():
        for name, member in vars(ours).items():
            if not inspect.isfunction(member) or not name.startswith("_") or name in DELEGATING:
                continue
            if hasattr(upstream, name) and not any(
                name == pinned and issubclass(upstream, cls) for cls, pinned in PINNED
            ):
                unpinned.append(f"{ours.__name__}.{name}")
    assert not unpinned, f"overrides of Piccolo methods with no upstream pin: {unpinned}"


async def test_piccolo_query_logging_works_through_our_engines(fresh_db, capsys) -> None:
    """``log_queries`` / ``log_responses`` print each query and response, as in Piccolo: outside
    a transaction, inside ``reading()`` (a pinned connection on PostgreSQL) and ``writing()``."""
    engine = db.engine()
    assert isinstance(engine, PooledSQLiteEngine if ENGINE == "sqlite" else db.WatchedPostgresEngine)
    engine.log_queries = engine.log_responses = True
    try:
        await Person.select(Person.id).where(Person.email == "outside@example.org")
        async with db.reading():
            await Person.select(Person.id).where(Person.email == "reading@example.org")
        async with db.writing():
            await Person.select(Person.id).where(Person.email == "writing@example.org")
    finally:
        engine.log_queries = engine.log_responses = False
    printed = capsys.readouterr().out
    for marker in ("outside@example.org", "reading@example.org", "writing@example.org"):
        assert marker in printed
    assert printed.count("response:") >= 3
    await Person.select(Person.id).where(Person.email == "quiet@example.org")
    assert "quiet@example.org" not in capsys.readouterr().out


def test_make_engine_passes_piccolo_logging_options(tmp_path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}", log_queries=True, log_responses=True)
    assert engine.log_queries and engine.log_responses
    assert not db.make_engine(f"sqlite:///{tmp_path / 'y.sqlite3'}").log_queries


def test_dialect_names_the_engine() -> None:
    assert db.dialect() == ENGINE


async def test_row_locks_on_postgresql_only(fresh_db) -> None:
    """``lock`` adds FOR <strength> on PostgreSQL; ``take_lock`` runs no statement on SQLite."""
    query = db.lock(Person.select(Person.id).where(Person.id == 1), "SHARE")
    if ENGINE == "sqlite":
        assert "FOR SHARE" not in str(query)
    else:
        assert str(query).endswith("FOR SHARE")
    with db.recording_statements() as statements:
        async with db.writing():
            await query.first()
            await db.take_lock(Person.select(Person.id).where(Person.id == 1))
    if ENGINE == "sqlite":
        assert len(statements) == 1
    else:
        assert len(statements) == 2 and statements[1].rstrip().endswith("FOR UPDATE")
