"""Polls on motions: opening freezes, casting records once, closing counts.

* **Opening** (the chair, on a motion put to the vote) checks and records the quorum
  (no quorum, no poll), then freezes the question (the authoritative text), the majority
  rule for the motion's decision type, the tie rule and the electorate: each voting
  member attending or validly represented, minus recused members, with its weight and
  the person who casts for it (its representative, or the holder of its proxy).
* **Casting** records one ballot per member per poll: the database's unique index on
  participation is the last word, and a retried submission with the same client token
  gets the first answer back. Secret ballots are stored apart from participation, with
  no timestamp, no sequential id and no member; their id is the SHA-256 of the receipt.
  On PostgreSQL a cast holds a FOR SHARE lock on the poll row (casts run side by side)
  and closing takes FOR UPDATE (it waits for casts in flight, and later casts see the
  poll closed): a ballot is either counted or refused, never accepted and dropped.
* **Closing** counts from the rows and decides with ``governance.polls.majority``; the
  outcome moves the motion (adopted with its decision number, or rejected), unless the
  tie rule asks for a new round, a casting vote or lot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from fractions import Fraction
from typing import Any

from governance import db
from governance.agenda import services as agenda
from governance.agenda.views import item_quorum_for
from governance.auth import Principal
from governance.db import IntegrityViolation, reading, writing
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.i18n import gettext as _
from governance.meetings import attendance, live
from governance.meetings.services import MeetingContext
from governance.meetings.tables import QuorumCheck
from governance.organisations.tables import MajorityRule, Member
from governance.polls.majority import Count, Majority, decide
from governance.polls.tables import Participation, Poll, PollElector, RollCallVote, SecretBallot
from governance.record import log
from governance.settings import get_settings

Row = dict[str, Any]
CHOICES = ("yes", "no", "abstain")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,100}$")
# Below this many voters a secret ballot may not be secret in practice (warn the chair).
SECRECY_MINIMUM = 5


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def receipt_for(poll_id: int, token: str) -> str:
    """The voter's receipt: derived from the token only the tablet knows, so a retried
    submission gets the same receipt back and the server stores nothing that links it."""
    key = hashlib.sha256(b"receipt:" + get_settings().secret_key.encode()).digest()
    return hmac.new(key, f"{poll_id}:{token}".encode(), hashlib.sha256).hexdigest()


def electorate_hash(electors: list[tuple[int, int]]) -> str:
    """SHA-256 of the canonical electorate (member, weight), committed at opening."""
    canonical = json.dumps(sorted(electors), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def get_poll(context: MeetingContext, poll_id: int) -> Row:
    async with reading():
        row = await Poll.select().where((Poll.id == poll_id) & (Poll.meeting == context.meeting["id"])).first()
    if row is None:
        raise NotFound(_("No such poll in this meeting."))
    return row


async def list_polls(context: MeetingContext) -> list[Row]:
    async with reading():
        return await Poll.select().where(Poll.meeting == context.meeting["id"]).order_by(Poll.id)


async def progress(poll_id: int) -> tuple[int, int]:
    """(voted, electorate): all that anyone sees of an open poll."""
    async with reading():
        voted = await Participation.count().where(Participation.poll == poll_id)
        size = await PollElector.count().where(PollElector.poll == poll_id)
    return voted, size


async def open_poll(context: MeetingContext, principal: Principal, motion_id: int, method: str) -> Row:
    if not agenda.drives(context):
        raise Forbidden(_("Only the chair opens a vote at this meeting."))
    if method not in ("roll_call", "secret"):
        raise Invalid(_("Choose a roll-call or a secret ballot."), fields={"method": _("Choose one of the options.")})
    rules = context.rule_set or {}
    if context.meeting["status"] != "open":
        raise Conflict(_("The meeting is not in session."))

    async def freeze() -> int:
        motion = await agenda.get_motion(context, motion_id)
        if motion["status"] != "voting":
            raise Conflict(_("Put the motion to the vote first."))
        if method == "roll_call" and motion["decision_type"] == "election" and rules.get("secret_ballot_for_elections"):
            raise Conflict(
                _("The statutes require a secret ballot for elections ({article}).").format(
                    article=rules.get("secret_ballot_article", "")
                )
            )
        majority = (
            await MajorityRule.select()
            .where((MajorityRule.rule_set == rules["id"]) & (MajorityRule.decision_type == motion["decision_type"]))
            .first()
            or await MajorityRule.select()
            .where((MajorityRule.rule_set == rules["id"]) & (MajorityRule.decision_type == "ordinary"))
            .first()
        )
        if majority is None:
            raise Conflict(_("The rule set has no majority rule for this kind of decision."))
        register = await attendance.load_register(context)
        recused = {r["member"] for r in await agenda.list_recusals(context, motion["item"])}
        quorum = item_quorum_for(context, register, recused)
        # Rule 4: the quorum is re-checked and recorded before every poll opens.
        at = dt.datetime.now(dt.UTC)
        await QuorumCheck.insert(
            QuorumCheck(
                meeting=context.meeting["id"],
                at=at,
                trigger=f"poll:{motion_id}",
                convocation=context.meeting["convocation"],
                present=quorum.present,
                remote=quorum.remote,
                represented=quorum.represented,
                counted=quorum.counted,
                total=quorum.total,
                required=quorum.required,
                met=quorum.met,
            )
        )
        if not quorum.met:
            raise Conflict(
                _("No quorum ({counted} of {required}): the vote cannot open.").format(
                    counted=quorum.counted, required=quorum.required
                )
            )
        electors: list[dict[str, Any]] = []
        for member in sorted(register.voters - recused):
            if member in register.attending:
                electors.append({"member": member, "voter": register.representatives[member], "proxy_holder": None})
            elif member in register.represented_by:
                holder = register.represented_by[member]
                if holder in recused:
                    continue
                electors.append({"member": member, "voter": register.representatives[holder], "proxy_holder": holder})
        present = sum(1 for e in electors if e["proxy_holder"] is None)
        committed = electorate_hash([(e["member"], 1) for e in electors])
        round_number = 1 + await Poll.count().where(Poll.motion == motion_id)
        question = agenda.text_in(motion, motion["authoritative_language"])
        rows = await Poll.insert(
            Poll(
                meeting=context.meeting["id"],
                motion=motion_id,
                round=round_number,
                method=method,
                status="open",
                question=question,
                question_language=motion["authoritative_language"],
                threshold_numerator=majority["threshold_numerator"],
                threshold_denominator=majority["threshold_denominator"],
                strict=majority["strict"],
                base=majority["base"],
                tie_rule=rules["tie_rule"],
                majority_article=majority["article"],
                electorate_hash=committed,
                electorate_size=len(electors),
                present_weight=present,
                represented_weight=len(electors) - present,
                members_weight=len(register.voters - recused),
                quorum_counted=quorum.counted,
                quorum_required=quorum.required,
                opened_at=at,
                opened_by=principal.person_id,
            )
        ).returning(Poll.id)
        poll_id = rows[0]["id"]
        for elector in electors:
            await PollElector.insert(PollElector(poll=poll_id, weight=1, **elector))
        await log.append(
            context.meeting["id"],
            "poll_opened",
            principal.person_id,
            at,
            poll=poll_id,
            motion=motion_id,
            method=method,
            round=round_number,
            electorate=len(electors),
            electorate_hash=committed,
        )
        return poll_id

    poll_id = await agenda.change(context, freeze)
    return await get_poll(context, poll_id)


async def _lock_poll(poll_id: int, strength: str) -> None:
    if not db.is_sqlite():
        await Poll.select(Poll.id).where(Poll.id == poll_id).lock_rows(strength)  # type: ignore[arg-type]


async def cast(
    context: MeetingContext, principal: Principal, poll_id: int, member_slug: str, choice: str, token: str
) -> Row:
    """Record one ballot for ``member_slug``; returns {"receipt", "poll"} (same size whatever the choice)."""
    if choice not in CHOICES:
        raise Invalid(_("Choose yes, no or abstain."), fields={"choice": _("Choose one of the options.")})
    if not TOKEN.match(token):
        raise Invalid(
            _("The submission token is missing or malformed."), fields={"token": _("This value is not valid.")}
        )
    member = (
        await Member.select(Member.id, Member.name)
        .where((Member.slug == member_slug) & (Member.organisation == context.organisation["id"]))
        .first()
    )
    if member is None:
        raise Invalid(_("No such member."), fields={"member": _("No such member.")})
    token_hash = _hash(token)

    async def record() -> None:
        await _lock_poll(poll_id, "SHARE")
        poll = await Poll.select().where((Poll.id == poll_id) & (Poll.meeting == context.meeting["id"])).first()
        if poll is None:
            raise NotFound(_("No such poll in this meeting."))
        earlier = (
            await Participation.select()
            .where((Participation.poll == poll_id) & (Participation.token_hash == token_hash))
            .first()
        )
        if earlier is not None:
            if earlier["member"] != member["id"] or earlier["person"] != principal.person_id:
                raise Conflict(_("This submission token was already used for another ballot."))
            return  # a retry: the first answer stands
        if poll["status"] != "open":
            closed_at = poll["closed_at"].astimezone(dt.UTC).strftime("%H:%M:%S") if poll["closed_at"] else ""
            raise Conflict(_("The poll closed at {time} (UTC): your ballot was not recorded.").format(time=closed_at))
        elector = (
            await PollElector.select()
            .where((PollElector.poll == poll_id) & (PollElector.member == member["id"]))
            .first()
        )
        if elector is None:
            raise Forbidden(_("{member} is not in this poll's electorate.").format(member=member["name"]))
        if elector["voter"] != principal.person_id:
            raise Forbidden(_("You do not cast the vote of {member} in this poll.").format(member=member["name"]))
        await Participation.insert(
            Participation(poll=poll_id, member=member["id"], person=principal.person_id, token_hash=token_hash)
        )
        if poll["method"] == "secret":
            await SecretBallot.insert(
                SecretBallot(
                    id=_hash(receipt_for(poll_id, token)), poll=poll_id, choice=choice, weight=elector["weight"]
                )
            )
        else:
            await RollCallVote.insert(
                RollCallVote(poll=poll_id, member=member["id"], choice=choice, weight=elector["weight"])
            )

    try:
        async with writing():
            await record()
    except IntegrityViolation as exc:
        if exc.kind != "unique":
            raise
        # A concurrent submission won the race: same token means a retry (first answer);
        # otherwise the member has already voted.
        async with reading():
            earlier = (
                await Participation.select()
                .where((Participation.poll == poll_id) & (Participation.token_hash == token_hash))
                .first()
            )
        if earlier is None or earlier["member"] != member["id"]:
            raise Conflict(_("{member} has already voted in this poll.").format(member=member["name"])) from exc
    # No log line per ballot (it would record the order of voting). Live pages are told
    # that the count moved: they show only "n of N voted", never who or what.
    live.meeting_changed(context.meeting["id"])
    return {"poll": poll_id, "receipt": receipt_for(poll_id, token)}


async def close_poll(context: MeetingContext, principal: Principal, poll_id: int) -> Row:
    if not agenda.drives(context):
        raise Forbidden(_("Only the chair closes a vote at this meeting."))

    async def count() -> None:
        await _lock_poll(poll_id, "UPDATE")
        poll = await Poll.select().where((Poll.id == poll_id) & (Poll.meeting == context.meeting["id"])).first()
        if poll is None:
            raise NotFound(_("No such poll in this meeting."))
        if poll["status"] != "open":
            raise Conflict(_("This poll is already closed."))
        table = SecretBallot if poll["method"] == "secret" else RollCallVote
        rows = await table.select(table.choice, table.weight).where(table.poll == poll_id)
        totals = {choice: sum(r["weight"] for r in rows if r["choice"] == choice) for choice in CHOICES}
        chair_vote = None
        if poll["method"] == "roll_call":
            chair = context.chair
            if chair is not None:
                vote = (
                    await RollCallVote.select(RollCallVote.choice)
                    .where((RollCallVote.poll == poll_id) & (RollCallVote.member == chair["member"]))
                    .first()
                )
                chair_vote = vote["choice"] if vote else None
        majority = Majority(
            Fraction(poll["threshold_numerator"], poll["threshold_denominator"]), poll["strict"], poll["base"]
        )
        result = decide(
            majority,
            Count(
                yes=totals["yes"],
                no=totals["no"],
                abstain=totals["abstain"],
                present=poll["present_weight"],
                represented=poll["represented_weight"],
                members=poll["members_weight"],
            ),
            tie_rule=poll["tie_rule"],
            secret=poll["method"] == "secret",
            chair_vote=chair_vote,
        )
        at = dt.datetime.now(dt.UTC)
        arithmetic = f"{result.arithmetic} ({poll['majority_article']})"
        await Poll.update(
            {
                Poll.status: "closed",
                Poll.closed_at: at,
                Poll.closed_by: principal.person_id,
                Poll.yes: totals["yes"],
                Poll.no: totals["no"],
                Poll.abstain: totals["abstain"],
                Poll.outcome: result.outcome,
                Poll.arithmetic: arithmetic,
            }
        ).where(Poll.id == poll_id)
        voted = await Participation.count().where(Participation.poll == poll_id)
        await log.append(
            context.meeting["id"],
            "poll_closed",
            principal.person_id,
            at,
            poll=poll_id,
            voted=voted,
            yes=totals["yes"],
            no=totals["no"],
            abstain=totals["abstain"],
            outcome=result.outcome,
            arithmetic=arithmetic,
            casting_vote=result.casting_vote_used,
        )
        if result.outcome in ("adopted", "rejected"):
            await agenda.move(context, principal, poll["motion"], result.outcome, arithmetic)

    await agenda.change(context, count)
    live.meeting_changed(context.meeting["id"])
    return await get_poll(context, poll_id)


async def published_ballots(context: MeetingContext, poll_id: int) -> list[Row]:
    """A closed secret poll's ballots, sorted by their id (never in casting order)."""
    poll = await get_poll(context, poll_id)
    if poll["status"] != "closed":
        raise Conflict(_("Ballots are published when the poll closes."))
    if poll["method"] != "secret":
        async with reading():
            return (
                await RollCallVote.select(
                    RollCallVote.member.name.as_alias("member"), RollCallVote.choice, RollCallVote.weight
                )
                .where(RollCallVote.poll == poll_id)
                .order_by(RollCallVote.member.name)
            )
    async with reading():
        return (
            await SecretBallot.select(SecretBallot.id, SecretBallot.choice, SecretBallot.weight)
            .where(SecretBallot.poll == poll_id)
            .order_by(SecretBallot.id)
        )


async def my_ballots(context: MeetingContext, principal: Principal, poll_id: int) -> list[Row]:
    """The members whose vote the principal casts in this poll, and whether each has voted."""
    async with reading():
        electors = await PollElector.select(
            PollElector.member,
            PollElector.member.slug.as_alias("slug"),
            PollElector.member.name.as_alias("name"),
            PollElector.proxy_holder,
        ).where((PollElector.poll == poll_id) & (PollElector.voter == principal.person_id))
        voted = {
            row["member"]
            for row in await Participation.select(Participation.member).where(Participation.poll == poll_id)
        }
    return [{**e, "voted": e["member"] in voted} for e in electors]


def secrecy_warning(poll: Row) -> bool:
    """Warn the chair: with so few voters, choices could be inferred from the count."""
    return poll["method"] == "secret" and poll["electorate_size"] < SECRECY_MINIMUM
