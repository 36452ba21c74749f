"""The meeting log: an append-only record of every state change that matters."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-11-28T10:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "meeting log"

SQL = """
CREATE TABLE meeting_event (
    id {serial},
    meeting INTEGER NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    at TIMESTAMPTZ NOT NULL,
    actor INTEGER REFERENCES person (id) ON DELETE SET NULL,
    kind VARCHAR(60) NOT NULL,
    payload TEXT NOT NULL DEFAULT '{{}}',
    CONSTRAINT meeting_event_kind_present CHECK (length(kind) > 0)
);
CREATE INDEX meeting_event_meeting ON meeting_event (meeting, id)
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="record", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
