"""Polls on motions and elections: opening freezes, casting records once, closing counts.

* **Methods**: roll-call (named ballots), secret (ballots apart from participation), show
  of hands (the tellers enter the counts and sign with their names), unanimous consent (the
  chair asks for objections: none means adopted; one objection ends the call and the chair
  opens a real vote). Elections take roll-call or secret ballots only.
* **Opening** (the chair, on a motion put to the vote) checks and records the quorum
  (no quorum, no poll), then freezes the question (the authoritative text), the options
  (yes/no/abstain, blank where the rule set distinguishes it; candidates and the election
  method for an election), the majority rule, the tie rule and the electorate: each voting
  member attending or validly represented, minus recused members, with its weight and the
  person who casts for it. Changing a frozen element (a recusal on the item, a candidate
  nominated or withdrawn, the motion taken back to debate) voids the open poll; the next
  opening is a new round.
* **Casting** (``governance.polls.casting``) records one ballot per member per poll. On
  PostgreSQL closing locks the poll FOR UPDATE: it waits for casts in flight (FOR SHARE),
  and later casts see the poll closed: a ballot is either counted or refused, never dropped.
* **Closing** counts from the rows and decides with ``governance.polls.majority`` (motions)
  or ``governance.polls.elections`` (a round). The outcome moves the motion (adopted with its
  decision number, or rejected), unless the tie rule asks for a new round or a casting vote,
  which the office named in the rule set then records; lot is drawn by the server and logged.

Each use case reads: load (``store``), decide (``rules``, over ``model`` and the statutes),
write (``store``), log, notify (``live``). Candidates are in ``candidates``, the count at the
close in ``counting``, what a closed poll publishes (commitments, checkpoint, board) in ``publication``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from governance import clock
from governance.agenda import services as agenda
from governance.agenda.views import item_quorum_for
from governance.auth import Principal
from governance.db import reading, writing
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.i18n import gettext as _
from governance.meetings import attendance, attendance_store, live
from governance.meetings.services import MeetingContext
from governance.polls import counting, publication, refusals, rules, secrecy_rules, secret_requests, store
from governance.polls.candidates import (
    candidate_names,
    candidates_of,
    declare_unopposed,
    election_state,
    list_candidates,
    nominate,
    withdraw_candidate,
)
from governance.polls.candidates import standing as candidates_standing
from governance.polls.casting import TOKEN, ballot_content, cast
from governance.polls.enforcing import enforced
from governance.polls.guards import holds_casting_vote
from governance.polls.model import BALLOT_METHODS, CHOICES, METHODS, Poll
from governance.polls.publication import board as _board
from governance.polls.publication import leaf_bytes, leaves
from governance.polls.rules import SECRECY_MINIMUM
from governance.polls.store import CAST_POLL_COLUMNS, nonce_for
from governance.polls.voiding import void_open_polls
from governance.record import log

# The polls API as the controllers, views, minutes, record export, demo and bench know it.
__all__ = [
    "BALLOT_METHODS", "CAST_POLL_COLUMNS", "CHOICES", "METHODS", "SECRECY_MINIMUM", "TOKEN", "ballot_content", "board",
    "candidate_names", "candidates_of", "cast", "close_poll", "declare_unopposed", "get_poll", "leaf_bytes", "leaves",
    "list_candidates", "list_polls", "my_ballots", "nominate", "nonce_for", "object_to_consent", "open_poll",
    "options_of", "progress", "published_ballots", "record_casting_vote", "secrecy_warning", "void_poll",
    "withdraw_candidate",
]  # fmt: skip

Row = dict[str, Any]


def options_of(poll: Row) -> Any:
    """Motion: the option codes. Election: {"candidates": [ids], "method": ...}."""
    return json.loads(poll["options"])


async def get_poll(context: MeetingContext, poll_id: int) -> Row:
    async with reading():
        row = await store.poll(context.meeting["id"], poll_id)
    if row is None:
        raise NotFound(_("No such poll in this meeting."))
    return row


async def list_polls(context: MeetingContext) -> list[Row]:
    async with reading():
        return await store.polls(context.meeting["id"])


async def progress(poll_id: int) -> tuple[int, int]:
    """(voted, electorate): all that anyone sees of an open poll."""
    async with reading():
        return await store.progress(poll_id)


# --- opening --------------------------------------------------------------------------------


@enforced
async def open_poll(
    context: MeetingContext, principal: Principal, motion_id: int, method: str, countdown: int | None = None
) -> Row:
    """Open a vote; ``countdown`` (seconds) announces when the chair means to close it."""
    if not agenda.drives(context):
        raise Forbidden(_("Only the chair opens a vote at this meeting."))
    if method not in METHODS:
        raise Invalid(_("Choose how the vote is taken."), fields={"method": _("Choose one of the options.")})
    if countdown is not None and not 10 <= countdown <= 3600:
        message = _("A countdown lasts from 10 seconds to an hour.")
        raise Invalid(message, fields={"countdown": message})
    statutes = context.statutes
    if context.meeting["status"] != "open":
        raise Conflict(_("The meeting is not in session."))
    assert statutes is not None  # an open meeting was convened under a rule set

    async def freeze() -> int:
        motion = await agenda.get_motion(context, motion_id)
        if motion["status"] != "voting":
            raise Conflict(_("Put the motion to the vote first."))
        election = motion["decision_type"] == "election"
        # Elections, personal matters, members' requests: the statutes may impose the secret ballot.
        secrecy = await secret_requests.required(context, motion)
        if secrecy.method is not None and method != secrecy.method:
            raise Conflict(secrecy_rules.refusal(secrecy, statutes.secret_ballot_article))
        rules.check_method(statutes, method, election=election)
        majority = await store.majority_rule(statutes.id, motion["decision_type"])
        if majority is None:
            raise Conflict(_("The rule set has no majority rule for this kind of decision."))
        seats, standing = 1, list[int]()
        if election:
            standing, seats = await candidates_standing(motion)
            rules.check_contested(statutes, standing, seats)
        options = rules.options_for(statutes, method, election=election, standing=standing)
        register = await attendance.load_register(context)
        recused = {r["member"] for r in await agenda.list_recusals(context, motion["item"])}
        quorum = item_quorum_for(context, register, recused)
        # Rule 4: the quorum is re-checked and recorded before every poll opens.
        at = clock.now()
        check = {"at": at, "trigger": f"poll:{motion_id}", "convocation": context.meeting["convocation"],
                 "quorum": quorum}  # fmt: skip
        if not quorum.met:
            failed.append(check)  # recorded once the refusal has rolled this transaction back
            raise Conflict(
                _("No quorum ({counted} of {required}): the vote cannot open.").format(
                    counted=quorum.counted, required=quorum.required
                )
            )
        await attendance_store.record_quorum_check(context.meeting["id"], **check)
        entitled = register.voters - recused
        vote_weights = await store.vote_weights(list(entitled)) if statutes.weighted_votes else None
        weights = rules.weights_of(entitled, vote_weights)
        frozen = rules.electorate(
            weights=weights, attending=register.attending, represented_by=register.represented_by,
            representatives=register.representatives, recused=recused,
        )  # fmt: skip
        slug = {line.id: line.slug for line in register.lines}
        fixed = rules.frozen_electorate(
            frozen, slug, attending=register.attending, represented_by=register.represented_by, recused=recused,
            voters=register.voters,
        )  # fmt: skip
        committed = fixed["electorate_hash"]
        round_number = 1 + await store.rounds_of(motion_id)
        kind = "election" if election else "motion"
        poll_id = await store.insert_poll(
            {"meeting": context.meeting["id"], "motion": motion_id, "round": round_number, "method": method,
             "status": "open", "kind": kind, "options": json.dumps(options, separators=(",", ":")), "seats": seats,
             "changeable": rules.changeable(statutes, method),
             "question": agenda.text_in(motion, motion["authoritative_language"]),
             "question_language": motion["authoritative_language"],
             "threshold_numerator": majority["threshold_numerator"],
             "threshold_denominator": majority["threshold_denominator"], "strict": majority["strict"],
             "base": majority["base"], "tie_rule": statutes.tie_rule.value, "majority_article": majority["article"],
             "electorate_hash": committed, "electorate_size": frozen.size, "present_weight": frozen.present_weight,
             "represented_weight": frozen.represented_weight, "members_weight": frozen.members_weight,
             "quorum_counted": quorum.counted, "quorum_required": quorum.required, "opened_at": at,
             "opened_by": principal.person_id, "closes_at": at + dt.timedelta(seconds=countdown) if countdown else None}
        )  # fmt: skip
        await store.insert_electors(poll_id, frozen)
        # What the electorate was frozen from, so anyone can check it (docs/record-format.md §3).
        await log.append(context.meeting["id"], "electorate_fixed", principal.person_id, at, poll=poll_id, **fixed)
        await log.append(
            context.meeting["id"], "poll_opened", principal.person_id, at, poll=poll_id, motion=motion_id,
            method=method, kind=kind, round=round_number, options=options, seats=seats,
            majority={"numerator": majority["threshold_numerator"], "denominator": majority["threshold_denominator"],
                      "strict": majority["strict"], "base": majority["base"]},
            tie_rule=statutes.tie_rule.value, quorum={"counted": quorum.counted, "required": quorum.required},
            electorate=frozen.size, electorate_hash=committed,
        )  # fmt: skip
        return poll_id

    failed: list[dict[str, Any]] = []
    try:
        poll_id = await agenda.change(context, freeze)
    except Conflict:
        if failed:
            # A check that found no quorum is part of the record too (rule 4): it stands alone,
            # in its own transaction, while nothing else of the refused opening does.
            async with writing():
                await attendance_store.record_quorum_check(context.meeting["id"], **failed[0])
        raise
    live.meeting_changed(context.meeting["id"])
    return await get_poll(context, poll_id)


async def void_poll(context: MeetingContext, principal: Principal, poll_id: int, reason: str) -> Row:
    """The chair voids an open poll (a frozen element must change); the next opening is a new round."""
    if not agenda.drives(context):
        raise Forbidden(_("Only the chair voids a vote at this meeting."))
    reason = reason.strip()
    if not reason:
        message = _("Say why the vote is void.")
        raise Invalid(message, fields={"reason": message})

    async def void() -> None:
        poll = await store.poll_status(context.meeting["id"], poll_id)
        if poll is None:
            raise NotFound(_("No such poll in this meeting."))
        if poll["status"] != "open":
            raise Conflict(_("Only an open vote can be voided."))
        await void_open_polls(context.meeting["id"], poll["motion"], principal.person_id, reason[:300])

    await agenda.change(context, void)
    live.meeting_changed(context.meeting["id"])
    return await get_poll(context, poll_id)


async def object_to_consent(context: MeetingContext, principal: Principal, poll_id: int, member_slug: str) -> Row:
    """One objection ends a call for unanimous consent: the chair then takes a real vote.

    A member's representative objects from the tablet; the chair records an objection heard
    in the room for any member of the electorate."""
    member = await store.member_by_slug(context.organisation["id"], member_slug)
    if member is None:
        raise Invalid(_("No such member."), fields={"member": _("No such member.")})

    async def objection() -> None:
        await store.lock_poll(poll_id, "UPDATE")
        poll = await store.poll(context.meeting["id"], poll_id)
        if poll is None:
            raise NotFound(_("No such poll in this meeting."))
        if poll["method"] != "unanimous_consent":
            raise Conflict(_("Objections are for a call for unanimous consent."))
        if poll["status"] != "open":
            raise Conflict(rules.closed_message(poll["status"], poll["void_reason"], poll["closed_at"]))
        elector = await store.elector(poll_id, member["id"])
        if elector is None:
            raise Forbidden(_("{member} is not in this poll's electorate.").format(member=member["name"]))
        if elector["voter"] != principal.person_id and not agenda.drives(context):
            raise Forbidden(_("You do not speak for {member} in this poll.").format(member=member["name"]))
        at = clock.now()
        arithmetic = _("Objection by {member}: no unanimous consent; the chair takes a vote.").format(
            member=member["name"]
        )
        await store.update_poll(
            poll_id,
            {"status": "closed", "closed_at": at, "closed_by": principal.person_id, "outcome": "objection",
             "objection": member["name"], "arithmetic": arithmetic},
        )  # fmt: skip
        await log.append(context.meeting["id"], "consent_objection", principal.person_id, at, poll=poll_id,
                         member=member_slug)  # fmt: skip

    await agenda.change(context, objection)
    live.meeting_changed(context.meeting["id"])
    return await get_poll(context, poll_id)


# --- closing --------------------------------------------------------------------------------


@enforced
async def close_poll(
    context: MeetingContext,
    principal: Principal,
    poll_id: int,
    *,
    counts: dict[str, int] | None = None,
    tellers: str = "",
) -> Row:
    """Close and count. A show of hands needs the tellers' ``counts`` (yes/no/abstain) and names."""
    if not agenda.drives(context):
        raise Forbidden(_("Only the chair closes a vote at this meeting."))

    async def count() -> None:
        await store.lock_poll(poll_id, "UPDATE")
        poll = await store.poll(context.meeting["id"], poll_id)
        if poll is None:
            raise NotFound(_("No such poll in this meeting."))
        if poll["status"] != "open":
            raise Conflict(_("This poll is already closed."))
        if poll["method"] == "secret":
            await store.unseal_ballots(poll_id)  # its ballots become rows, in receipt order
        at = clock.now()
        counted = await counting.count(context, poll, counts, tellers)
        values = {**counted.values, "status": "closed", "closed_at": at, "closed_by": principal.person_id}
        commitments = await publication.commitments(poll)
        values.update(merkle_root=commitments["merkle_root"], participation_hash=commitments["participation_hash"])
        await store.update_poll(poll_id, values)
        result = await counting.result_payload(context, poll, values)
        closed = await log.append(
            context.meeting["id"], "poll_closed", principal.person_id, at, poll=poll_id, **commitments, **result
        )
        await publication.checkpoint(context, poll, commitments, closed, principal, at)
        if counted.effect is not None:
            await agenda.settle(context, principal, poll["motion"], counted.effect[0], counted.effect[1])

    await agenda.change(context, count)
    live.meeting_changed(context.meeting["id"])
    return await get_poll(context, poll_id)


