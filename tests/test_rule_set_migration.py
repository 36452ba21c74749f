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
from tests.support.database import ENGINE

APPS = ["accounts", "organisations", "meetings", "record", "agenda", "polls", "minutes"]
BEFORE = {"organisations": "2026-11-28T10:00:00:000000"}  # the organisations migration before the drop
DROPPED = {"abstention_treatment": "not_cast", "abstention_article": "Art. 11.6 (demo)"}
# Piccolo's own table, SQLite's, and tables made by organisations migrations after the drop
# (the "before" database lacks them; the demo puts no row in them).
SKIPPED = ("migration", "sqlite_sequence", "organisation_logo")


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


async def _copy_postgres(source_dsn: str, target_dsn: str) -> dict[str, int]:
    """Every row of every table of ``source`` into ``target`` (foreign-key triggers off); rows per table."""
    import asyncpg

    source, target = await asyncpg.connect(source_dsn), await asyncpg.connect(target_dsn)
    counts: dict[str, int] = {}
    try:
        rows = await source.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row["tablename"] for row in rows]
        async with target.transaction():
            await target.execute("SET LOCAL session_replication_role = replica")
            for table in sorted(tables):
                if table in SKIPPED:
                    continue
                rows = await source.fetch(f'SELECT * FROM "{table}"')
                counts[table] = len(rows)
                if not rows:
                    continue
                columns = list(rows[0].keys())
                extra = DROPPED if table == "rule_set" else {}
                records = [(*row.values(), *extra.values()) for row in rows]
                await target.copy_records_to_table(table, records=records, columns=[*columns, *extra])
    finally:
        await source.close()
        await target.close()
    return counts


async def _columns_of(table: str) -> set[str]:
    if db.is_sqlite():
        return {row["name"] for row in await db.engine().run_ddl(f"PRAGMA table_info({table})")}
    rows = await db.engine().run_ddl(f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'")
    return {row["column_name"] for row in rows}


async def _upgraded(counts: dict[str, int], rule_set_columns: set[str]) -> None:
    """The database after the drop: the same rows, the columns gone, the constraints there."""
    assert set(DROPPED) <= rule_set_columns and counts["rule_set"] >= 1 and counts["meeting"] >= 1
    assert await _columns_of("rule_set") == rule_set_columns - set(DROPPED)
    for table, count in counts.items():
        assert (await db.engine().run_ddl(f'SELECT count(*) AS n FROM "{table}"'))[0]["n"] == count, table
    if db.is_sqlite():
        assert await db.engine().run_ddl("PRAGMA foreign_key_check") == []
        assert (await db.engine().run_ddl("PRAGMA integrity_check"))[0]["integrity_check"] == "ok"
        indexes = {row["name"] for row in await db.engine().run_ddl("PRAGMA index_list(rule_set)")}
    else:
        rows = await db.engine().run_ddl("SELECT indexname FROM pg_indexes WHERE tablename = 'rule_set'")
        indexes = {row["indexname"] for row in rows}
    assert "rule_set_version_unique" in indexes
    # The rule sets, their majority rules and the meetings that cite them are the demo's.
    board = await RuleSet.select().where(RuleSet.title.like("%Board%")).first()
    assert board["secret_ballot_on_request_of"] == 3 and board["quorum_article"]
    assert await MajorityRule.count().where(MajorityRule.rule_set == board["id"]) >= 1
    # The check that every clause cites its article survived.
    with pytest.raises(db.IntegrityViolation) as caught:
        async with db.writing():
            await RuleSet.update({RuleSet.tie_article: " "}).where(RuleSet.id == board["id"])
    assert caught.value.kind == "check"
    # And the one on the dropped clause went with it: a rule set is written without it.
    async with db.writing():
        await RuleSet.update({RuleSet.tie_article: "Art. 11.6 (demo)"}).where(RuleSet.id == board["id"])


async def test_dropping_the_abstention_clause_keeps_every_row(demo, tmp_path: Path):
    assert (await RuleSet.count()) >= 1
    if ENGINE == "sqlite":
        source = db.engine().path  # type: ignore[attr-defined]
        db.engine().path = str(tmp_path / "before.sqlite3")  # type: ignore[attr-defined]
        await _migrate_all_but_the_drop()
        rule_set_columns = await _columns_of("rule_set")
        counts = _copy_sqlite(source, db.engine().path)  # type: ignore[attr-defined]
        await db.migrate()
        await _upgraded(counts, rule_set_columns)
        return
    from tests.support.database import PG_TEST_DB, recreate_pg_database

    upgrade = f"{PG_TEST_DB}_upgrade"
    engine = db.engine()
    original = dict(engine.config)  # type: ignore[attr-defined]
    target_dsn = original["dsn"].rsplit("/", 1)[0] + f"/{upgrade}"
    await recreate_pg_database(upgrade)
    await db.stop()
    try:
        engine.config = {"dsn": target_dsn}  # type: ignore[attr-defined]
        await db.start()
        await _migrate_all_but_the_drop()
        rule_set_columns = await _columns_of("rule_set")
        counts = await _copy_postgres(original["dsn"], target_dsn)
        await db.migrate()
        await _upgraded(counts, rule_set_columns)
        await db.stop()
    finally:
        engine.config = original  # type: ignore[attr-defined]
        await db.start()
        await recreate_pg_database(upgrade, create=False)
