"""Display links: the room's screen follows a meeting without a personal login (issue 19)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-12-07T12:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "display links"

SQL = """
-- A read-only link to a meeting's display view, opened by the secretariat for the room's
-- screen. Only the SHA-256 of its random token is stored: the link itself is shown once.
-- Revoked, it is kept (who opened and revoked it stays on record) but opens nothing.
CREATE TABLE display_link (
    id {serial},
    meeting INTEGER NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    token_hash VARCHAR(64) NOT NULL,
    label VARCHAR(100) NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    created_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    revoked_at TIMESTAMPTZ,
    revoked_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    CONSTRAINT display_link_hash_length CHECK (length(token_hash) = 64),
    CONSTRAINT display_link_revoked_after_created CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);
CREATE UNIQUE INDEX display_link_token ON display_link (token_hash);
CREATE INDEX display_link_meeting ON display_link (meeting)
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="meetings", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
