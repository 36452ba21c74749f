"""Every poll method, elections, blank ballots, changeable ballots, weights, void rounds, casting votes.

Widening a CHECK constraint is an ALTER on PostgreSQL but a table rebuild on SQLite,
which cannot alter a constraint. The rebuild follows SQLite's documented procedure
(https://www.sqlite.org/lang_altertable.html#otheralter): foreign keys off on one
connection, one transaction, new table, copy, drop, rename, indexes, foreign-key check.
It must run on one raw connection: Piccolo's SQLite engine opens a connection per
statement and switches foreign keys on for each, and with them on, dropping ``poll`` would
cascade-delete every ballot.
"""

from __future__ import annotations

import sqlite3

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine

from governance import db

ID = "2026-11-28T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "poll methods, elections, blank and changeable ballots, weights, void rounds, casting votes"

# Columns added to tables of other contexts, as the poll engine needs them.
ADD_COLUMNS = """
ALTER TABLE rule_set ADD COLUMN blank_ballots_distinct BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE rule_set ADD COLUMN ballots_changeable BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE rule_set ADD COLUMN weighted_votes BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE rule_set ADD COLUMN voting_article VARCHAR(120) NOT NULL DEFAULT '(demo)';
ALTER TABLE member ADD COLUMN vote_weight INTEGER NOT NULL DEFAULT 1
    CONSTRAINT member_vote_weight CHECK (vote_weight >= 1);
ALTER TABLE motion ADD COLUMN seats INTEGER NOT NULL DEFAULT 1
    CONSTRAINT motion_seats CHECK (seats >= 1 AND seats <= 100);

-- Candidates in an election (a motion of decision type "election"): member cities,
-- nominated once each; a withdrawal is kept, not deleted.
CREATE TABLE candidate (
    id {serial},
    motion INTEGER NOT NULL REFERENCES motion (id) ON DELETE CASCADE,
    member INTEGER NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    nominated_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    nominated_at TIMESTAMPTZ NOT NULL,
    withdrawn_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX candidate_once ON candidate (motion, member)
"""

POLL_COLUMNS = [
    "kind VARCHAR(10) NOT NULL DEFAULT 'motion'",
    """options TEXT NOT NULL DEFAULT '["yes","no","abstain"]'""",
    "seats INTEGER NOT NULL DEFAULT 1",
    "changeable BOOLEAN NOT NULL DEFAULT FALSE",
    "blank INTEGER",
    "tally TEXT",
    "elected TEXT",
    "next_candidates TEXT",
    "tellers TEXT",
    "objection TEXT",
    "voided_at TIMESTAMPTZ",
    "voided_by INTEGER REFERENCES person (id) ON DELETE SET NULL",
    "void_reason TEXT",
    "casting_vote VARCHAR(20)",
    "casting_vote_by INTEGER REFERENCES person (id) ON DELETE SET NULL",
    "casting_vote_office VARCHAR(30)",
    "closes_at TIMESTAMPTZ",
]

POLL_CONSTRAINTS = [
    "poll_method_known CHECK (method IN ('roll_call', 'secret', 'show_of_hands', 'unanimous_consent'))",
    "poll_status_known CHECK (status IN ('open', 'closed', 'void'))",
    "poll_kind_known CHECK (kind IN ('motion', 'election'))",
    "poll_seats CHECK (seats >= 1)",
    "poll_round_positive CHECK (round >= 1)",
    "poll_threshold CHECK (threshold_denominator > 0 AND threshold_numerator > 0"
    " AND threshold_numerator <= threshold_denominator)",
    "poll_quorum_met_at_opening CHECK (quorum_counted >= quorum_required)",
    "poll_counts_not_negative CHECK ((yes IS NULL OR yes >= 0) AND (no IS NULL OR no >= 0)"
    " AND (abstain IS NULL OR abstain >= 0) AND (blank IS NULL OR blank >= 0))",
    "poll_closed_has_result CHECK (status <> 'closed' OR (closed_at IS NOT NULL AND outcome IS NOT NULL))",
    "poll_void_has_reason CHECK (status <> 'void' OR (voided_at IS NOT NULL AND void_reason IS NOT NULL))",
]
# Constraints of the first migration that the new set replaces (PostgreSQL drops them by name).
REPLACED = ["poll_method_known", "poll_status_known", "poll_closed_has_result", "poll_round_positive",
            "poll_threshold", "poll_quorum_met_at_opening"]  # fmt: skip

OLD_POLL_COLUMNS = (
    "id, meeting, motion, round, method, status, question, question_language, threshold_numerator, "
    "threshold_denominator, strict, base, tie_rule, majority_article, electorate_hash, electorate_size, "
    "present_weight, represented_weight, members_weight, quorum_counted, quorum_required, opened_at, opened_by, "
    "closed_at, closed_by, yes, no, abstain, outcome, arithmetic"
)

# A ballot's content: an option, or (elections) the marked candidates' ids, ascending,
# comma-separated. The expression differs only in the trim function's name.
CHOICE_CHECK = (
    "CHECK (choice IN ('yes', 'no', 'abstain', 'blank') "
    "OR (length(choice) BETWEEN 1 AND 1000 AND {trim}(choice, '0123456789,') = ''))"
)

NEW_POLL_PARTS = ",\n    ".join([*POLL_COLUMNS, *("CONSTRAINT " + c for c in POLL_CONSTRAINTS)])

