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
* **Casting** records one ballot per member per poll: the database's unique index on
  participation is the last word, and a retried submission with the same client token
  gets the first answer back. Secret ballots are stored apart from participation, with
  no timestamp, no sequential id and no member; their id is the SHA-256 of the receipt.
  Where the rule set allows it, a ballot may be changed until the close (a secret one only
  by the device that holds its first token: nothing on the server links it to the member).
  On PostgreSQL a cast holds a FOR SHARE lock on the poll row (casts run side by side)
  and closing takes FOR UPDATE (it waits for casts in flight, and later casts see the
  poll closed): a ballot is either counted or refused, never accepted and dropped.
* **Closing** counts from the rows and decides with ``governance.polls.majority`` (motions)
  or ``governance.polls.elections`` (a round). The outcome moves the motion (adopted with its
  decision number, or rejected), unless the tie rule asks for a new round or a casting vote,
  which the office named in the rule set then records; lot is drawn by the server and logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections import Counter
from fractions import Fraction
from typing import Any

from governance import clock, db
from governance.agenda import services as agenda
from governance.agenda.views import item_quorum_for
from governance.auth import Principal
from governance.db import IntegrityViolation, reading, writing
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.i18n import gettext as _
from governance.meetings import attendance, live
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.meetings.tables import QuorumCheck
from governance.organisations.tables import MajorityRule, Member
from governance.polls import elections, secrecy_rules, secret_requests
from governance.polls.guards import holds_casting_vote
from governance.polls.majority import Count, Majority, decide
from governance.polls.tables import Candidate, Participation, Poll, PollElector, RollCallVote, SecretBallot
from governance.polls.voiding import void_open_polls
from governance.record import canonical, keys, log
from governance.settings import get_settings

Row = dict[str, Any]
METHODS = ("roll_call", "secret", "show_of_hands", "unanimous_consent")
BALLOT_METHODS = ("roll_call", "secret")
CHOICES = ("yes", "no", "abstain")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,100}$")
# Below this many voters a secret ballot may not be secret in practice (warn the chair).
SECRECY_MINIMUM = 5


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _now() -> dt.datetime:
    return clock.now()


def _receipt_key() -> bytes:
    return hashlib.sha256(b"receipt:" + get_settings().secret_key.encode()).digest()


def nonce_for(poll_id: int, token: str) -> str:
    """The ballot's nonce, derived from the token only the voter's tablet holds, so a retried
    submission gets the same receipt back and the server stores nothing that links them."""
    return canonical.nonce_for(_receipt_key(), poll_id, token)


def _answer(poll_id: int, receipt: str) -> Row:
    return {"poll": poll_id, "receipt": receipt, "code": canonical.receipt_code(receipt)}


def options_of(poll: Row) -> Any:
    """Motion: the option codes. Election: {"candidates": [ids], "method": ...}."""
    return json.loads(poll["options"])


def candidates_of(poll: Row) -> list[int]:
    return list(options_of(poll)["candidates"]) if poll["kind"] == "election" else []


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


# --- candidates -----------------------------------------------------------------------------


async def _election_motion(context: MeetingContext, motion_id: int) -> Row:
    motion = await agenda.get_motion(context, motion_id)
    if motion["decision_type"] != "election":
        raise Conflict(_("Candidates stand in elections only."))
    if motion["status"] in ("adopted", "rejected", "withdrawn", "postponed", "referred"):
        raise Conflict(_("This election is over."))
    return motion


async def list_candidates(context: MeetingContext, motion_id: int) -> list[Row]:
    async with reading():
        return (
            await Candidate.select(
                Candidate.id,
                Candidate.member,
                Candidate.member.slug.as_alias("slug"),
                Candidate.member.name.as_alias("name"),
                Candidate.withdrawn_at,
            )
            .where(Candidate.motion == motion_id)
            .order_by(Candidate.member.name)
        )


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
        existing = (
            await Candidate.select().where((Candidate.motion == motion_id) & (Candidate.member == line.id)).first()
        )
        at = _now()
        if existing is not None and existing["withdrawn_at"] is None:
            raise Conflict(_("{member} is already a candidate.").format(member=line.name))
        if existing is not None:
            await Candidate.update({Candidate.withdrawn_at: None, Candidate.nominated_at: at}).where(
                Candidate.id == existing["id"]
            )
        else:
            await Candidate.insert(
                Candidate(motion=motion_id, member=line.id, nominated_by=principal.person_id, nominated_at=at)
            )
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
        row = (
            await Candidate.select(Candidate.id, Candidate.member, Candidate.withdrawn_at)
            .where((Candidate.motion == motion_id) & (Candidate.member.slug == member_slug))
            .first()
        )
        if row is None or row["withdrawn_at"] is not None:
            raise NotFound(_("No such candidate."))
        at = _now()
        await Candidate.update({Candidate.withdrawn_at: at}).where(Candidate.id == row["id"])
        await log.append(context.meeting["id"], "candidate_withdrawn", principal.person_id, at, motion=motion_id,
                         member=row["member"])  # fmt: skip
        await void_open_polls(context.meeting["id"], motion_id, principal.person_id, "candidates changed")
        return row

    row = await agenda.change(context, withdraw)
    live.meeting_changed(context.meeting["id"])
    return row


