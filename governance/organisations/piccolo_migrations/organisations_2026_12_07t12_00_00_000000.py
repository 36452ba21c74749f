"""Rule sets: the ``abstention_treatment`` clause (and its ``abstention_article``) removed.

How abstentions count is said per decision type by the majority rule's base
(``cast_excluding_abstentions`` or ``cast_including_abstentions``, with the majority rule's
article); a second clause could only contradict it, and nothing read it.

PostgreSQL drops the two columns and the checks that name them, then restores the check that
every clause cites its article without the dropped one. SQLite cannot drop a column that a
table CHECK names, so it rebuilds the table by its documented procedure
(https://www.sqlite.org/lang_altertable.html#otheralter), as ``polls_2026_11_28t12`` does:
foreign keys off on one raw connection, one transaction, the new table from the stored
definition without the two columns and their checks, copy, drop, rename, indexes and
triggers again, foreign-key check. The definition is read from the database rather than
written here, so columns that later migrations of other apps added (``quorum_strict``, the
agenda and voting clauses) are kept whatever the order the apps ran in.
"""

from __future__ import annotations

import re
import sqlite3

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine

from governance import db

ID = "2026-12-07T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "rule sets without abstention_treatment"

DROPPED = ("abstention_treatment", "abstention_article")

ARTICLES_CITED = (
    "rule_set_articles_cited CHECK ("
    "length(trim(notice_article)) > 0 AND length(trim(quorum_article)) > 0"
    " AND length(trim(second_call_article)) > 0 AND length(trim(tie_article)) > 0"
    " AND length(trim(proxy_article)) > 0"
    " AND length(trim(voting_categories_article)) > 0 AND length(trim(remote_article)) > 0"
    " AND length(trim(written_procedure_article)) > 0 AND length(trim(secret_ballot_article)) > 0"
    " AND length(trim(election_article)) > 0 AND length(trim(arrears_article)) > 0"
    " AND length(trim(minutes_article)) > 0 AND length(trim(languages_article)) > 0)"
)

POSTGRES = [
    "ALTER TABLE rule_set DROP CONSTRAINT rule_set_abstention_known",
    "ALTER TABLE rule_set DROP CONSTRAINT rule_set_articles_cited",
    "ALTER TABLE rule_set DROP COLUMN abstention_treatment, DROP COLUMN abstention_article",
    "ALTER TABLE rule_set ADD CONSTRAINT " + ARTICLES_CITED,
]

# What the stored CREATE TABLE of rule_set loses on SQLite: each must be found exactly once.
SQLITE_EDITS = [
    r"\n[ \t]*abstention_treatment VARCHAR\(20\) NOT NULL,",
    r"\n[ \t]*abstention_article VARCHAR\(120\) NOT NULL,",
    r"\n[ \t]*CONSTRAINT rule_set_abstention_known CHECK \(abstention_treatment IN \('not_cast', 'cast'\)\),",
    r" AND length\(trim\(abstention_article\)\) > 0",
]


def new_definition(stored: str) -> str:
    """The CREATE TABLE of ``rule_set_new``: the stored one without the dropped columns."""
    sql = stored
    for pattern in SQLITE_EDITS:
        sql, found = re.subn(pattern, "", sql)
        if found != 1:
            raise RuntimeError(f"rule_set: expected one {pattern!r} in its definition, found {found}")
    if "abstention" in sql:
        raise RuntimeError("rule_set: the definition still names a dropped column")
    sql, found = re.subn(r'^CREATE TABLE "?rule_set"?\s*\(', "CREATE TABLE rule_set_new (", sql)
    if found != 1:
        raise RuntimeError("rule_set: unexpected definition")
    return sql


def _rebuild_sqlite(path: str) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("BEGIN IMMEDIATE")
        try:
            (stored,) = connection.execute(
                "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'rule_set'"
            ).fetchone()
            others = [
                row[0]
                for row in connection.execute(
                    "SELECT sql FROM sqlite_schema WHERE type IN ('index', 'trigger') AND tbl_name = 'rule_set' "
                    "AND sql IS NOT NULL ORDER BY type, name"
                )
            ]
            connection.execute(new_definition(stored))
            columns = ", ".join(row[1] for row in connection.execute("PRAGMA table_info(rule_set_new)"))
            connection.execute(f"INSERT INTO rule_set_new ({columns}) SELECT {columns} FROM rule_set")
            connection.execute("DROP TABLE rule_set")
            connection.execute("ALTER TABLE rule_set_new RENAME TO rule_set")
            for statement in others:
                connection.execute(statement)
            broken = connection.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign key check failed after rebuilding rule_set: {broken[:5]}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    finally:
        connection.close()


async def _run() -> None:
    engine = db.engine()
    if isinstance(engine, SQLiteEngine):  # what db.is_sqlite() asks, told to the type checker
        _rebuild_sqlite(engine.connection_kwargs["database"])
        return
    async with db.engine().transaction():
        for statement in POSTGRES:
            await db.engine().run_ddl(statement)


async def forwards() -> MigrationManager:
    # Not wrapped by Piccolo: each engine's branch holds its own single transaction (on SQLite,
    # on the raw connection that has foreign keys off: with them on, dropping rule_set would
    # cascade to its majority rules and be refused by the meetings that cite it).
    manager = MigrationManager(
        migration_id=ID, app_name="organisations", description=DESCRIPTION, wrap_in_transaction=False
    )
    manager.add_raw(_run)
    return manager
