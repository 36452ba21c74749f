"""An election round's valid ballots, kept as a number (issue 19, item 7).

A round's result is said in each reader's language from its structured facts (tally, elected,
next candidates, seats, majority); the number of valid ballots (those marking at least one
candidate) is the one fact the tally does not give when a ballot may mark several candidates,
and the majority's base is often made of it. Additive: one nullable column, filled for the
rounds already closed from their ballots. The record (the log's ``poll_closed`` payload) is
unchanged: the verifier recounts the ballots.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance.db import run_sql_script

ID = "2026-12-07T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "poll.valid: an election round's valid ballots"

SQL = """
ALTER TABLE poll ADD COLUMN valid INTEGER CHECK (valid IS NULL OR valid >= 0);
UPDATE poll SET valid = (
    SELECT COALESCE(SUM(b.weight), 0) FROM roll_call_vote b
    WHERE b.poll = poll.id AND b.choice NOT IN ('blank', 'abstain')
) WHERE kind = 'election' AND status = 'closed' AND method = 'roll_call';
UPDATE poll SET valid = (
    SELECT COALESCE(SUM(b.weight), 0) FROM secret_ballot b
    WHERE b.poll = poll.id AND b.choice NOT IN ('blank', 'abstain')
) WHERE kind = 'election' AND status = 'closed' AND method = 'secret'
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="polls", description=DESCRIPTION)
    manager.add_raw(run_sql_script(SQL))
    return manager
