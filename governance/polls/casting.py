"""Casting a ballot: the hot path of a vote burst.

One ballot per member per poll: the database's unique index on participation is the last
word, and a retried submission with the same client token gets the first answer back.
A secret ballot is sealed under its poll's key, which the database never holds
(``governance/polls/sealing.py``): the sealed row sits beside the participation row of the same
transaction, and says nothing; at the close the ballots become rows in receipt order, with no
timestamp and no member, whose id is the receipt (docs/threat-model.md). Where the rule set
allows it, a ballot may be changed until the close (a secret one only by the device that holds
its first token: nothing on the server links it to the member). On PostgreSQL a cast holds a FOR SHARE lock on
the poll row (``store.poll_for_cast``): a ballot racing the close is counted or refused.
"""

from __future__ import annotations

import re
from typing import Any

from governance.auth import Principal
from governance.db import IntegrityViolation, reading, writing
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.i18n import gettext as _
from governance.meetings import live
from governance.meetings.services import MeetingContext
from governance.polls import rules, store
from governance.polls.model import BALLOT_METHODS, BallotPaper
from governance.polls.store import nonce_for
from governance.record import canonical

Row = dict[str, Any]
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,100}$")


def _answer(poll_id: int, receipt: str) -> Row:
    return {"poll": poll_id, "receipt": receipt, "code": canonical.receipt_code(receipt)}


def ballot_content(poll: Row, choice: str) -> str:
    """The canonical content of a ballot for ``poll``, or a refusal that says why."""
    try:
        return rules.ballot_content(BallotPaper.from_row(poll), choice)
    except rules.Refusal as refusal:  # a ballot's refusals are about its choice
        raise Invalid(refusal.message, fields=refusal.fields) from None


async def cast(
    context: MeetingContext,
    principal: Principal,
    poll_id: int,
    member_slug: str,
    choice: str,
    token: str,
    previous: str | None = None,
    *,
    weight: int | None = None,
) -> Row:
    """Record one ballot for ``member_slug``; returns {"receipt", "poll"} (same size whatever the choice).

    ``previous`` is the token of the member's earlier ballot, to change it where the rule set
    allows changing ballots until the close.

    The hot path of a vote burst, so it is lean: four statements (the poll, locked FOR SHARE
    on PostgreSQL; the elector with its member; participation; the ballot). A retried
    submission is caught by the unique index on (poll, token_hash), not by a lookup first."""
    if not isinstance(choice, str) or not 1 <= len(choice) <= 1000:
        raise Invalid(_("Choose an option."), fields={"choice": _("Choose one of the options.")})
    for value in (token, previous):
        if value is not None and not TOKEN.match(value):
            raise Invalid(
                _("The submission token is missing or malformed."), fields={"token": _("This value is not valid.")}
            )
    token_hash = store.token_hash(token)
    nonce = nonce_for(poll_id, token)
    named: dict[str, str] = {}  # the member's name and the ballot's content, for after the transaction

    async def record() -> str:
        poll = await store.poll_for_cast(context.meeting["id"], poll_id)
        if poll is None:
            raise NotFound(_("No such poll in this meeting."))
        if poll["status"] != "open":
            if await _retried(poll_id, token_hash, principal):
                # A retry after the close gets its first answer (refused if it asks for another choice).
                return await store.first_receipt(poll_id, nonce, ballot_content(poll, choice))
            raise Conflict(rules.closed_message(poll["status"], poll["void_reason"], poll["closed_at"]))
        if poll["method"] not in BALLOT_METHODS:
            raise Conflict(_("This vote is not cast on tablets: the chair takes it in the room."))
        content = named["content"] = ballot_content(poll, choice)
        elector = await store.elector_by_slug(poll_id, member_slug)
        if elector is None:
            member = await store.member_by_slug(context.organisation["id"], member_slug)
            if member is None:
                raise Invalid(_("No such member."), fields={"member": _("No such member.")})
            raise Forbidden(_("{member} is not in this poll's electorate.").format(member=member["name"]))
        member = {"id": elector["member"], "name": elector["name"]}
        named["name"] = elector["name"]
        if elector["voter"] != principal.person_id:
            raise Forbidden(_("You do not cast the vote of {member} in this poll.").format(member=member["name"]))
        if weight is not None and weight != elector["weight"]:
            raise Conflict(
                _("{member} carries {n} vote(s) in this poll, as frozen when it opened; nothing was recorded.").format(
                    member=member["name"], n=elector["weight"]
                )
            )
        if poll["changeable"]:
            first = await store.participation(poll_id, member["id"])
            if first is not None:
                if first["token_hash"] == token_hash:
                    return await store.first_receipt(poll_id, nonce, content)  # a retry: the first answer stands
                return await _change_ballot(poll, member, first, content, token, previous, member_slug)
        await store.participate(poll_id, member["id"], principal.person_id, token)
        return await store.insert_ballot(poll, member["id"], member_slug, content, elector["weight"], nonce)

    try:
        async with writing():
            receipt = await record()
    except IntegrityViolation as exc:
        if exc.kind != "unique":
            raise
        # Same token: a retry racing (or following) its first submission gets the first
        # answer. Otherwise this member has already voted.
        async with reading():
            if not await _retried(poll_id, token_hash, principal, member_slug):
                name = named.get("name", member_slug)
                raise Conflict(_("{member} has already voted in this poll.").format(member=name)) from exc
            receipt = await store.first_receipt(poll_id, nonce, named.get("content"))
    # No log line per ballot (it would record the order of voting). Live pages are told
    # that the count moved: they show only "n of N voted", never who or what.
    live.meeting_changed(context.meeting["id"])
    return _answer(poll_id, receipt)


async def _retried(poll_id: int, token_hash: str, principal: Principal, member_slug: str | None = None) -> bool:
    """True if this token already recorded a ballot, by this person (for this member)."""
    earlier = await store.token_use(poll_id, token_hash)
    if earlier is None:
        return False
    if earlier["person"] != principal.person_id or (member_slug is not None and earlier["slug"] != member_slug):
        raise Conflict(_("This submission token was already used for another ballot."))
    return True


async def _change_ballot(
    poll: Row, member: Row, first: Row, content: str, token: str, previous: str | None, member_slug: str
) -> str:
    """Replace a member's ballot before the close (rule set: ballots changeable); returns the new receipt."""
    nonce = nonce_for(poll["id"], token)
    if poll["method"] == "secret":
        # Only the device holding the first token can find the ballot: its nonce is derived
        # from that token, and the server keeps no link from member to ballot.
        if previous is None or store.token_hash(previous) != first["token_hash"]:
            message = _("{member} has already voted. To change a secret ballot, use the change button on its receipt.")
            raise Conflict(message.format(member=member["name"]))  # fmt: skip
        deleted = await store.remove_secret_ballot(poll["id"], nonce_for(poll["id"], previous))
        if not deleted:
            raise Conflict(_("The earlier ballot could not be found; it was not changed."))
        receipt = await store.insert_ballot(poll, member["id"], member_slug, content, deleted[0]["weight"], nonce)
    else:
        await store.remove_named_ballot(poll["id"], member["id"])
        weight = await store.elector_weight(poll["id"], member["id"])
        receipt = await store.insert_ballot(poll, member["id"], member_slug, content, weight, nonce)
    await store.retoken(first["id"], token)
    return receipt
