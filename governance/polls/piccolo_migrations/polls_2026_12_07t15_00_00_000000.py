"""Sealed ballots: an open secret poll's ballots are stored encrypted under a key the database
never holds; closed polls' ballots are rows written in receipt order.

``secret_ballot`` rows followed the order of casting (SQLite's hidden rowid, PostgreSQL's
heap order and each row's ``xmin``, shared with the voter's participation row), so pairing
ranks linked every ballot to its member (docs/threat-model.md). From now on an open poll's
ballots are ``sealed_ballot`` rows (governance/polls/sealing.py) and are written to
``secret_ballot`` at the close, in receipt order. Here the ballots of polls still open are
sealed under a new key for their poll, and the rows of closed polls are written again in
receipt order, so that old files keep no casting order either.
"""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from governance import db

ID = "2026-12-07T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sealed ballots for open secret polls; closed ones rewritten in receipt order"

SQL = """
CREATE TABLE sealed_ballot (
    id {serial},
    poll INTEGER NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    lookup VARCHAR(64) NOT NULL CHECK (length(lookup) = 64),
    sealed {blob} NOT NULL
);
CREATE UNIQUE INDEX sealed_ballot_once ON sealed_ballot (poll, lookup);
CREATE TEMPORARY TABLE secret_ballot_sorted AS SELECT id, poll, choice, weight, nonce FROM secret_ballot;
DELETE FROM secret_ballot;
INSERT INTO secret_ballot (id, poll, choice, weight, nonce)
    SELECT id, poll, choice, weight, nonce FROM secret_ballot_sorted ORDER BY poll, id;
DROP TABLE secret_ballot_sorted;
DROP INDEX secret_ballot_nonce;
CREATE UNIQUE INDEX secret_ballot_nonce_once ON secret_ballot (poll, nonce)
"""


async def _seal_open_ballots() -> None:
    from governance.polls import sealing
    from governance.polls.tables import SealedBallot

    opened = await db.engine().run_ddl("SELECT id FROM poll WHERE status = 'open' AND method = 'secret'")
    for poll in opened or []:
        poll_id = int(poll["id"])
        sealing.create_key(poll_id)
        rows = await db.engine().run_ddl(
            f"SELECT choice, weight, nonce FROM secret_ballot WHERE poll = {poll_id} ORDER BY id"
        )
        for row in rows or []:
            nonce = row["nonce"] or ""
            await SealedBallot.insert(
                SealedBallot(
                    poll=poll_id,
                    lookup=sealing.lookup(poll_id, nonce),
                    sealed=sealing.seal(poll_id, row["choice"], int(row["weight"]), nonce),
                )
            )
        await db.engine().run_ddl(f"DELETE FROM secret_ballot WHERE poll = {poll_id}")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="polls", description=DESCRIPTION)

    async def run() -> None:
        await db.run_sql_script(SQL)()
        await _seal_open_ballots()

    manager.add_raw(run)
    return manager
