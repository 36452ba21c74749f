"""The meeting's agenda state: when it was adopted, and an adopted motion that allows one change."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-11-28T10:00:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "agenda adoption"

SQL = """
ALTER TABLE meeting ADD COLUMN agenda_adopted_at TIMESTAMPTZ;
ALTER TABLE meeting ADD COLUMN agenda_unlocked_by INTEGER
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="meetings", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
