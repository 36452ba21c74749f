"""The verifiable record (docs/record-format.md): the log's hash chain, ballot nonces, poll
commitments (Merkle root, participation hash, checkpoint) and organisations' public keys.

Existing log rows are chained here, in their order, before the unique index and the
append-only triggers exist (the triggers would refuse the backfill's UPDATE).
"""

from __future__ import annotations

import datetime as dt
import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance import db
from governance.record.canonical import GENESIS, event_body, sha256_hex

ID = "2026-11-28T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "hash-chained log, ballot nonces, poll commitments, organisation keys"

COLUMNS = """
ALTER TABLE meeting_event ADD COLUMN height INTEGER CONSTRAINT meeting_event_height_positive CHECK (height >= 1);
ALTER TABLE meeting_event ADD COLUMN parent VARCHAR(64);
ALTER TABLE meeting_event ADD COLUMN body TEXT;
ALTER TABLE meeting_event ADD COLUMN hash VARCHAR(64);
ALTER TABLE secret_ballot ADD COLUMN nonce VARCHAR(32);
ALTER TABLE roll_call_vote ADD COLUMN nonce VARCHAR(32);
CREATE INDEX secret_ballot_nonce ON secret_ballot (poll, nonce);
CREATE INDEX roll_call_vote_nonce ON roll_call_vote (poll, nonce);
ALTER TABLE poll ADD COLUMN merkle_root VARCHAR(64);
ALTER TABLE poll ADD COLUMN participation_hash VARCHAR(64);
ALTER TABLE poll ADD COLUMN checkpoint TEXT;
CREATE TABLE organisation_key (
    id {serial},
    organisation INTEGER NOT NULL REFERENCES organisation (id) ON DELETE RESTRICT,
    name VARCHAR(200) NOT NULL,
    public_key VARCHAR(64) NOT NULL,
    fingerprint VARCHAR(64) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    retired_at TIMESTAMPTZ,
    CONSTRAINT organisation_key_fingerprint CHECK (length(fingerprint) = 64)
);
CREATE UNIQUE INDEX organisation_key_fingerprint_unique ON organisation_key (fingerprint);
CREATE UNIQUE INDEX organisation_key_one_current ON organisation_key (organisation) WHERE retired_at IS NULL
"""

AFTER_BACKFILL = """
CREATE UNIQUE INDEX meeting_event_chain ON meeting_event (meeting, height)
"""

# Append-only, enforced by the database: no UPDATE, no DELETE of a log row.
TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER meeting_event_no_update BEFORE UPDATE ON meeting_event "
        "BEGIN SELECT RAISE(ABORT, 'the meeting log is append-only'); END",
        "CREATE TRIGGER meeting_event_no_delete BEFORE DELETE ON meeting_event "
        "BEGIN SELECT RAISE(ABORT, 'the meeting log is append-only'); END",
    ],
    "postgres": [
        "CREATE FUNCTION meeting_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the meeting log is append-only'; END $$",
        "CREATE TRIGGER meeting_event_append_only BEFORE UPDATE OR DELETE ON meeting_event "
        "FOR EACH ROW EXECUTE FUNCTION meeting_event_append_only()",
    ],
}


async def _chain_existing() -> None:
    from governance.meetings.tables import Meeting
    from governance.record.tables import MeetingEvent

    slugs = {row["id"]: row["slug"] for row in await Meeting.select(Meeting.id, Meeting.slug)}
    rows = await MeetingEvent.select(
        MeetingEvent.id, MeetingEvent.meeting, MeetingEvent.at, MeetingEvent.actor, MeetingEvent.kind,
        MeetingEvent.payload,
    ).order_by(MeetingEvent.id)  # fmt: skip
    heads: dict[int, tuple[int, str]] = {}
    for row in rows:
        height, parent = heads.get(row["meeting"], (0, GENESIS))
        at = row["at"] if isinstance(row["at"], dt.datetime) else dt.datetime.fromisoformat(row["at"])
        body = event_body(
            slugs[row["meeting"]], height + 1, parent, row["kind"], at, row["actor"], json.loads(row["payload"])
        )
        digest = sha256_hex(body)
        await MeetingEvent.update(
            {
                MeetingEvent.height: height + 1,
                MeetingEvent.parent: parent,
                MeetingEvent.body: body.decode(),
                MeetingEvent.hash: digest,
            }
        ).where(MeetingEvent.id == row["id"])
        heads[row["meeting"]] = (height + 1, digest)


async def _run() -> None:
    dialect = "sqlite" if db.is_sqlite() else "postgres"
    serial = "INTEGER PRIMARY KEY" if dialect == "sqlite" else "SERIAL PRIMARY KEY"
    for statement in db.split_statements(COLUMNS):
        await db.engine().run_ddl(statement.format(serial=serial))
    await _chain_existing()
    for statement in db.split_statements(AFTER_BACKFILL):
        await db.engine().run_ddl(statement)
    for statement in TRIGGERS[dialect]:
        await db.engine().run_ddl(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="polls", description=DESCRIPTION)
    manager.add_raw(_run)
    return manager
