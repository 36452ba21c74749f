"""Agenda items, documents, motions and their texts, recusals, the speakers list."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-11-28T10:02:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "agenda, documents, motions, recusals, speakers"

SQL = """
CREATE TABLE agenda_item (
    id {serial},
    meeting INTEGER NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    parent INTEGER REFERENCES agenda_item (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    number VARCHAR(20) NOT NULL,
    title_en VARCHAR(300) NOT NULL,
    title_fr VARCHAR(300) NOT NULL DEFAULT '',
    title_es VARCHAR(300) NOT NULL DEFAULT '',
    kind VARCHAR(20) NOT NULL,
    decision_type VARCHAR(30),
    special VARCHAR(20),
    rapporteur VARCHAR(200) NOT NULL DEFAULT '',
    status VARCHAR(20) NOT NULL DEFAULT 'pending',
    opened_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT agenda_item_kind_known CHECK (kind IN ('information', 'discussion', 'decision', 'election')),
    CONSTRAINT agenda_item_decision_type CHECK ((kind IN ('decision', 'election')) = (decision_type IS NOT NULL)),
    CONSTRAINT agenda_item_decision_type_known CHECK (decision_type IS NULL OR decision_type IN
        ('ordinary', 'budget', 'statutes', 'election', 'admission', 'exclusion', 'dissolution',
         'agenda', 'minutes', 'procedural')),
    CONSTRAINT agenda_item_special_known CHECK (
        special IS NULL OR (special IN ('agenda', 'minutes') AND kind = 'decision')),
    CONSTRAINT agenda_item_status_known CHECK (status IN ('pending', 'open', 'closed', 'postponed', 'withdrawn')),
    CONSTRAINT agenda_item_title_present CHECK (length(trim(title_en)) > 0),
    CONSTRAINT agenda_item_position_positive CHECK (position >= 1)
);
CREATE UNIQUE INDEX agenda_item_number_unique ON agenda_item (meeting, number);
-- One item under discussion at a time: the meeting's current item.
CREATE UNIQUE INDEX agenda_item_one_open ON agenda_item (meeting) WHERE status = 'open';
CREATE UNIQUE INDEX agenda_item_one_special ON agenda_item (meeting, special) WHERE special IS NOT NULL;

CREATE TABLE agenda_document (
    id {serial},
    item INTEGER NOT NULL REFERENCES agenda_item (id) ON DELETE CASCADE,
    name VARCHAR(200) NOT NULL,
    version INTEGER NOT NULL,
    content_type VARCHAR(100) NOT NULL,
    size INTEGER NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL,
    uploaded_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    CONSTRAINT agenda_document_size CHECK (size > 0 AND size <= 20971520),
    CONSTRAINT agenda_document_sha256 CHECK (length(sha256) = 64),
    CONSTRAINT agenda_document_version CHECK (version >= 1),
    CONSTRAINT agenda_document_name_present CHECK (length(trim(name)) > 0)
);
CREATE UNIQUE INDEX agenda_document_version_unique ON agenda_document (item, name, version);

CREATE TABLE motion (
    id {serial},
    meeting INTEGER NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    item INTEGER NOT NULL REFERENCES agenda_item (id) ON DELETE CASCADE,
    kind VARCHAR(20) NOT NULL,
    procedure VARCHAR(20),
    amends INTEGER REFERENCES motion (id) ON DELETE CASCADE,
    depth INTEGER NOT NULL DEFAULT 0,
    decision_type VARCHAR(30) NOT NULL,
    authoritative_language VARCHAR(2) NOT NULL,
    mover_member INTEGER REFERENCES member (id) ON DELETE RESTRICT,
    mover_person INTEGER REFERENCES person (id) ON DELETE SET NULL,
    seconder_member INTEGER REFERENCES member (id) ON DELETE RESTRICT,
    seconder_person INTEGER REFERENCES person (id) ON DELETE SET NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'proposed',
    version INTEGER NOT NULL DEFAULT 1,
    outcome_note VARCHAR(300) NOT NULL DEFAULT '',
    decision_body INTEGER REFERENCES body (id) ON DELETE RESTRICT,
    decision_year INTEGER,
    decision_sequence INTEGER,
    decision_number VARCHAR(40),
    created_at TIMESTAMPTZ NOT NULL,
    status_changed_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT motion_kind_known CHECK (kind IN ('main', 'amendment', 'procedural')),
    CONSTRAINT motion_amendment_targets CHECK ((kind = 'amendment') = (amends IS NOT NULL)),
    CONSTRAINT motion_procedure_named CHECK ((kind = 'procedural') = (procedure IS NOT NULL)),
    CONSTRAINT motion_procedure_known CHECK (procedure IS NULL OR procedure IN
        ('postpone', 'refer', 'table', 'close_debate', 'amend_agenda')),
    CONSTRAINT motion_status_known CHECK (status IN
        ('proposed', 'seconded', 'debate', 'voting', 'adopted', 'rejected', 'withdrawn', 'postponed', 'referred')),
    CONSTRAINT motion_not_self_seconded CHECK (
        seconder_member IS NULL OR mover_member IS NULL OR seconder_member <> mover_member),
    CONSTRAINT motion_language_known CHECK (authoritative_language IN ('en', 'fr', 'es')),
    CONSTRAINT motion_depth CHECK (depth >= 0 AND (depth = 0) = (amends IS NULL)),
    CONSTRAINT motion_version CHECK (version >= 1),
    CONSTRAINT motion_decision_only_when_adopted CHECK (
        (decision_number IS NULL AND decision_sequence IS NULL)
        OR (status = 'adopted' AND decision_number IS NOT NULL AND decision_sequence >= 1
            AND decision_body IS NOT NULL AND decision_year IS NOT NULL))
);
CREATE INDEX motion_item ON motion (item);
-- Decision numbers: unique and (by construction) monotonic per body and year.
CREATE UNIQUE INDEX motion_decision_sequence ON motion (decision_body, decision_year, decision_sequence)
    WHERE decision_sequence IS NOT NULL;

CREATE TABLE motion_text (
    id {serial},
    motion INTEGER NOT NULL REFERENCES motion (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    language VARCHAR(2) NOT NULL,
    text TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    CONSTRAINT motion_text_language_known CHECK (language IN ('en', 'fr', 'es')),
    CONSTRAINT motion_text_present CHECK (length(trim(text)) > 0),
    CONSTRAINT motion_text_version CHECK (version >= 1)
);
CREATE UNIQUE INDEX motion_text_unique ON motion_text (motion, version, language);

CREATE TABLE recusal (
    id {serial},
    meeting INTEGER NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    item INTEGER NOT NULL REFERENCES agenda_item (id) ON DELETE CASCADE,
    member INTEGER NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    reason VARCHAR(300) NOT NULL,
    declared_at TIMESTAMPTZ NOT NULL,
    declared_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    CONSTRAINT recusal_reason_present CHECK (length(trim(reason)) > 0)
);
CREATE UNIQUE INDEX recusal_unique ON recusal (item, member);

CREATE TABLE speaker_request (
    id {serial},
    meeting INTEGER NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    item INTEGER NOT NULL REFERENCES agenda_item (id) ON DELETE CASCADE,
    member INTEGER REFERENCES member (id) ON DELETE RESTRICT,
    person INTEGER NOT NULL REFERENCES person (id) ON DELETE RESTRICT,
    requested_at TIMESTAMPTZ NOT NULL,
    given_at TIMESTAMPTZ,
    ended_at TIMESTAMPTZ,
    withdrawn_at TIMESTAMPTZ,
    CONSTRAINT speaker_given_after_request CHECK (given_at IS NULL OR given_at >= requested_at),
    CONSTRAINT speaker_ended_after_given CHECK (ended_at IS NULL OR (given_at IS NOT NULL AND ended_at >= given_at)),
    CONSTRAINT speaker_withdrawn_or_given CHECK (withdrawn_at IS NULL OR given_at IS NULL)
);
-- One waiting request per person and item; one speaker on the floor per meeting.
CREATE UNIQUE INDEX speaker_one_waiting ON speaker_request (item, person)
    WHERE given_at IS NULL AND withdrawn_at IS NULL;
CREATE UNIQUE INDEX speaker_one_on_the_floor ON speaker_request (meeting)
    WHERE given_at IS NOT NULL AND ended_at IS NULL
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="agenda", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
