"""Proxies the statutes would accept (issue 17): the grantor's signed proxy form (a document
stored by its SHA-256) or the grantor's own confirmation; a holder's acceptance recorded by
the secretariat "in the room" is marked as such."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-12-07T13:00:09:000000"
VERSION = "1.38.0"
DESCRIPTION = "proxy forms, grantors' confirmations, acceptances recorded in the room"

# Additive only: existing proxies keep their rows and get no form and no confirmation (so a
# proxy recorded by the secretariat alone before this change counts for nothing until its
# grantor confirms it or its form is attached).
SQL = """
ALTER TABLE proxy ADD COLUMN form_sha256 VARCHAR(64) NOT NULL DEFAULT ''
    CONSTRAINT proxy_form_is_a_sha256 CHECK (form_sha256 = '' OR length(form_sha256) = 64);
ALTER TABLE proxy ADD COLUMN form_name VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE proxy ADD COLUMN form_content_type VARCHAR(100) NOT NULL DEFAULT '';
ALTER TABLE proxy ADD COLUMN form_size INTEGER NOT NULL DEFAULT 0
    CONSTRAINT proxy_form_size_capped CHECK (form_size >= 0 AND form_size <= 20971520);
ALTER TABLE proxy ADD COLUMN form_uploaded_at TIMESTAMPTZ;
ALTER TABLE proxy ADD COLUMN form_uploaded_by INTEGER REFERENCES person (id) ON DELETE SET NULL;
ALTER TABLE proxy ADD COLUMN grantor_confirmed_at TIMESTAMPTZ;
ALTER TABLE proxy ADD COLUMN grantor_confirmed_by INTEGER REFERENCES person (id) ON DELETE SET NULL;
ALTER TABLE proxy ADD COLUMN accepted_in_room BOOLEAN NOT NULL DEFAULT FALSE
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="meetings", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
