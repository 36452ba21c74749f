"""Rule set clauses for the agenda and motions: seconding, amendment depth, recusal, who drives."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-11-28T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "agenda and motion clauses"

# Additive only (SQLite): columns with defaults, no new constraints on existing rows.
SQL = """
ALTER TABLE rule_set ADD COLUMN seconding_required BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE rule_set ADD COLUMN amendment_max_depth INTEGER NOT NULL DEFAULT 1;
ALTER TABLE rule_set ADD COLUMN motions_article VARCHAR(120) NOT NULL DEFAULT '(demo)';
ALTER TABLE rule_set ADD COLUMN recused_count_for_quorum BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE rule_set ADD COLUMN recusal_article VARCHAR(120) NOT NULL DEFAULT '(demo)';
ALTER TABLE rule_set ADD COLUMN secretary_may_drive_agenda BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE rule_set ADD COLUMN agenda_article VARCHAR(120) NOT NULL DEFAULT '(demo)'
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="organisations", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