async def _election_state(motion_id: int, exclude: int | None = None) -> tuple[list[int], Row | None]:
    """(elected so far, the last counted round) over the motion's closed, non-void polls."""
    rounds = await (
        Poll.select()
        .where((Poll.motion == motion_id) & (Poll.status == "closed") & (Poll.id != (exclude or -1)))
        .order_by(Poll.round)
    )
    elected: list[int] = []
    for row in rounds:
        elected += json.loads(row["elected"] or "[]")
    return elected, (rounds[-1] if rounds else None)


async def _standing(motion: Row) -> tuple[list[int], int]:
    """(candidates standing in the next round, seats left to fill)."""
    elected, last = await _election_state(motion["id"])
    seats_left = motion["seats"] - len(elected)
    nominated = [
        c["member"]
        for c in await Candidate.select(Candidate.member, Candidate.withdrawn_at)
        .where(Candidate.motion == motion["id"])
        .order_by(Candidate.member.name)
        if c["withdrawn_at"] is None and c["member"] not in elected
    ]
    if last is not None and last["next_candidates"]:
        carried = set(json.loads(last["next_candidates"]))
        nominated = [c for c in nominated if c in carried]
    return nominated, seats_left


async def declare_unopposed(context: MeetingContext, principal: Principal, motion_id: int) -> Row:
    """No vote where candidates <= seats, when the statutes say so (DOMAIN rule 10)."""
    if not agenda.drives(context):
        raise Forbidden(_("Only the chair declares the result of an election."))
    rules = context.rule_set or {}

    async def declare() -> None:
        motion = await _election_motion(context, motion_id)
        if motion["status"] != "voting":
            raise Conflict(_("Put the motion to the vote first."))
        if not rules.get("election_uncontested_without_vote"):
            raise Conflict(
                _("The statutes hold a vote even when candidates do not outnumber seats ({article}).").format(
                    article=rules.get("election_article", "")
                )
            )
        standing, seats_left = await _standing(motion)
        if not standing:
            raise Conflict(_("There is no candidate."))
        if len(standing) > seats_left:
            raise Conflict(_("There are more candidates than seats: hold the vote."))
        elected, _last = await _election_state(motion_id)
        names = await _names(elected + standing)
        note = _("Elected without a vote, {n} candidate(s) for {seats} seat(s) ({article}): {names}").format(
            n=len(standing), seats=seats_left, article=rules.get("election_article", ""),
            names=", ".join(names[c] for c in elected + standing),
        )  # fmt: skip
        await log.append(context.meeting["id"], "elected_unopposed", principal.person_id, motion=motion_id,
                         elected=standing)  # fmt: skip
        await agenda.move(context, principal, motion_id, "adopted", note)

    await agenda.change(context, declare)
    live.meeting_changed(context.meeting["id"])
    return await agenda.get_motion(context, motion_id)


async def _names(member_ids: list[int]) -> dict[int, str]:
    rows = await Member.select(Member.id, Member.name).where(Member.id.is_in(member_ids or [-1]))
    return {r["id"]: r["name"] for r in rows}


