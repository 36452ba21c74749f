"""Accounts: person, auth_session, login_failure."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-11-28T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "people, sessions and failed logins"

SQL = """
CREATE TABLE person (
    id {serial},
    email VARCHAR(254) NOT NULL,
    full_name VARCHAR(200) NOT NULL,
    password_hash VARCHAR(255),
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    language VARCHAR(2) NOT NULL DEFAULT 'en',
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT person_email_lowercase CHECK (email = lower(email)),
    CONSTRAINT person_email_shape CHECK (email LIKE '%_@_%'),
    CONSTRAINT person_name_present CHECK (length(trim(full_name)) > 0),
    CONSTRAINT person_language_known CHECK (language IN ('en', 'fr', 'es'))
);
CREATE UNIQUE INDEX person_email_unique ON person (email);

CREATE TABLE auth_session (
    id VARCHAR(64) PRIMARY KEY,
    handle VARCHAR(32) NOT NULL,
    person INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    user_agent VARCHAR(300) NOT NULL DEFAULT '',
    client_ip VARCHAR(64) NOT NULL DEFAULT '',
    CONSTRAINT auth_session_id_is_sha256 CHECK (length(id) = 64),
    CONSTRAINT auth_session_expires_after_creation CHECK (expires_at > created_at)
);
CREATE UNIQUE INDEX auth_session_handle_unique ON auth_session (handle);
CREATE INDEX auth_session_person ON auth_session (person);

CREATE TABLE login_failure (
    id {serial},
    account_key VARCHAR(64) NOT NULL,
    client_key VARCHAR(64) NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failure_account ON login_failure (account_key, failed_at);
CREATE INDEX login_failure_client ON login_failure (client_key, failed_at);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
