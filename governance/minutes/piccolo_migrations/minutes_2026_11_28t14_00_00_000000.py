"""Minutes versions, comments, signatories' keys and signatures; a staff member's office."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-11-28T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "minutes, comments, signatory keys, signatures"

SQL = """
-- Who holds an office in the secretariat (e.g. the Secretary General signs the minutes).
ALTER TABLE staff ADD COLUMN office VARCHAR(30);

CREATE TABLE minutes_version (
    id {serial},
    meeting INTEGER NOT NULL REFERENCES meeting (id) ON DELETE RESTRICT,
    version INTEGER NOT NULL,
    status VARCHAR(12) NOT NULL,
    language VARCHAR(2) NOT NULL,
    content TEXT NOT NULL,
    content_hash VARCHAR(64) NOT NULL,
    supersedes INTEGER REFERENCES minutes_version (id) ON DELETE RESTRICT,
    created_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    circulated_at TIMESTAMPTZ,
    approved_at TIMESTAMPTZ,
    approved_hash VARCHAR(64),
    approval TEXT,
    published_at TIMESTAMPTZ,
    pdf {blob},
    CONSTRAINT minutes_status_known CHECK (status IN ('draft', 'circulated', 'approved', 'signed', 'published')),
    CONSTRAINT minutes_version_positive CHECK (version >= 1),
    CONSTRAINT minutes_hash CHECK (length(content_hash) = 64),
    CONSTRAINT minutes_approved_pins_content CHECK (
        status IN ('draft', 'circulated') OR (approved_at IS NOT NULL AND approved_hash = content_hash)),
    CONSTRAINT minutes_published_when CHECK (status <> 'published' OR published_at IS NOT NULL)
);
CREATE UNIQUE INDEX minutes_version_unique ON minutes_version (meeting, version);

CREATE TABLE minutes_comment (
    id {serial},
    minutes INTEGER NOT NULL REFERENCES minutes_version (id) ON DELETE CASCADE,
    person INTEGER NOT NULL REFERENCES person (id) ON DELETE RESTRICT,
    text TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT minutes_comment_text CHECK (length(text) BETWEEN 1 AND 5000)
);

CREATE TABLE signatory_key (
    id {serial},
    person INTEGER NOT NULL REFERENCES person (id) ON DELETE RESTRICT,
    public_key VARCHAR(64) NOT NULL,
    fingerprint VARCHAR(64) NOT NULL,
    sealed TEXT NOT NULL,
    certificate TEXT,
    certified_by VARCHAR(64),
    created_at TIMESTAMPTZ NOT NULL,
    retired_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX signatory_key_fingerprint ON signatory_key (fingerprint);
CREATE UNIQUE INDEX signatory_key_one_current ON signatory_key (person) WHERE retired_at IS NULL;

CREATE TABLE minutes_signature (
    id {serial},
    minutes INTEGER NOT NULL REFERENCES minutes_version (id) ON DELETE RESTRICT,
    person INTEGER NOT NULL REFERENCES person (id) ON DELETE RESTRICT,
    office VARCHAR(30) NOT NULL,
    acting INTEGER NOT NULL DEFAULT 0,
    fingerprint VARCHAR(64) NOT NULL,
    signature VARCHAR(100) NOT NULL,
    pdf_sha256 VARCHAR(64),
    signed_at TIMESTAMPTZ NOT NULL
);
-- One signature per office per version.
CREATE UNIQUE INDEX minutes_signature_once ON minutes_signature (minutes, office)
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="minutes", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