# --- opening --------------------------------------------------------------------------------


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
    rules = context.rule_set or {}
    if context.meeting["status"] != "open":
        raise Conflict(_("The meeting is not in session."))

    async def freeze() -> int:
        motion = await agenda.get_motion(context, motion_id)
        if motion["status"] != "voting":
            raise Conflict(_("Put the motion to the vote first."))
        election = motion["decision_type"] == "election"
        # Elections, personal matters, members' requests: the statutes may impose the secret ballot.
        secrecy = await secret_requests.required(context, motion)
        if secrecy.method is not None and method != secrecy.method:
            raise Conflict(secrecy_rules.refusal(secrecy, rules.get("secret_ballot_article", "")))
        if election and method not in BALLOT_METHODS:
            raise Conflict(_("An election is held by roll call or by secret ballot."))
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
        seats = 1
        if election:
            standing, seats = await _standing(motion)
            if not standing:
                raise Conflict(_("Register the candidates first."))
            if len(standing) <= seats and rules.get("election_uncontested_without_vote"):
                message = _("{n} candidate(s) for {seats} seat(s): the statutes elect them without a vote ({article}).")
                raise Conflict(
                    message.format(n=len(standing), seats=seats, article=rules.get("election_article", ""))
                )  # fmt: skip
            options: Any = {"candidates": standing, "method": rules.get("election_method", "absolute_then_relative")}
        elif method in BALLOT_METHODS:
            options = [*CHOICES, "blank"] if rules.get("blank_ballots_distinct") else list(CHOICES)
        else:
            options = list(CHOICES) if method == "show_of_hands" else []
        register = await attendance.load_register(context)
        recused = {r["member"] for r in await agenda.list_recusals(context, motion["item"])}
        quorum = item_quorum_for(context, register, recused)
        # Rule 4: the quorum is re-checked and recorded before every poll opens.
        at = _now()
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
        entitled = register.voters - recused
        weights = {m: 1 for m in entitled}
        if rules.get("weighted_votes"):
            rows = await Member.select(Member.id, Member.vote_weight).where(Member.id.is_in(list(entitled) or [-1]))
            weights.update({r["id"]: r["vote_weight"] for r in rows})
        electors: list[dict[str, Any]] = []
        for member in sorted(entitled):
            if member in register.attending:
                electors.append({"member": member, "voter": register.representatives[member], "proxy_holder": None})
            elif member in register.represented_by:
                holder = register.represented_by[member]
                if holder in recused:
                    continue
                electors.append({"member": member, "voter": register.representatives[holder], "proxy_holder": holder})
        present = sum(weights[e["member"]] for e in electors if e["proxy_holder"] is None)
        total = sum(weights[e["member"]] for e in electors)
        slug = {line.id: line.slug for line in register.lines}
        electorate = [
            {
                "member": slug[e["member"]],
                "weight": weights[e["member"]],
                "proxy_holder": slug[e["proxy_holder"]] if e["proxy_holder"] else None,
            }
            for e in electors
        ]
        committed = canonical.electorate_hash(electorate)
        round_number = 1 + await Poll.count().where(Poll.motion == motion_id)
        question = agenda.text_in(motion, motion["authoritative_language"])
        rows = await Poll.insert(
            Poll(
                meeting=context.meeting["id"],
                motion=motion_id,
                round=round_number,
                method=method,
                status="open",
                kind="election" if election else "motion",
                options=json.dumps(options, separators=(",", ":")),
                seats=seats,
                changeable=bool(rules.get("ballots_changeable")) and method in BALLOT_METHODS,
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
                represented_weight=total - present,
                members_weight=sum(weights.values()),
                quorum_counted=quorum.counted,
                quorum_required=quorum.required,
                opened_at=at,
                opened_by=principal.person_id,
                closes_at=at + dt.timedelta(seconds=countdown) if countdown else None,
            )
        ).returning(Poll.id)
        poll_id = rows[0]["id"]
        if electors:
            await PollElector.insert(*(PollElector(poll=poll_id, weight=weights[e["member"]], **e) for e in electors))
        # What the electorate was frozen from, so anyone can check it (docs/record-format.md §3).
        await log.append(
            context.meeting["id"],
            "electorate_fixed",
            principal.person_id,
            at,
            poll=poll_id,
            attending=sorted(slug[m] for m in register.attending if m in slug),
            proxies=sorted([slug[g], slug[h]] for g, h in register.represented_by.items() if g in slug and h in slug),
            recused=sorted(slug[m] for m in recused if m in slug),
            electorate=sorted(electorate, key=lambda e: e["member"]),
            electorate_hash=committed,
        )
        await log.append(
            context.meeting["id"],
            "poll_opened",
            principal.person_id,
            at,
            poll=poll_id,
            motion=motion_id,
            method=method,
            kind="election" if election else "motion",
            round=round_number,
            options=options,
            seats=seats,
            majority={
                "numerator": majority["threshold_numerator"],
                "denominator": majority["threshold_denominator"],
                "strict": majority["strict"],
                "base": majority["base"],
            },
            tie_rule=rules["tie_rule"],
            quorum={"counted": quorum.counted, "required": quorum.required},
            electorate=len(electors),
            electorate_hash=committed,
        )
        return poll_id

    poll_id = await agenda.change(context, freeze)
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
        poll = (
            await Poll.select(Poll.status, Poll.motion)
            .where((Poll.id == poll_id) & (Poll.meeting == context.meeting["id"]))
            .first()
        )
        if poll is None:
            raise NotFound(_("No such poll in this meeting."))
        if poll["status"] != "open":
            raise Conflict(_("Only an open vote can be voided."))
        await void_open_polls(context.meeting["id"], poll["motion"], principal.person_id, reason[:300])

    await agenda.change(context, void)
    live.meeting_changed(context.meeting["id"])
    return await get_poll(context, poll_id)


# --- casting --------------------------------------------------------------------------------


async def _lock_poll(poll_id: int, strength: str) -> None:
    if not db.is_sqlite():
        await Poll.select(Poll.id).where(Poll.id == poll_id).lock_rows(strength)  # type: ignore[arg-type]


def ballot_content(poll: Row, choice: str) -> str:
    """The canonical content of a ballot for ``poll``, or a refusal that says why."""
    if poll["kind"] == "motion":
        options = options_of(poll)
        if choice not in options:
            words = {"yes": _("yes"), "no": _("no"), "abstain": _("abstain"), "blank": _("blank")}
            message = _("Choose one of: {options}.").format(options=", ".join(str(words[o]) for o in options))
            raise Invalid(message, fields={"choice": message})
        return choice
    if choice in ("blank", "abstain"):
        return choice
    try:
        marks = [int(part) for part in choice.split(",")]
    except ValueError:
        marks = [-1]
    problem = elections.check_ballot(marks, candidates_of(poll), poll["seats"])
    if problem == "too_many":
        message = _("Mark at most {seats} candidate(s).").format(seats=poll["seats"])
    elif problem is not None:
        message = _("Mark only the candidates on the ballot, each once.")
    else:
        return ",".join(str(mark) for mark in sorted(marks))
    raise Invalid(message, fields={"choice": message})


