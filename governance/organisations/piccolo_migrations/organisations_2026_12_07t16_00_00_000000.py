"""The organisation's logo (issue 20: the minutes' letterhead), in a table of its own.

Additive: a new table, one row per organisation at most. PNG or JPEG only; the service checks
the image (size, kind, dimensions) before it gets here, the table keeps the kind and a bound.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-12-07T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "organisation logo"

SQL = """
CREATE TABLE organisation_logo (
    id {serial},
    organisation INTEGER NOT NULL UNIQUE REFERENCES organisation (id) ON DELETE CASCADE,
    media_type VARCHAR(20) NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg')),
    image {blob} NOT NULL,
    width INTEGER NOT NULL CHECK (width > 0),
    height INTEGER NOT NULL CHECK (height > 0),
    uploaded_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
)
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="organisations", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
