"""Events and meetings."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-11-28T08:02:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "events and meetings"

SQL = """
CREATE TABLE event (
    id {serial},
    organisation INTEGER NOT NULL REFERENCES organisation (id) ON DELETE RESTRICT,
    slug VARCHAR(80) NOT NULL,
    name_en VARCHAR(200) NOT NULL,
    name_fr VARCHAR(200) NOT NULL DEFAULT '',
    name_es VARCHAR(200) NOT NULL DEFAULT '',
    city VARCHAR(100) NOT NULL DEFAULT '',
    country VARCHAR(100) NOT NULL DEFAULT '',
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    time_zone VARCHAR(64) NOT NULL,
    CONSTRAINT event_slug_shape CHECK (slug = lower(slug) AND length(slug) > 0 AND slug NOT LIKE '% %'),
    CONSTRAINT event_name_present CHECK (length(trim(name_en)) > 0),
    CONSTRAINT event_dates_ordered CHECK (ends_on >= starts_on)
);
CREATE UNIQUE INDEX event_slug_unique ON event (slug);

CREATE TABLE meeting (
    id {serial},
    event INTEGER REFERENCES event (id) ON DELETE SET NULL,
    body INTEGER NOT NULL REFERENCES body (id) ON DELETE RESTRICT,
    slug VARCHAR(80) NOT NULL,
    title_en VARCHAR(200) NOT NULL,
    title_fr VARCHAR(200) NOT NULL DEFAULT '',
    title_es VARCHAR(200) NOT NULL DEFAULT '',
    kind VARCHAR(30) NOT NULL,
    mode VARCHAR(20) NOT NULL,
    venue VARCHAR(300) NOT NULL DEFAULT '',
    time_zone VARCHAR(64) NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ,
    status VARCHAR(20) NOT NULL DEFAULT 'draft',
    convocation INTEGER NOT NULL DEFAULT 1,
    self_check_in BOOLEAN NOT NULL DEFAULT FALSE,
    rule_set INTEGER REFERENCES rule_set (id) ON DELETE RESTRICT,
    secretary INTEGER REFERENCES person (id) ON DELETE SET NULL,
    chair_mandate INTEGER REFERENCES mandate (id) ON DELETE SET NULL,
    convened_at TIMESTAMPTZ,
    status_changed_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT meeting_slug_shape CHECK (slug = lower(slug) AND length(slug) > 0 AND slug NOT LIKE '% %'),
    CONSTRAINT meeting_title_present CHECK (length(trim(title_en)) > 0),
    CONSTRAINT meeting_kind_known CHECK (kind IN ('ordinary', 'extraordinary', 'written_procedure')),
    CONSTRAINT meeting_mode_known CHECK (mode IN ('in_person', 'hybrid', 'remote')),
    CONSTRAINT meeting_status_known CHECK (status IN ('draft', 'convened', 'open', 'suspended', 'closed')),
    CONSTRAINT meeting_convocation_known CHECK (convocation IN (1, 2)),
    CONSTRAINT meeting_times_ordered CHECK (ends_at IS NULL OR ends_at > starts_at),
    -- Past the draft stage a meeting is governed by one fixed rule set version.
    CONSTRAINT meeting_rule_set_when_convened CHECK (
        status = 'draft' OR (rule_set IS NOT NULL AND convened_at IS NOT NULL))
);
CREATE UNIQUE INDEX meeting_slug_unique ON meeting (slug);
CREATE INDEX meeting_body ON meeting (body);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="meetings", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
