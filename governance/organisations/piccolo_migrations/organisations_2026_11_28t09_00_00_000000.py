"""Rule sets: "more than" or "at least" the quorum fraction."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-11-28T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "quorum strictness"

# Additive only: SQLite can add a column with a default, not a constraint.
SQL = """
ALTER TABLE rule_set ADD COLUMN quorum_strict BOOLEAN NOT NULL DEFAULT FALSE
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="organisations", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
