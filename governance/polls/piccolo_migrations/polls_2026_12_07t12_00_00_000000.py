"""Members' requests for a secret ballot on a motion (rule set: ``secret_ballot_on_request_of``).

Additive: one new table. One request per member per motion, enforced by the database.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-12-07T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "secret ballot requests"

SQL = """
CREATE TABLE secret_ballot_request (
    id {serial},
    meeting INTEGER NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    motion INTEGER NOT NULL REFERENCES motion (id) ON DELETE CASCADE,
    member INTEGER NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    requested_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    requested_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX secret_ballot_request_once ON secret_ballot_request (motion, member)
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="polls", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