@enforced
async def record_casting_vote(context: MeetingContext, principal: Principal, poll_id: int, choice: str) -> Row:
    """The office named in the rule set settles a tie; the casting vote is recorded (rule 7)."""
    statutes = context.statutes
    office = statutes.casting_vote_office.value if statutes and statutes.casting_vote_office else None
    if refusals.no_office(statutes) is not None:  # nobody may cast one: say why (secret ballot, no office)
        async with reading():
            row = await store.poll(context.meeting["id"], poll_id)
        raise Forbidden(refusals.no_office(statutes, row) or "")
    if not holds_casting_vote(context, principal.person_id):
        raise Forbidden(
            _("Only the holder of the office named in the statutes casts the deciding vote ({article}).").format(
                article=statutes.tie_article if statutes else ""
            )
        )

    async def settle() -> None:
        await store.lock_poll(poll_id, "UPDATE")
        row = await store.poll(context.meeting["id"], poll_id)
        if row is None:
            raise NotFound(_("No such poll in this meeting."))
        if row["outcome"] != "tie_casting_vote" or row["casting_vote"] is not None:
            raise Conflict(refusals.casting_vote_refusal(row, statutes))  # says why
        at = clock.now()
        poll = Poll.from_row(row)
        if poll.kind == "motion":
            counted = rules.settle_motion_tie(poll, choice, office)
        else:
            earlier, _last = await election_state(poll.motion, exclude=poll_id)
            chosen = rules.tie_choice(poll, choice)
            names = await store.member_names([*earlier, *poll.elected, *chosen, *poll.next_candidates])
            counted = rules.settle_election_tie(poll, chosen, office, earlier=earlier, names=names)
        await store.update_poll(
            poll_id, {"casting_vote": choice, "casting_vote_by": principal.person_id, "casting_vote_office": office,
                      **counted.values}
        )  # fmt: skip
        await log.append(context.meeting["id"], "casting_vote", principal.person_id, at, poll=poll_id, office=office,
                         choice=choice, outcome=counted.values["outcome"])  # fmt: skip
        if counted.effect is not None:
            await agenda.settle(context, principal, poll.motion, counted.effect[0], counted.effect[1])

    await agenda.change(context, settle)
    live.meeting_changed(context.meeting["id"])
    return await get_poll(context, poll_id)


# --- publication ----------------------------------------------------------------------------


async def published_ballots(context: MeetingContext, poll_id: int) -> list[Row]:
    """A closed poll's ballots as leaves, sorted by receipt (never in casting order)."""
    return await publication.published_ballots(await get_poll(context, poll_id))


async def board(context: MeetingContext, poll_id: int) -> Row:
    """A closed ballot poll's bulletin board (docs §5), read-only."""
    return await _board(await get_poll(context, poll_id))


async def my_ballots(context: MeetingContext, principal: Principal, poll_id: int) -> list[Row]:
    """The members whose vote the principal casts in this poll, and whether each has voted."""
    async with reading():
        return await store.my_electors(poll_id, principal.person_id)


async def secrecy_warning(poll: Row) -> str | None:
    """Why the chair should doubt a secret ballot's secrecy (rule 8), or None."""
    unique: list[int] = []
    if poll["method"] == "secret" and poll["electorate_size"] >= SECRECY_MINIMUM:
        unique = await store.unique_weights(poll)
    return rules.secrecy_warning(poll["method"], poll["electorate_size"], unique)