SQLITE_REBUILD = f"""
CREATE TABLE poll_new (
    id INTEGER PRIMARY KEY,
    meeting INTEGER NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    motion INTEGER NOT NULL REFERENCES motion (id) ON DELETE CASCADE,
    round INTEGER NOT NULL,
    method VARCHAR(20) NOT NULL,
    status VARCHAR(10) NOT NULL,
    question TEXT NOT NULL,
    question_language VARCHAR(2) NOT NULL,
    threshold_numerator INTEGER NOT NULL,
    threshold_denominator INTEGER NOT NULL,
    strict BOOLEAN NOT NULL,
    base VARCHAR(40) NOT NULL,
    tie_rule VARCHAR(20) NOT NULL,
    majority_article VARCHAR(120) NOT NULL,
    electorate_hash VARCHAR(64) NOT NULL,
    electorate_size INTEGER NOT NULL,
    present_weight INTEGER NOT NULL,
    represented_weight INTEGER NOT NULL,
    members_weight INTEGER NOT NULL,
    quorum_counted INTEGER NOT NULL,
    quorum_required INTEGER NOT NULL,
    opened_at TIMESTAMPTZ NOT NULL,
    opened_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    closed_at TIMESTAMPTZ,
    closed_by INTEGER REFERENCES person (id) ON DELETE SET NULL,
    yes INTEGER,
    no INTEGER,
    abstain INTEGER,
    outcome VARCHAR(30),
    arithmetic TEXT,
    {NEW_POLL_PARTS}
);
INSERT INTO poll_new ({OLD_POLL_COLUMNS}) SELECT {OLD_POLL_COLUMNS} FROM poll;
DROP TABLE poll;
ALTER TABLE poll_new RENAME TO poll;
CREATE UNIQUE INDEX poll_one_open_per_meeting ON poll (meeting) WHERE status = 'open';
CREATE UNIQUE INDEX poll_round_unique ON poll (motion, round);

CREATE TABLE roll_call_vote_new (
    id INTEGER PRIMARY KEY,
    poll INTEGER NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    member INTEGER NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    choice TEXT NOT NULL,
    weight INTEGER NOT NULL,
    CONSTRAINT roll_call_choice_known {CHOICE_CHECK.format(trim="trim")},
    CONSTRAINT roll_call_weight CHECK (weight >= 1)
);
INSERT INTO roll_call_vote_new (id, poll, member, choice, weight) SELECT id, poll, member, choice, weight
    FROM roll_call_vote;
DROP TABLE roll_call_vote;
ALTER TABLE roll_call_vote_new RENAME TO roll_call_vote;
CREATE UNIQUE INDEX roll_call_vote_unique ON roll_call_vote (poll, member);

CREATE TABLE secret_ballot_new (
    id VARCHAR(64) PRIMARY KEY,
    poll INTEGER NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    choice TEXT NOT NULL,
    weight INTEGER NOT NULL,
    CONSTRAINT secret_ballot_id CHECK (length(id) = 64),
    CONSTRAINT secret_ballot_choice_known {CHOICE_CHECK.format(trim="trim")},
    CONSTRAINT secret_ballot_weight CHECK (weight >= 1)
);
INSERT INTO secret_ballot_new (id, poll, choice, weight) SELECT id, poll, choice, weight FROM secret_ballot;
DROP TABLE secret_ballot;
ALTER TABLE secret_ballot_new RENAME TO secret_ballot;
CREATE INDEX secret_ballot_poll ON secret_ballot (poll, id)
"""

POSTGRES_ALTER = [
    *(f"ALTER TABLE poll DROP CONSTRAINT {name}" for name in REPLACED),
    "ALTER TABLE poll " + ", ".join("ADD COLUMN " + column for column in POLL_COLUMNS),
    "ALTER TABLE poll " + ", ".join("ADD CONSTRAINT " + constraint for constraint in POLL_CONSTRAINTS),
    "ALTER TABLE roll_call_vote DROP CONSTRAINT roll_call_choice_known",
    "ALTER TABLE roll_call_vote ALTER COLUMN choice TYPE TEXT",
    "ALTER TABLE roll_call_vote ADD CONSTRAINT roll_call_choice_known " + CHOICE_CHECK.format(trim="btrim"),
    "ALTER TABLE secret_ballot DROP CONSTRAINT secret_ballot_choice_known",
    "ALTER TABLE secret_ballot ALTER COLUMN choice TYPE TEXT",
    "ALTER TABLE secret_ballot ADD CONSTRAINT secret_ballot_choice_known " + CHOICE_CHECK.format(trim="btrim"),
]


def _migrate_sqlite(path: str) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in db.split_statements(ADD_COLUMNS):
                connection.execute(statement.format(serial="INTEGER PRIMARY KEY"))
            for statement in db.split_statements(SQLITE_REBUILD):
                connection.execute(statement)
            broken = connection.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign key check failed after rebuilding poll tables: {broken[:5]}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    finally:
        connection.close()


async def _run() -> None:
    engine = db.engine()
    if isinstance(engine, SQLiteEngine):  # what db.is_sqlite() asks, told to the type checker
        _migrate_sqlite(engine.connection_kwargs["database"])
        return
    async with db.engine().transaction():
        for statement in db.split_statements(ADD_COLUMNS):
            await db.engine().run_ddl(statement.format(serial="SERIAL PRIMARY KEY"))
        for statement in POSTGRES_ALTER:
            await db.engine().run_ddl(statement)


async def forwards() -> MigrationManager:
    # Not wrapped by Piccolo: each engine's branch above holds its own single transaction
    # (on SQLite, on the raw connection that has foreign keys off).
    manager = MigrationManager(migration_id=ID, app_name="polls", description=DESCRIPTION, wrap_in_transaction=False)
    manager.add_raw(_run)
    return manager