def _closed_message(poll: Row) -> str:
    if poll["status"] == "void":
        return _("This vote was declared void ({reason}): your ballot was not recorded.").format(
            reason=poll["void_reason"]
        )
    closed_at = poll["closed_at"].astimezone(dt.UTC).strftime("%H:%M:%S") if poll["closed_at"] else ""
    return _("The poll closed at {time} (UTC): your ballot was not recorded.").format(time=closed_at)


# Only what casting reads of the poll: building a select of all fifty-odd columns costs
# more CPU than running it (measured in a vote burst).
CAST_POLL_COLUMNS = (
    Poll.id, Poll.status, Poll.method, Poll.kind, Poll.options, Poll.seats, Poll.changeable, Poll.closed_at,
    Poll.void_reason,
)  # fmt: skip


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
    token_hash = _hash(token)
    nonce = nonce_for(poll_id, token)
    named: dict[str, str] = {}  # the member's name, for messages after the transaction

    async def record() -> str:
        query = Poll.select(*CAST_POLL_COLUMNS).where((Poll.id == poll_id) & (Poll.meeting == context.meeting["id"]))
        if not db.is_sqlite():
            query = query.lock_rows("SHARE")  # type: ignore[arg-type]
        poll = await query.first()
        if poll is None:
            raise NotFound(_("No such poll in this meeting."))
        if poll["status"] != "open":
            if await _retried(poll_id, token_hash, principal):
                return await _first_receipt(poll_id, nonce)  # a retry after the close gets its first answer
            raise Conflict(_closed_message(poll))
        if poll["method"] not in BALLOT_METHODS:
            raise Conflict(_("This vote is not cast on tablets: the chair takes it in the room."))
        content = ballot_content(poll, choice)
        elector = (
            await PollElector.select(
                PollElector.member, PollElector.weight, PollElector.voter, PollElector.member.name.as_alias("name")
            )
            .where((PollElector.poll == poll_id) & (PollElector.member.slug == member_slug))
            .first()
        )
        if elector is None:
            member = (
                await Member.select(Member.name)
                .where((Member.slug == member_slug) & (Member.organisation == context.organisation["id"]))
                .first()
            )
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
            first = (
                await Participation.select()
                .where((Participation.poll == poll_id) & (Participation.member == member["id"]))
                .first()
            )
            if first is not None:
                if first["token_hash"] == token_hash:
                    return await _first_receipt(poll_id, nonce)  # a retry: the first answer stands
                return await _change_ballot(poll, member, first, content, token, previous, member_slug)
        await Participation.insert(
            Participation(poll=poll_id, member=member["id"], person=principal.person_id, token_hash=token_hash)
        )
        return await _insert_ballot(poll, member["id"], member_slug, content, elector["weight"], nonce)

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
            receipt = await _first_receipt(poll_id, nonce)
    # No log line per ballot (it would record the order of voting). Live pages are told
    # that the count moved: they show only "n of N voted", never who or what.
    live.meeting_changed(context.meeting["id"])
    return _answer(poll_id, receipt)


async def _insert_ballot(poll: Row, member_id: int, member_slug: str, content: str, weight: int, nonce: str) -> str:
    """Store a ballot with its nonce; its receipt is the SHA-256 of its leaf (docs/record-format.md §5)."""
    if poll["method"] == "secret":
        receipt = canonical.receipt_of(canonical.leaf(poll["id"], content, weight, nonce))
        await SecretBallot.insert(SecretBallot(id=receipt, poll=poll["id"], choice=content, weight=weight, nonce=nonce))
    else:
        receipt = canonical.receipt_of(canonical.leaf(poll["id"], content, weight, nonce, member=member_slug))
        await RollCallVote.insert(
            RollCallVote(poll=poll["id"], member=member_id, choice=content, weight=weight, nonce=nonce)
        )
    return receipt


async def _first_receipt(poll_id: int, nonce: str) -> str:
    """The receipt of the ballot a token recorded (a retry's first answer)."""
    secret = (
        await SecretBallot.select(SecretBallot.id)
        .where((SecretBallot.poll == poll_id) & (SecretBallot.nonce == nonce))
        .first()
    )
    if secret is not None:
        return secret["id"]
    named = (
        await RollCallVote.select(RollCallVote.choice, RollCallVote.weight, RollCallVote.member.slug.as_alias("slug"))
        .where((RollCallVote.poll == poll_id) & (RollCallVote.nonce == nonce))
        .first()
    )
    if named is None:  # changed since: the token no longer names a ballot
        raise Conflict(_("This ballot was changed since; its earlier receipt no longer counts."))
    return canonical.receipt_of(canonical.leaf(poll_id, named["choice"], named["weight"], nonce, member=named["slug"]))


