"""Candidates in elections: nominations, withdrawals, and election without a vote.

A nomination or a withdrawal changes what an open round froze: it voids that round (the
next opening is a new round). Where the statutes elect the uncontested without a vote, the
chair declares them elected when candidates do not outnumber the seats (DOMAIN rule 10).
"""

from __future__ import annotations

from typing import Any

from governance import clock
from governance.agenda import services as agenda
from governance.auth import Principal
from governance.db import reading
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.i18n import gettext as _
from governance.meetings import attendance, live
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.polls import rules, store
from governance.polls.model import BallotPaper, PollKind
from governance.polls.voiding import void_open_polls
from governance.record import log

Row = dict[str, Any]


async def _election_motion(context: MeetingContext, motion_id: int) -> Row:
    motion = await agenda.get_motion(context, motion_id)
    if motion["decision_type"] != "election":
        raise Conflict(_("Candidates stand in elections only."))
    if motion["status"] in ("adopted", "rejected", "withdrawn", "postponed", "referred"):
        raise Conflict(_("This election is over."))
    return motion


async def list_candidates(context: MeetingContext, motion_id: int) -> list[Row]:
    async with reading():
        return await store.candidates(motion_id)


def candidates_of(poll: Row) -> list[int]:
    """An election round's candidates (member ids); none for a motion."""
    return list(BallotPaper.from_row(poll).candidates) if poll["kind"] == PollKind.election else []


async def candidate_names(poll: Row) -> dict[int, str]:
    async with reading():
        return await store.member_names(candidates_of(poll))


def _may_manage_candidates(context: MeetingContext) -> None:
    if not (agenda.drives(context) or MeetingRole.secretary in context.roles):
        raise Forbidden(_("Only the chair or the secretariat registers candidates."))


async def nominate(context: MeetingContext, principal: Principal, motion_id: int, member_slug: str) -> Row:
    """Register a member city as a candidate; it must hold a seat with the right to vote."""
    _may_manage_candidates(context)
    register = await attendance.load_register(context)
    try:
        line = register.line(member_slug)
    except NotFound as exc:
        raise Invalid(exc.message, fields={"member": exc.message}) from exc
    if not line.votes:
        message = _("{member} is not eligible: {reason}").format(member=line.name, reason=line.no_vote_reason or "")
        raise Invalid(message, fields={"member": message})

    async def add() -> None:
        await _election_motion(context, motion_id)
        existing = await store.candidate(motion_id, line.id)
        at = clock.now()
        if existing is not None and existing["withdrawn_at"] is None:
            raise Conflict(_("{member} is already a candidate.").format(member=line.name))
        if existing is not None:
            await store.renominate(existing["id"], at)
        else:
            await store.insert_candidate(motion_id, line.id, principal.person_id, at)
        await log.append(context.meeting["id"], "candidate_nominated", principal.person_id, at, motion=motion_id,
                         member=line.id)  # fmt: skip
        await void_open_polls(context.meeting["id"], motion_id, principal.person_id, "candidates changed")

    await agenda.change(context, add)
    live.meeting_changed(context.meeting["id"])
    return next(c for c in await list_candidates(context, motion_id) if c["member"] == line.id)


async def withdraw_candidate(context: MeetingContext, principal: Principal, motion_id: int, member_slug: str) -> Row:
    _may_manage_candidates(context)

    async def withdraw() -> Row:
        await _election_motion(context, motion_id)
        row = await store.candidate_by_slug(motion_id, member_slug)
        if row is None or row["withdrawn_at"] is not None:
            raise NotFound(_("No such candidate."))
        at = clock.now()
        await store.withdraw(row["id"], at)
        await log.append(context.meeting["id"], "candidate_withdrawn", principal.person_id, at, motion=motion_id,
                         member=row["member"])  # fmt: skip
        await void_open_polls(context.meeting["id"], motion_id, principal.person_id, "candidates changed")
        return row

    row: Row = await agenda.change(context, withdraw)
    live.meeting_changed(context.meeting["id"])
    return row


async def election_state(motion_id: int, exclude: int | None = None) -> tuple[list[int], Row | None]:
    """(elected so far, the last counted round) over the motion's closed, non-void polls."""
    rounds = await store.closed_rounds(motion_id, exclude)
    return rules.elected_so_far(rounds), (rounds[-1] if rounds else None)


async def standing(motion: Row) -> tuple[list[int], int]:
    """(candidates standing in the next round, seats left to fill)."""
    elected, last = await election_state(motion["id"])
    seats_left = motion["seats"] - len(elected)
    nominated = await store.nominated(motion["id"])
    return rules.standing(nominated, elected, last["next_candidates"] if last is not None else None), seats_left


async def declare_unopposed(context: MeetingContext, principal: Principal, motion_id: int) -> Row:
    """No vote where candidates <= seats, when the statutes say so (DOMAIN rule 10)."""
    if not agenda.drives(context):
        raise Forbidden(_("Only the chair declares the result of an election."))
    statutes = context.statutes

    async def declare() -> None:
        motion = await _election_motion(context, motion_id)
        if motion["status"] != "voting":
            raise Conflict(_("Put the motion to the vote first."))
        if statutes is None or not statutes.election_uncontested_without_vote:
            raise Conflict(
                _("The statutes hold a vote even when candidates do not outnumber seats ({article}).").format(
                    article=statutes.election_article if statutes else ""
                )
            )
        candidates, seats_left = await standing(motion)
        try:
            rules.check_unopposed(statutes, candidates, seats_left)
        except rules.Refusal as refusal:
            raise Conflict(refusal.message) from None
        elected, _last = await election_state(motion_id)
        names = await store.member_names(elected + candidates)
        note = _("Elected without a vote, {n} candidate(s) for {seats} seat(s) ({article}): {names}").format(
            n=len(candidates), seats=seats_left, article=statutes.election_article,
            names=", ".join(names[c] for c in elected + candidates),
        )  # fmt: skip
        await log.append(context.meeting["id"], "elected_unopposed", principal.person_id, motion=motion_id,
                         elected=candidates)  # fmt: skip
        await agenda.settle(context, principal, motion_id, "adopted", note)

    await agenda.change(context, declare)
    live.meeting_changed(context.meeting["id"])
    return await agenda.get_motion(context, motion_id)
