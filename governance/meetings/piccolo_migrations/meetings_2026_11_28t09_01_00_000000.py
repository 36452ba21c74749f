"""Attendance (stays, excusals), proxies and quorum checks."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-11-28T09:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "attendance, proxies and quorum checks"

SQL = """
-- One row per stay: a departure closes it, a return opens a new one (never overwritten).
CREATE TABLE presence (
    id {serial},
    meeting INTEGER NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    member INTEGER NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    person INTEGER NOT NULL REFERENCES person (id) ON DELETE RESTRICT,
    role VARCHAR(20) NOT NULL,
    mode VARCHAR(10) NOT NULL,
    arrived_at TIMESTAMPTZ NOT NULL,
    departed_at TIMESTAMPTZ,
    recorded_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    CONSTRAINT presence_role_known CHECK (role IN ('principal', 'delegate', 'substitute')),
    CONSTRAINT presence_mode_known CHECK (mode IN ('present', 'remote')),
    CONSTRAINT presence_departure_after_arrival CHECK (departed_at IS NULL OR departed_at >= arrived_at)
);
-- A member is checked in once at a time, and a person represents one member at a time.
CREATE UNIQUE INDEX presence_one_open_stay_per_member ON presence (meeting, member) WHERE departed_at IS NULL;
CREATE UNIQUE INDEX presence_one_open_stay_per_person ON presence (meeting, person) WHERE departed_at IS NULL;
CREATE INDEX presence_meeting ON presence (meeting, member);

CREATE TABLE excusal (
    id {serial},
    meeting INTEGER NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    member INTEGER NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    reason VARCHAR(300) NOT NULL DEFAULT '',
    recorded_at TIMESTAMPTZ NOT NULL,
    recorded_by INTEGER REFERENCES person (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX excusal_unique ON excusal (meeting, member);

CREATE TABLE proxy (
    id {serial},
    meeting INTEGER NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    grantor INTEGER NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    holder INTEGER NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    scope VARCHAR(10) NOT NULL,
    items VARCHAR(200) NOT NULL DEFAULT '',
    instructions TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    created_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    accepted_at TIMESTAMPTZ,
    accepted_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    validated_at TIMESTAMPTZ,
    validated_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    revoked_at TIMESTAMPTZ,
    revoked_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    revoked_reason VARCHAR(200) NOT NULL DEFAULT '',
    CONSTRAINT proxy_not_to_self CHECK (grantor <> holder),
    CONSTRAINT proxy_scope_known CHECK (scope IN ('meeting', 'items')),
    CONSTRAINT proxy_items_listed CHECK (scope = 'meeting' OR length(trim(items)) > 0),
    CONSTRAINT proxy_revocation_explained CHECK (revoked_at IS NULL OR length(trim(revoked_reason)) > 0)
);
-- A member gives at most one live proxy per meeting.
CREATE UNIQUE INDEX proxy_one_live_per_grantor ON proxy (meeting, grantor) WHERE revoked_at IS NULL;
CREATE INDEX proxy_holder ON proxy (meeting, holder);

CREATE TABLE quorum_check (
    id {serial},
    meeting INTEGER NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    at TIMESTAMPTZ NOT NULL,
    trigger VARCHAR(300) NOT NULL,
    convocation INTEGER NOT NULL,
    present INTEGER NOT NULL,
    remote INTEGER NOT NULL,
    represented INTEGER NOT NULL,
    counted INTEGER NOT NULL,
    total INTEGER NOT NULL,
    required INTEGER NOT NULL,
    met BOOLEAN NOT NULL,
    CONSTRAINT quorum_check_counts CHECK (
        present >= 0 AND remote >= 0 AND represented >= 0 AND total >= 0 AND required >= 0
        AND (counted = present + remote + represented OR counted = present + remote)),
    CONSTRAINT quorum_check_met_is_arithmetic CHECK (met = (counted >= required)),
    CONSTRAINT quorum_check_convocation CHECK (convocation IN (1, 2))
);
CREATE INDEX quorum_check_meeting ON quorum_check (meeting, id);
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="meetings", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
