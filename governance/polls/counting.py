"""Counting a poll at its close: the ballots (or the tellers' counts) loaded from the store,
the outcome decided by the rules, and the result as the log records it."""

from __future__ import annotations

import json
import secrets
from typing import Any

from governance.meetings.services import MeetingContext
from governance.polls import rules, store
from governance.polls.candidates import candidates_of, election_state
from governance.polls.model import Counted, Poll

Row = dict[str, Any]
# Lot is drawn by the server's CSPRNG (and the draw is in the record).
LOT: rules.Lot = secrets.SystemRandom()


async def count(context: MeetingContext, poll: Row, counts: dict[str, int] | None, tellers: str) -> Counted:
    """The result of an open poll's ballots (or of the tellers' counts) under its frozen rules."""
    if poll["kind"] == "election":
        return await _count_election(poll)
    if poll["method"] == "unanimous_consent":
        return rules.consent(Poll.from_row(poll))
    return await _count_motion(context, poll, counts, tellers)


async def _count_motion(context: MeetingContext, poll: Row, counts: dict[str, int] | None, tellers: str) -> Counted:
    named: str | None = None
    if poll["method"] == "show_of_hands":
        counted = rules.tellers_counts(counts, tellers)
        rules.check_hands(counted, await store.electorate_weight(poll["id"]))
        named = tellers.strip()[:300]
    else:
        counted = rules.totals(await store.ballots(poll))
    chair_vote = None
    if poll["method"] == "roll_call" and context.chair is not None:
        chair_vote = await store.chair_vote(poll["id"], context.chair["member"])
    return rules.count_motion(Poll.from_row(poll), counted, chair_vote=chair_vote, lot=LOT, tellers=named)


async def _count_election(poll: Row) -> Counted:
    ballots, abstain = rules.election_ballots(await store.ballots(poll))
    candidates = candidates_of(poll)
    earlier, _last = await election_state(poll["motion"])
    names = await store.member_names(candidates + earlier)
    return rules.count_election(Poll.from_row(poll), ballots, abstain, earlier=earlier, names=names, lot=LOT)


async def result_payload(context: MeetingContext, poll: Row, values: Row) -> Row:
    """The result as the log records it: plain JSON values (tally an object, elected a list)."""
    result: Row = {"outcome": values["outcome"], "arithmetic": values["arithmetic"]}
    for key in ("yes", "no", "abstain", "blank", "tellers"):
        if values.get(key) is not None:
            result[key] = values[key]
    if values.get("tally") is not None:
        result["tally"] = json.loads(values["tally"])
        result["elected"] = json.loads(values["elected"] or "[]")
    if poll["method"] == "roll_call" and context.chair is not None:
        # Whose vote prevails in a roll-call tie under "chair_prevails" (the verifier needs it).
        chair = await store.member_slug(context.chair["member"])
        if chair is not None:
            result["chair"] = chair
    return result