async def _retried(poll_id: int, token_hash: str, principal: Principal, member_slug: str | None = None) -> bool:
    """True if this token already recorded a ballot, by this person (for this member)."""
    earlier = (
        await Participation.select(Participation.person, Participation.member.slug.as_alias("slug"))
        .where((Participation.poll == poll_id) & (Participation.token_hash == token_hash))
        .first()
    )
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
        if previous is None or _hash(previous) != first["token_hash"]:
            message = _("{member} has already voted. To change a secret ballot, use the change button on its receipt.")
            raise Conflict(message.format(member=member["name"]))  # fmt: skip
        deleted = (
            await SecretBallot.delete()
            .where((SecretBallot.poll == poll["id"]) & (SecretBallot.nonce == nonce_for(poll["id"], previous)))
            .returning(SecretBallot.weight)
        )
        if not deleted:
            raise Conflict(_("The earlier ballot could not be found; it was not changed."))
        receipt = await _insert_ballot(poll, member["id"], member_slug, content, deleted[0]["weight"], nonce)
    else:
        await RollCallVote.delete().where((RollCallVote.poll == poll["id"]) & (RollCallVote.member == member["id"]))
        weight = (
            await PollElector.select(PollElector.weight)
            .where((PollElector.poll == poll["id"]) & (PollElector.member == member["id"]))
            .first()
        )
        receipt = await _insert_ballot(poll, member["id"], member_slug, content, weight["weight"], nonce)
    await Participation.update({Participation.token_hash: _hash(token)}).where(Participation.id == first["id"])
    return receipt


async def object_to_consent(context: MeetingContext, principal: Principal, poll_id: int, member_slug: str) -> Row:
    """One objection ends a call for unanimous consent: the chair then takes a real vote.

    A member's representative objects from the tablet; the chair records an objection heard
    in the room for any member of the electorate."""
    member = (
        await Member.select(Member.id, Member.name)
        .where((Member.slug == member_slug) & (Member.organisation == context.organisation["id"]))
        .first()
    )
    if member is None:
        raise Invalid(_("No such member."), fields={"member": _("No such member.")})

    async def objection() -> None:
        await _lock_poll(poll_id, "UPDATE")
        poll = await Poll.select().where((Poll.id == poll_id) & (Poll.meeting == context.meeting["id"])).first()
        if poll is None:
            raise NotFound(_("No such poll in this meeting."))
        if poll["method"] != "unanimous_consent":
            raise Conflict(_("Objections are for a call for unanimous consent."))
        if poll["status"] != "open":
            raise Conflict(_closed_message(poll))
        elector = (
            await PollElector.select()
            .where((PollElector.poll == poll_id) & (PollElector.member == member["id"]))
            .first()
        )
        if elector is None:
            raise Forbidden(_("{member} is not in this poll's electorate.").format(member=member["name"]))
        if elector["voter"] != principal.person_id and not agenda.drives(context):
            raise Forbidden(_("You do not speak for {member} in this poll.").format(member=member["name"]))
        at = _now()
        arithmetic = _("Objection by {member}: no unanimous consent; the chair takes a vote.").format(
            member=member["name"]
        )
        await Poll.update(
            {
                Poll.status: "closed",
                Poll.closed_at: at,
                Poll.closed_by: principal.person_id,
                Poll.outcome: "objection",
                Poll.objection: member["name"],
                Poll.arithmetic: arithmetic,
            }
        ).where(Poll.id == poll_id)
        await log.append(context.meeting["id"], "consent_objection", principal.person_id, at, poll=poll_id,
                         member=member_slug)  # fmt: skip

    await agenda.change(context, objection)
    live.meeting_changed(context.meeting["id"])
    return await get_poll(context, poll_id)


# --- closing --------------------------------------------------------------------------------


def _majority(poll: Row) -> Majority:
    return Majority(Fraction(poll["threshold_numerator"], poll["threshold_denominator"]), poll["strict"], poll["base"])


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
        await _lock_poll(poll_id, "UPDATE")
        poll = await Poll.select().where((Poll.id == poll_id) & (Poll.meeting == context.meeting["id"])).first()
        if poll is None:
            raise NotFound(_("No such poll in this meeting."))
        if poll["status"] != "open":
            raise Conflict(_("This poll is already closed."))
        at = _now()
        if poll["kind"] == "election":
            values, effect = await _count_election(context, poll)
        elif poll["method"] == "unanimous_consent":
            values, effect = _consent(poll)
        else:
            values, effect = await _count_motion(context, poll, counts, tellers)
        values.update({Poll.status: "closed", Poll.closed_at: at, Poll.closed_by: principal.person_id})
        commitments = await _commitments(poll)
        values.update(
            {Poll.merkle_root: commitments["merkle_root"], Poll.participation_hash: commitments["participation_hash"]}
        )
        await Poll.update(values).where(Poll.id == poll_id)
        result = await _result_payload(context, poll, values)
        closed = await log.append(
            context.meeting["id"], "poll_closed", principal.person_id, at, poll=poll_id, **commitments, **result
        )
        await _checkpoint(context, poll, commitments, closed, principal, at)
        if effect is not None:
            await agenda.move(context, principal, poll["motion"], effect[0], effect[1])

    await agenda.change(context, count)
    live.meeting_changed(context.meeting["id"])
    return await get_poll(context, poll_id)


Effect = tuple[str, str] | None  # (the motion's new status, the note) or nothing yet


