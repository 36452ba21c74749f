"""One person never signs the same minutes for two offices (issue 17): a unique index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-12-07T13:17:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one signature per person per minutes version"

SQL = """
-- One signature per person per version (with minutes_signature_once: per office).
CREATE UNIQUE INDEX minutes_signature_one_person ON minutes_signature (minutes, person)
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="minutes", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
