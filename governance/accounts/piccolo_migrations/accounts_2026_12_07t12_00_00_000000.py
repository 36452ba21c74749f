"""Accounts: one-time access links (invitations, password resets) and account events."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-12-07T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "access links and account events"

SQL = """
CREATE TABLE access_link (
    id VARCHAR(64) PRIMARY KEY,
    person INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    kind VARCHAR(16) NOT NULL,
    created_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    CONSTRAINT access_link_id_is_sha256 CHECK (length(id) = 64),
    CONSTRAINT access_link_kind_known CHECK (kind IN ('invitation', 'reset')),
    CONSTRAINT access_link_expires_after_creation CHECK (expires_at > created_at),
    CONSTRAINT access_link_used_after_creation CHECK (used_at IS NULL OR used_at >= created_at)
);
CREATE INDEX access_link_person ON access_link (person);

CREATE TABLE account_event (
    id {serial},
    person INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    kind VARCHAR(32) NOT NULL,
    actor INTEGER REFERENCES person (id) ON DELETE SET NULL,
    actor_name VARCHAR(254) NOT NULL,
    detail VARCHAR(600) NOT NULL DEFAULT '',
    at TIMESTAMPTZ NOT NULL,
    CONSTRAINT account_event_kind_known CHECK (kind IN (
        'invited', 'reset_link', 'deactivated', 'reactivated', 'email_changed',
        'password_chosen', 'password_changed', 'password_set_by_operator'
    )),
    CONSTRAINT account_event_actor_named CHECK (length(trim(actor_name)) > 0)
);
CREATE INDEX account_event_person ON account_event (person, at);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