async def _commitments(poll: Row) -> Row:
    """What a closed poll commits to: its ballots' Merkle root and who took part (docs §4, §5)."""
    ballots = [leaf_bytes(poll, row) for row in await leaves(poll)]
    members = [
        row["slug"]
        for row in await Participation.select(Participation.member.slug.as_alias("slug")).where(
            Participation.poll == poll["id"]
        )
    ]
    return {
        "ballots": len(ballots),
        "merkle_root": canonical.merkle_root(ballots).hex(),
        "participation_hash": canonical.participation_hash(members),
    }


def leaf_bytes(poll: Row, row: Row) -> bytes:
    member = row["slug"] if poll["method"] == "roll_call" else None
    return canonical.leaf(poll["id"], row["choice"], row["weight"], row["nonce"] or "", member=member)


async def _result_payload(context: MeetingContext, poll: Row, values: dict[Any, Any]) -> Row:
    """The result as the log records it: plain JSON values (tally an object, elected a list)."""
    result: Row = {"outcome": values[Poll.outcome], "arithmetic": values[Poll.arithmetic]}
    for column, key in ((Poll.yes, "yes"), (Poll.no, "no"), (Poll.abstain, "abstain"), (Poll.blank, "blank"),
                        (Poll.tellers, "tellers")):  # fmt: skip
        if values.get(column) is not None:
            result[key] = values[column]
    if values.get(Poll.tally) is not None:
        result["tally"] = json.loads(values[Poll.tally])
        result["elected"] = json.loads(values[Poll.elected] or "[]")
    if poll["method"] == "roll_call" and context.chair is not None:
        # Whose vote prevails in a roll-call tie under "chair_prevails" (the verifier needs it).
        chair = await Member.select(Member.slug).where(Member.id == context.chair["member"]).first()
        if chair is not None:
            result["chair"] = chair["slug"]
    return result


