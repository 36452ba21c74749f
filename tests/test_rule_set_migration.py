"""Upgrading a database that holds data: the migration that drops ``abstention_treatment`` and
``abstention_article`` from rule sets keeps every row of every table, the foreign keys that
point at rule sets, their unique index and the check that every clause cites its article.

The database is built as it stood before that migration (every migration but it), filled with
the demo's rows (the two dropped clauses given their old demo values), then migrated."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
from piccolo.apps.migrations.commands.forwards import run_forwards

from governance import db
from governance.organisations.tables import MajorityRule, RuleSet

from .conftest import ENGINE

APPS = ["accounts", "organisations", "meetings", "record", "agenda", "polls", "minutes"]
BEFORE = {"organisations": "2026-11-28T10:00:00:000000"}  # the organisations migration before the drop
DROPPED = {"abstention_treatment": "not_cast", "abstention_article": "Art. 11.6 (demo)"}
SKIPPED = ("migration", "sqlite_sequence")


async def _migrate_all_but_the_drop() -> None:
    with contextlib.redirect_stdout(None):
        for app in APPS:
            result = await run_forwards(app_name=app, migration_id=BEFORE.get(app, "all"))
            assert result.success, result.message


def _columns(connection: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [row[1] for row in connection.execute(f"PRAGMA {schema}.table_info({table})")]


def _copy_sqlite(source: str, target: str) -> dict[str, int]:
    """Every row of every table of ``source`` into ``target`` (foreign keys off); rows per table."""
    connection = sqlite3.connect(target, isolation_level=None)
    counts: dict[str, int] = {}
    try:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("ATTACH DATABASE ? AS old", (source,))
        connection.execute("BEGIN")
        query = "SELECT name FROM old.sqlite_schema WHERE type = 'table' ORDER BY name"
        tables = [row[0] for row in connection.execute(query)]
        for table in tables:
            if table in SKIPPED:
                continue
            columns = _columns(connection, "old", table)
            extra = {k: v for k, v in DROPPED.items() if table == "rule_set"}
            assert set(_columns(connection, "main", table)) == {*columns, *extra}, table
            names = ", ".join([*columns, *extra])
            values = ", ".join([*columns, *("?" for _ in extra)])
            connection.execute(
                f"INSERT INTO main.{table} ({names}) SELECT {values} FROM old.{table}",
                tuple(extra.values()),
            )
            counts[table] = connection.execute(f"SELECT count(*) FROM old.{table}").fetchone()[0]
        connection.execute("COMMIT")
    finally:
        connection.close()
    return counts


@pytest.mark.skipif(ENGINE != "sqlite", reason="the SQLite table rebuild (PostgreSQL: tests/test_schema.py)")
async def test_dropping_the_abstention_clause_keeps_every_row(demo, tmp_path: Path):
    source = db.engine().path  # type: ignore[attr-defined]
    assert (await RuleSet.count()) >= 1
    db.engine().path = str(tmp_path / "before.sqlite3")  # type: ignore[attr-defined]
    await _migrate_all_but_the_drop()
    rule_set_columns = {row["name"] for row in await db.engine().run_ddl("PRAGMA table_info(rule_set)")}
    assert set(DROPPED) <= rule_set_columns
    counts = _copy_sqlite(source, db.engine().path)  # type: ignore[attr-defined]
    assert counts["rule_set"] >= 1 and counts["majority_rule"] >= 1 and counts["meeting"] >= 1

    await db.migrate()

    after = {row["name"] for row in await db.engine().run_ddl("PRAGMA table_info(rule_set)")}
    assert after == rule_set_columns - set(DROPPED)
    for table, count in counts.items():
        assert (await db.engine().run_ddl(f"SELECT count(*) AS n FROM {table}"))[0]["n"] == count, table
    assert await db.engine().run_ddl("PRAGMA foreign_key_check") == []
    assert (await db.engine().run_ddl("PRAGMA integrity_check"))[0]["integrity_check"] == "ok"
    indexes = {row["name"] for row in await db.engine().run_ddl("PRAGMA index_list(rule_set)")}
    assert "rule_set_version_unique" in indexes
    # The rule sets, their majority rules and the meetings that cite them are the demo's.
    board = await RuleSet.select().where(RuleSet.title.like("%Board%")).first()
    assert board["secret_ballot_on_request_of"] == 3 and board["quorum_article"]
    assert await MajorityRule.count().where(MajorityRule.rule_set == board["id"]) >= 1
    # The check that every clause cites its article survived the rebuild.
    with pytest.raises(db.IntegrityViolation) as caught:
        async with db.writing():
            await RuleSet.update({RuleSet.tie_article: " "}).where(RuleSet.id == board["id"])
    assert caught.value.kind == "check"
