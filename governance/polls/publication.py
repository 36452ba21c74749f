"""What a closed poll publishes: its ballots as leaves sorted by receipt (never in casting
order), the Merkle root and participation hash it commits to, the signed checkpoint over
them and the log, and the bulletin board (docs/record-format.md §4-§6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from governance.auth import Principal
from governance.db import reading
from governance.errors import Conflict, NotFound
from governance.i18n import gettext as _
from governance.meetings.services import MeetingContext
from governance.polls import store
from governance.polls.model import BALLOT_METHODS
from governance.record import canonical, keys, log
from governance.settings import get_settings

Row = dict[str, Any]


async def leaves(poll: Row) -> list[Row]:
    """Every ballot of a poll with its receipt ("id"), sorted by receipt."""
    async with reading():
        return await store.leaves(poll)


def leaf_bytes(poll: Row, row: Row) -> bytes:
    member = row["slug"] if poll["method"] == "roll_call" else None
    return canonical.leaf(poll["id"], row["choice"], row["weight"], row["nonce"] or "", member=member)


async def commitments(poll: Row) -> Row:
    """What a closed poll commits to: its ballots' Merkle root and who took part (docs §4, §5)."""
    ballots = [leaf_bytes(poll, row) for row in await leaves(poll)]
    members = await store.participants(poll["id"])
    return {
        "ballots": len(ballots),
        "merkle_root": canonical.merkle_root(ballots).hex(),
        "participation_hash": canonical.participation_hash(members),
    }


async def checkpoint(
    context: MeetingContext, poll: Row, commitments: Row, closed: Row, principal: Principal, at: dt.datetime
) -> None:
    """Sign a checkpoint over the poll's Merkle root and the log up to its close (docs §6)."""
    signer = await keys.signer(context.organisation["slug"])
    if signer is None and not get_settings().production:
        # Outside production a missing key is made at first need (like the secret key);
        # in production an operator generates it (`governance keys generate ORG`).
        await keys.ensure(context.organisation["slug"])
        signer = await keys.signer(context.organisation["slug"])
    if signer is None:
        # No key on this server: the close stands (a meeting must not stop for it), and the
        # record says plainly that this poll has no signed checkpoint.
        log_line = "no signing key: checkpoint not signed"
        await log.append(context.meeting["id"], "checkpoint", principal.person_id, at, poll=poll["id"], note=None,
                         reason=log_line)  # fmt: skip
        return
    origin = f"governance/{context.organisation['slug']}/{context.meeting['slug']}/poll/{poll['id']}"
    body = canonical.checkpoint_body(
        origin, commitments["ballots"], bytes.fromhex(commitments["merkle_root"]), closed["height"], closed["hash"]
    )
    note = canonical.signed_note(body, signer.name, signer.public_key, signer.sign(body.encode()))
    await store.update_poll(poll["id"], {"checkpoint": note})
    await log.append(context.meeting["id"], "checkpoint", principal.person_id, at, poll=poll["id"], note=note)


async def published_ballots(poll: Row) -> list[Row]:
    """A closed poll's ballots as leaves, sorted by receipt (never in casting order)."""
    if poll["status"] != "closed":
        raise Conflict(_("Ballots are published when the poll closes."))
    return [{**row, "code": canonical.receipt_code(row["id"])} for row in await leaves(poll)]


async def board(poll: Row) -> Row:
    """A closed ballot poll's bulletin board (docs §5): each ballot with its receipt, its code
    and its leaf exactly as hashed, sorted by receipt. Read-only."""
    if poll["method"] not in BALLOT_METHODS:
        raise NotFound(_("This vote was not taken by ballot: it has no bulletin board."))
    if poll["status"] == "void":
        raise Conflict(_("This vote was declared void: its ballots are not published."))
    if poll["status"] != "closed":
        raise Conflict(_("The bulletin board is published when the vote closes."))
    ballots = [
        {
            **row,
            "receipt": row["id"],
            "code": canonical.receipt_code(row["id"]),
            "leaf": leaf_bytes(poll, row).decode(),
        }
        for row in await leaves(poll)
    ]
    return {"poll": poll, "ballots": ballots}