async def _checkpoint(
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
    await Poll.update({Poll.checkpoint: note}).where(Poll.id == poll["id"])
    await log.append(context.meeting["id"], "checkpoint", principal.person_id, at, poll=poll["id"], note=note)


def _consent(poll: Row) -> tuple[dict[Any, Any], Effect]:
    arithmetic = _("No objection among {n} members entitled to vote: adopted by unanimous consent.").format(
        n=poll["electorate_size"]
    )
    return {Poll.outcome: "adopted", Poll.arithmetic: arithmetic}, ("adopted", arithmetic)


async def _count_motion(
    context: MeetingContext, poll: Row, counts: dict[str, int] | None, tellers: str
) -> tuple[dict[Any, Any], Effect]:
    values: dict[Any, Any] = {}
    if poll["method"] == "show_of_hands":
        totals = _tellers_counts(poll, counts, tellers)
        electorate = sum(r["weight"] for r in await PollElector.select(PollElector.weight).where(
            PollElector.poll == poll["id"]))  # fmt: skip
        if sum(totals.values()) > electorate:
            message = _("The counts add up to {sum}, more than the {n} votes of the electorate.").format(
                sum=sum(totals.values()), n=electorate
            )
            raise Invalid(message, fields={"yes": message})
        values[Poll.tellers] = tellers.strip()[:300]
    else:
        table = SecretBallot if poll["method"] == "secret" else RollCallVote
        rows = await table.select(table.choice, table.weight).where(table.poll == poll["id"])
        totals = {choice: sum(r["weight"] for r in rows if r["choice"] == choice) for choice in (*CHOICES, "blank")}
    chair_vote = None
    if poll["method"] == "roll_call" and context.chair is not None:
        vote = (
            await RollCallVote.select(RollCallVote.choice)
            .where((RollCallVote.poll == poll["id"]) & (RollCallVote.member == context.chair["member"]))
            .first()
        )
        chair_vote = vote["choice"] if vote else None
    result = decide(
        _majority(poll),
        Count(
            yes=totals["yes"],
            no=totals["no"],
            abstain=totals["abstain"],
            blank=totals.get("blank", 0),
            present=poll["present_weight"],
            represented=poll["represented_weight"],
            members=poll["members_weight"],
        ),
        tie_rule=poll["tie_rule"],
        secret=poll["method"] == "secret",
        chair_vote=chair_vote,
    )
    outcome, arithmetic = result.outcome, f"{result.arithmetic} ({poll['majority_article']})"
    if outcome == "tie_lot":
        # Lot is drawn here, by the server's CSPRNG, and the draw is in the record.
        outcome = secrets.choice(["adopted", "rejected"])
        arithmetic += f"; lot drawn: {outcome}"
    if poll["method"] == "show_of_hands":
        arithmetic += "; " + _("counted by {tellers}").format(tellers=values[Poll.tellers])
    values.update(
        {
            Poll.yes: totals["yes"],
            Poll.no: totals["no"],
            Poll.abstain: totals["abstain"],
            Poll.blank: totals.get("blank", 0),
            Poll.outcome: outcome,
            Poll.arithmetic: arithmetic,
        }
    )
    effect: Effect = (outcome, arithmetic) if outcome in ("adopted", "rejected") else None
    return values, effect


def _tellers_counts(poll: Row, counts: dict[str, int] | None, tellers: str) -> dict[str, int]:
    if not tellers.strip():
        message = _("Name the tellers who counted the hands.")
        raise Invalid(message, fields={"tellers": message})
    totals: dict[str, int] = {}
    problems: dict[str, str] = {}
    for choice in CHOICES:
        value = (counts or {}).get(choice)
        if not isinstance(value, int) or value < 0 or value > 1_000_000:
            problems[choice] = _("Enter a whole number, 0 or more.")
        else:
            totals[choice] = value
    if problems:
        raise Invalid(_("Enter the tellers' counts."), fields=problems)
    return totals


async def _count_election(context: MeetingContext, poll: Row) -> tuple[dict[Any, Any], Effect]:
    table = SecretBallot if poll["method"] == "secret" else RollCallVote
    rows = await table.select(table.choice, table.weight).where(table.poll == poll["id"])
    ballots: list[elections.Ballot] = []
    abstain = 0
    for row in rows:
        if row["choice"] == "abstain":
            abstain += row["weight"]
        elif row["choice"] == "blank":
            ballots.append(elections.Ballot((), row["weight"]))
        else:
            ballots.append(elections.Ballot(tuple(int(m) for m in row["choice"].split(",")), row["weight"]))
    candidates = candidates_of(poll)
    earlier, _last = await _election_state(poll["motion"])
    names = await _names(candidates + earlier)
    result = elections.count_round(
        method=options_of(poll)["method"],
        round_number=poll["round"],
        seats=poll["seats"],
        majority=_majority(poll),
        candidates=candidates,
        ballots=ballots,
        turnout=elections.Turnout(
            abstain=abstain,
            present=poll["present_weight"],
            represented=poll["represented_weight"],
            members=poll["members_weight"],
        ),
        names=names,
    )
    elected = list(result.elected)
    arithmetic = f"{result.arithmetic} ({poll['majority_article']})"
    outcome: str = result.outcome
    following = list(result.next_candidates)
    if result.outcome == "tie":
        rule = poll["tie_rule"]
        if rule == "new_round":
            outcome = "tie_new_round"
        elif rule == "casting_vote":
            outcome = "tie_casting_vote"
        elif rule == "lot":
            drawn = secrets.SystemRandom().sample(list(result.tied), poll["seats"] - len(elected))
            elected += drawn
            arithmetic += "; lot drawn: " + ", ".join(names[c] for c in drawn)
            outcome, following = "elected", []
        else:  # "fails", and the chair's vote, which never prevails in a secret ballot
            outcome, following = "not_elected", []
            arithmetic += "; no one elected to the tied seat(s)"
    values: dict[Any, Any] = {
        Poll.abstain: abstain,
        Poll.blank: result.blank,
        Poll.tally: json.dumps({str(c): v for c, v in result.votes.items()}, separators=(",", ":")),
        Poll.elected: json.dumps(elected),
        Poll.next_candidates: json.dumps(following) if outcome in ("next_round", "tie_new_round", "tie_casting_vote")
        else None,
        Poll.outcome: outcome,
        Poll.arithmetic: arithmetic,
    }  # fmt: skip
    return values, (_election_effect(earlier + elected, names, arithmetic) if outcome in ("elected", "not_elected")
                    else None)  # fmt: skip


def _election_effect(elected: list[int], names: dict[int, str], arithmetic: str) -> Effect:
    if not elected:
        return "rejected", arithmetic
    return "adopted", _("Elected: {names}").format(names=", ".join(names[c] for c in elected)) + f" ({arithmetic})"


async def record_casting_vote(context: MeetingContext, principal: Principal, poll_id: int, choice: str) -> Row:
    """The office named in the rule set settles a tie; the casting vote is recorded (rule 7)."""
    rules = context.rule_set or {}
    office = rules.get("casting_vote_office")
    if not holds_casting_vote(context, principal.person_id):
        raise Forbidden(
            _("Only the holder of the office named in the statutes casts the deciding vote ({article}).").format(
                article=rules.get("tie_article", "")
            )
        )

    async def settle() -> None:
        await _lock_poll(poll_id, "UPDATE")
        poll = await Poll.select().where((Poll.id == poll_id) & (Poll.meeting == context.meeting["id"])).first()
        if poll is None:
            raise NotFound(_("No such poll in this meeting."))
        if poll["outcome"] != "tie_casting_vote" or poll["casting_vote"] is not None:
            raise Conflict(_("This vote does not wait for a casting vote."))
        at = _now()
        values: dict[Any, Any] = {
            Poll.casting_vote: choice,
            Poll.casting_vote_by: principal.person_id,
            Poll.casting_vote_office: office,
        }
        if poll["kind"] == "motion":
            if choice not in ("yes", "no"):
                message = _("A casting vote is yes or no.")
                raise Invalid(message, fields={"choice": message})
            outcome = "adopted" if choice == "yes" else "rejected"
            arithmetic = f"{poll['arithmetic']}; casting vote ({office}): {choice}: {outcome}"
            effect: Effect = (outcome, arithmetic)
        else:
            earlier, _last = await _election_state(poll["motion"], exclude=poll_id)
            tied = json.loads(poll["next_candidates"] or "[]")
            seats_left = poll["seats"] - len(json.loads(poll["elected"] or "[]"))
            try:
                chosen = sorted({int(part) for part in choice.split(",")})
            except ValueError:
                chosen = []
            if len(chosen) != seats_left or not set(chosen) <= set(tied):
                message = _("Choose {n} of the tied candidates.").format(n=seats_left)
                raise Invalid(message, fields={"choice": message})
            elected = json.loads(poll["elected"] or "[]") + chosen
            names = await _names(earlier + elected + tied)
            outcome = "elected"
            arithmetic = f"{poll['arithmetic']}; casting vote ({office}): " + ", ".join(names[c] for c in chosen)
            values.update({Poll.elected: json.dumps(elected), Poll.next_candidates: None})
            effect = _election_effect(earlier + elected, names, arithmetic)
        values.update({Poll.outcome: outcome, Poll.arithmetic: arithmetic})
        await Poll.update(values).where(Poll.id == poll_id)
        await log.append(context.meeting["id"], "casting_vote", principal.person_id, at, poll=poll_id, office=office,
                         choice=choice, outcome=outcome)  # fmt: skip
        if effect is not None:
            await agenda.move(context, principal, poll["motion"], effect[0], effect[1])

    await agenda.change(context, settle)
    live.meeting_changed(context.meeting["id"])
    return await get_poll(context, poll_id)


# --- publication ----------------------------------------------------------------------------


async def published_ballots(context: MeetingContext, poll_id: int) -> list[Row]:
    """A closed poll's ballots as leaves, sorted by receipt (never in casting order)."""
    poll = await get_poll(context, poll_id)
    if poll["status"] != "closed":
        raise Conflict(_("Ballots are published when the poll closes."))
    return [{**row, "code": canonical.receipt_code(row["id"])} for row in await leaves(poll)]


async def leaves(poll: Row) -> list[Row]:
    """Every ballot of a poll with its receipt ("id"), sorted by receipt."""
    async with reading():
        if poll["method"] == "secret":
            rows = await SecretBallot.select(
                SecretBallot.id, SecretBallot.choice, SecretBallot.weight, SecretBallot.nonce
            ).where(SecretBallot.poll == poll["id"])
            return sorted(rows, key=lambda r: r["id"])
        if poll["method"] != "roll_call":
            return []
        rows = await RollCallVote.select(
            RollCallVote.member.name.as_alias("member"),
            RollCallVote.member.slug.as_alias("slug"),
            RollCallVote.choice,
            RollCallVote.weight,
            RollCallVote.nonce,
        ).where(RollCallVote.poll == poll["id"])
    for row in rows:
        leaf = canonical.leaf(poll["id"], row["choice"], row["weight"], row["nonce"] or "", member=row["slug"])
        row["id"] = canonical.receipt_of(leaf)
    return sorted(rows, key=lambda r: r["id"])


async def my_ballots(context: MeetingContext, principal: Principal, poll_id: int) -> list[Row]:
    """The members whose vote the principal casts in this poll, and whether each has voted."""
    async with reading():
        electors = await PollElector.select(
            PollElector.member,
            PollElector.member.slug.as_alias("slug"),
            PollElector.member.name.as_alias("name"),
            PollElector.proxy_holder,
            PollElector.weight,
        ).where((PollElector.poll == poll_id) & (PollElector.voter == principal.person_id))
        voted = {
            row["member"]
            for row in await Participation.select(Participation.member).where(
                (Participation.poll == poll_id) & Participation.member.is_in([e["member"] for e in electors] or [-1])
            )
        }
    return [{**e, "voted": e["member"] in voted} for e in electors]


async def secrecy_warning(poll: Row) -> str | None:
    """Why the chair should doubt a secret ballot's secrecy (rule 8), or None.

    Too few voters lets the count give choices away; a weight that a single elector holds
    makes that elector's published ballot recognisable."""
    if poll["method"] != "secret":
        return None
    if poll["electorate_size"] < SECRECY_MINIMUM:
        return _("Few voters: in a secret ballot this small, choices could be inferred from the count.")
    unique = await _unique_weights(poll)
    if unique:
        return _(
            "Weights {weights} are each held by one member only: their published ballots could be recognised."
        ).format(weights=", ".join(str(w) for w in unique))
    return None


# The electorate is frozen, and its hash commits to the weights: the answer for a given
# (poll, electorate hash) never changes, and every page render of an open poll asks.
_UNIQUE_WEIGHTS: dict[tuple[int, str], list[int]] = {}


async def _unique_weights(poll: Row) -> list[int]:
    """Weights held by one elector only, where weights differ at all."""
    key = (poll["id"], poll["electorate_hash"])
    if key not in _UNIQUE_WEIGHTS:
        async with reading():
            weights = Counter(
                r["weight"] for r in await PollElector.select(PollElector.weight).where(PollElector.poll == poll["id"])
            )
        unique = sorted(w for w, n in weights.items() if n == 1)
        _UNIQUE_WEIGHTS[key] = unique if len(weights) > 1 else []
    return _UNIQUE_WEIGHTS[key]


async def candidate_names(poll: Row) -> dict[int, str]:
    async with reading():
        return await _names(candidates_of(poll))


async def board(context: MeetingContext, poll_id: int) -> Row:
    """A closed ballot poll's bulletin board (docs §5): each ballot with its receipt, its code
    and its leaf exactly as hashed, sorted by receipt. Read-only."""
    poll = await get_poll(context, poll_id)
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
