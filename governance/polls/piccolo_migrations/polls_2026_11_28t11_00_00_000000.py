"""Polls on motions: frozen electorate, participation apart from ballots, secret ballots."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-11-28T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "polls, electorate, participation, roll-call votes, secret ballots"

SQL = """
CREATE TABLE poll (
    id {serial},
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
    CONSTRAINT poll_method_known CHECK (method IN ('roll_call', 'secret')),
    CONSTRAINT poll_status_known CHECK (status IN ('open', 'closed')),
    CONSTRAINT poll_round_positive CHECK (round >= 1),
    CONSTRAINT poll_threshold CHECK (
        threshold_denominator > 0 AND threshold_numerator > 0 AND threshold_numerator <= threshold_denominator),
    CONSTRAINT poll_quorum_met_at_opening CHECK (quorum_counted >= quorum_required),
    CONSTRAINT poll_closed_has_result CHECK (
        status = 'open' OR (closed_at IS NOT NULL AND outcome IS NOT NULL AND yes >= 0 AND no >= 0 AND abstain >= 0))
);
-- One poll at a time in a meeting, one round number per motion.
CREATE UNIQUE INDEX poll_one_open_per_meeting ON poll (meeting) WHERE status = 'open';
CREATE UNIQUE INDEX poll_round_unique ON poll (motion, round);

-- The electorate frozen at opening: which member votes, with what weight, and who casts
-- its ballot (its representative, or the representative of the member holding its proxy).
CREATE TABLE poll_elector (
    id {serial},
    poll INTEGER NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    member INTEGER NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    weight INTEGER NOT NULL,
    voter INTEGER NOT NULL REFERENCES person (id) ON DELETE RESTRICT,
    proxy_holder INTEGER REFERENCES member (id) ON DELETE RESTRICT,
    CONSTRAINT poll_elector_weight CHECK (weight >= 1)
);
CREATE UNIQUE INDEX poll_elector_unique ON poll_elector (poll, member);

-- "Member X has voted": kept apart from what it voted. token_hash makes a retried
-- submission find its first answer; it is a hash, so it cannot recompute a receipt.
CREATE TABLE participation (
    id {serial},
    poll INTEGER NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    member INTEGER NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    person INTEGER NOT NULL REFERENCES person (id) ON DELETE RESTRICT,
    token_hash VARCHAR(64) NOT NULL,
    CONSTRAINT participation_token_hash CHECK (length(token_hash) = 64)
);
-- Rule 9: one ballot per member per poll, enforced here and not only by code.
CREATE UNIQUE INDEX participation_one_per_member ON participation (poll, member);
CREATE UNIQUE INDEX participation_token_unique ON participation (poll, token_hash);

-- Roll-call (named) votes.
CREATE TABLE roll_call_vote (
    id {serial},
    poll INTEGER NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    member INTEGER NOT NULL REFERENCES member (id) ON DELETE RESTRICT,
    choice VARCHAR(10) NOT NULL,
    weight INTEGER NOT NULL,
    CONSTRAINT roll_call_choice_known CHECK (choice IN ('yes', 'no', 'abstain')),
    CONSTRAINT roll_call_weight CHECK (weight >= 1)
);
CREATE UNIQUE INDEX roll_call_vote_unique ON roll_call_vote (poll, member);

-- Secret ballots (rule 8): no timestamp, no sequential id, no member. The id is the
-- SHA-256 of the voter's receipt, so a voter can find their ballot and nobody can order them.
CREATE TABLE secret_ballot (
    id VARCHAR(64) PRIMARY KEY,
    poll INTEGER NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    choice VARCHAR(10) NOT NULL,
    weight INTEGER NOT NULL,
    CONSTRAINT secret_ballot_id CHECK (length(id) = 64),
    CONSTRAINT secret_ballot_choice_known CHECK (choice IN ('yes', 'no', 'abstain')),
    CONSTRAINT secret_ballot_weight CHECK (weight >= 1)
);
CREATE INDEX secret_ballot_poll ON secret_ballot (poll, id)
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="polls", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
