"""Play the Metropolis Board meeting of Guangzhou 2012, as its people would.

``governance demo --simulate`` loads the demo, then plays ``metropolis-bod-2012`` from the
first arrival to the last closed poll through the services the pages call. Each step is
taken by the person whose step it is: a :class:`~governance.auth.Principal` built from
their account and staff memberships, as a session would give it. Nothing a person does
is written to a table directly.

Choices (who stays away, who moves, who seconds, how each member votes) come from
``random.Random(seed)`` and lean towards adoption. The sitting is one transaction: it is
played entirely or not at all, and a meeting already played, or under way, is left alone.
Times are the real ones (the services stamp "now"), not November 2012.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from governance import clock
from governance.accounts.tables import Person
from governance.agenda import services as agenda
from governance.agenda.schemas import MotionIn
from governance.agenda.tables import Motion
from governance.auth import Principal
from governance.db import reading, writing
from governance.demo.report import PollResult, Simulation, summary  # noqa: F401 - callers read simulate.summary
from governance.demo.script import (
    ABSENT_VOTERS,
    DEFAULT_SEED,
    DOMAIN,
    HOST,
    OBJECTION_CHANCE,
    PRESIDENT,
    RECUSAL_REASON,
    SECRETARIAT,
    SLUG,
    SUPPORT,
    TELLERS,
    TEXTS,
    TREASURER,
)
from governance.errors import NotFound
from governance.meetings import attendance
from governance.meetings import services as meetings
from governance.meetings.services import MeetingContext
from governance.meetings.tables import Meeting, Presence, Proxy
from governance.organisations.tables import Staff
from governance.polls import services as polls
from governance.polls.tables import Poll, PollElector

Row = dict[str, Any]


@dataclass
class Sitting:
    """The room: the dice, who is who, what is on the agenda, what happened."""

    rng: random.Random
    report: Simulation
    principals: dict[str, Principal] = field(default_factory=dict)  # by e-mail
    items: dict[str, int] = field(default_factory=dict)  # agenda number -> item id
    names: dict[str, str] = field(default_factory=dict)  # member slug -> name
    in_the_room: list[str] = field(default_factory=list)  # member slugs checked in
    voting: set[str] = field(default_factory=set)  # member slugs with a vote

    def floor(self, *excluded: str) -> list[str]:
        """Voting members in the room who may take the floor (never the chair)."""
        return [m for m in self.in_the_room if m in self.voting and m not in {PRESIDENT, *excluded}]


# --- who acts -----------------------------------------------------------------------------------


def email_of(member: str) -> str:
    return f"{member}@{DOMAIN}"


async def principal_for(email: str) -> Principal:
    """The person as a session would present them: account and secretariat memberships."""
    async with reading():
        person = (
            await Person.select(
                Person.id, Person.email, Person.full_name, Person.is_admin, Person.language, Person.is_active
            )
            .where(Person.email == email)
            .first()
        )
        if person is None or not person["is_active"]:
            raise NotFound(f"No active account {email}.")
        staff = await Staff.select(Staff.organisation).where(Staff.person == person["id"])
    return Principal(
        person_id=person["id"],
        email=person["email"],
        full_name=person["full_name"],
        is_admin=person["is_admin"],
        language=person["language"],
        session_handle="",
        staff_of=frozenset(row["organisation"] for row in staff),
    )


async def acting(sitting: Sitting, email: str) -> tuple[MeetingContext, Principal]:
    """The meeting as this person's next request would see it (read afresh every time)."""
    principal = sitting.principals.get(email)
    if principal is None:
        principal = sitting.principals[email] = await principal_for(email)
    return await meetings.meeting_context(SLUG, principal), principal


def vote(rng: random.Random, support: float) -> str:
    draw = rng.random()
    if draw < support:
        return "yes"
    return "abstain" if draw < support + (1 - support) * 0.4 else "no"


def warmth(sitting: Sitting, motion_key: str) -> float:
    low, high = SUPPORT[motion_key]
    return sitting.rng.uniform(low, high)


# --- before the meeting opens ------------------------------------------------------------------


async def already_played() -> str | None:
    """Why the meeting cannot be played (again), or None when it waits, convened and untouched."""
    async with reading():
        meeting = await Meeting.select(Meeting.id, Meeting.status).where(Meeting.slug == SLUG).first()
        if meeting is None:
            return f"There is no meeting {SLUG}: load the demo first."
        polls_held = await Poll.count().where(Poll.meeting == meeting["id"])
        arrivals = await Presence.count().where(Presence.meeting == meeting["id"])
        proxies = await Proxy.count().where(Proxy.meeting == meeting["id"])
        motions = await Motion.count().where(Motion.meeting == meeting["id"])
    if meeting["status"] == "closed":
        return f"The meeting {SLUG} is closed ({polls_held} polls): it has already been played. Nothing done."
    if meeting["status"] != "convened" or polls_held or arrivals or proxies or motions:
        return (
            f"The meeting {SLUG} is under way ({meeting['status']}: {arrivals} arrivals, {motions} motions, "
            f"{polls_held} polls): it is not played over it. Nothing done."
        )
    return None


async def arrive(sitting: Sitting, member: str) -> attendance.QuorumResult:
    """The member's representative checks in on their tablet (or at the desk when self check-in is off)."""
    context, principal = await acting(sitting, email_of(member))
    if not context.meeting["self_check_in"]:
        context, principal = await acting(sitting, SECRETARIAT)
    quorum = await attendance.check_in(context, principal, member)
    sitting.in_the_room.append(member)
    sitting.report.arrivals.append(sitting.names[member])
    return quorum


async def arrivals(sitting: Sitting) -> list[str]:
    """Most members arrive, in some order; a few stay away. Returns the voting members who stay away."""
    context, _desk = await acting(sitting, SECRETARIAT)
    register = await attendance.load_register(context)
    sitting.names = {line.slug: line.name for line in register.lines}
    sitting.voting = {line.slug for line in register.lines if line.votes}
    voters = sorted(sitting.voting)
    without_vote = sorted(set(sitting.names) - sitting.voting)
    stay_away = sitting.rng.sample([m for m in voters if m not in (PRESIDENT, TREASURER, HOST)], ABSENT_VOTERS)
    stay_away += sitting.rng.sample(without_vote, min(1, len(without_vote)))
    coming = [m for m in sorted(sitting.names) if m not in stay_away]
    sitting.rng.shuffle(coming)
    quorum = None
    for member in coming:
        quorum = await arrive(sitting, member)
    sitting.report.absent = [sitting.names[m] for m in stay_away]
    if quorum is not None:
        sitting.report.quorum = f"{quorum.counted} of {quorum.total} voting members, {quorum.required} required"
    return [m for m in stay_away if m in sitting.voting]


async def entrust_proxy(sitting: Sitting, grantor: str, holder: str) -> None:
    """An absent member's signed proxy form reaches the desk: the secretariat records the
    proxy and attaches the form (its SHA-256 goes into the log), the holder accepts it on its
    tablet. Without the form (or the grantor's own confirmation) it would count for nothing."""
    context, desk = await acting(sitting, SECRETARIAT)
    proxy = await attendance.give_proxy(
        context, desk, grantor_slug=grantor, holder_slug=holder, instructions="Vote as you see fit."
    )
    form = (
        f"%PDF-1.4\n% Proxy form (demo): {sitting.names[grantor]} gives its proxy to {sitting.names[holder]}, "
        f"signed by its principal\n%%EOF\n"
    ).encode()
    await attendance.attach_form(context, desk, proxy["id"], f"proxy-{grantor}.pdf", form)
    context, holder_representative = await acting(sitting, email_of(holder))
    await attendance.accept_proxy(context, holder_representative, proxy["id"])
    context, desk = await acting(sitting, SECRETARIAT)
    register = await attendance.load_register(context)
    quorum = register.quorum
    sitting.report.proxy = (
        f"{sitting.names[grantor]} to {sitting.names[holder]} (signed form at the desk, accepted by the holder)"
    )
    sitting.report.quorum = (
        f"{quorum.counted} of {quorum.total} voting members ({quorum.present} present, "
        f"{quorum.represented} represented), {quorum.required} required: {'met' if quorum.met else 'NOT met'}"
    )


async def open_meeting(sitting: Sitting) -> None:
    context, chair = await acting(sitting, email_of(PRESIDENT))
    await meetings.transition(context, "open", actor=chair.person_id)


async def close_meeting(sitting: Sitting) -> None:
    context, chair = await acting(sitting, email_of(PRESIDENT))
    await meetings.transition(context, "closed", actor=chair.person_id, confirmed=True)


# --- the agenda and its motions --------------------------------------------------------------


async def take_up(sitting: Sitting, number: str) -> None:
    context, chair = await acting(sitting, email_of(PRESIDENT))
    await agenda.open_item(context, chair, sitting.items[number])


async def close_item(sitting: Sitting, number: str) -> None:
    context, chair = await acting(sitting, email_of(PRESIDENT))
    await agenda.close_item(context, chair, sitting.items[number])


async def move(sitting: Sitting, mover: str, number: str, text: str, amends: int | None = None) -> Row:
    """A member's representative moves a motion (an amendment when it ``amends`` one)."""
    context, principal = await acting(sitting, email_of(mover))
    french, english, spanish = TEXTS[text]
    return await agenda.propose(
        context,
        principal,
        MotionIn(
            item=sitting.items[number],
            kind="amendment" if amends else "main",
            amends=amends,
            text_fr=french,
            text_en=english,
            text_es=spanish,
        ),
    )


async def second(sitting: Sitting, seconder: str, motion: Row) -> None:
    context, principal = await acting(sitting, email_of(seconder))
    await agenda.second(context, principal, motion["id"])


async def chair_moves(sitting: Sitting, motion: Row, *targets: str) -> None:
    """The chair takes the motion along: to debate, then to the vote."""
    for target in targets:
        context, chair = await acting(sitting, email_of(PRESIDENT))
        await agenda.move(context, chair, motion["id"], target)


async def declare_recusal(sitting: Sitting, member: str, number: str, reason: str) -> None:
    context, principal = await acting(sitting, email_of(member))
    await agenda.declare_recusal(context, principal, sitting.items[number], reason)
    sitting.report.recusals.append(f"{sitting.names[member]} on item {number}: {reason}")


# --- polls -----------------------------------------------------------------------------------


async def open_vote(sitting: Sitting, motion: Row, method: str) -> Row:
    context, chair = await acting(sitting, email_of(PRESIDENT))
    return await polls.open_poll(context, chair, motion["id"], method)


async def close_vote(sitting: Sitting, poll: Row, **counted: Any) -> Row:
    context, chair = await acting(sitting, email_of(PRESIDENT))
    return await polls.close_poll(context, chair, poll["id"], **counted)


async def ballots_in_hand(sitting: Sitting, member: str, poll: Row) -> tuple[MeetingContext, Principal, list[Row]]:
    """The members whose vote this representative casts: its own, and any it holds by proxy."""
    context, principal = await acting(sitting, email_of(member))
    return context, principal, await polls.my_ballots(context, principal, poll["id"])


async def cast_ballots(sitting: Sitting, poll: Row, support: float) -> None:
    """Every voter in the room casts, on their tablet, for each member whose vote they carry."""
    room = list(sitting.in_the_room)
    sitting.rng.shuffle(room)
    for member in room:
        context, principal, ballots = await ballots_in_hand(sitting, member, poll)
        for ballot in ballots:
            if not ballot["voted"]:
                choice = vote(sitting.rng, support)
                token = secrets.token_urlsafe(24)  # the tablet's; never drawn from the seed
                await polls.cast(context, principal, poll["id"], ballot["slug"], choice, token)


async def count_hands(sitting: Sitting, poll: Row, support: float) -> Row:
    """Hands go up (one per vote carried, proxies included); the tellers count them."""
    hands: Counter[str] = Counter()
    for member in sitting.in_the_room:
        _context, _principal, ballots = await ballots_in_hand(sitting, member, poll)
        for ballot in ballots:
            hands[vote(sitting.rng, support)] += ballot["weight"]
    counts = {choice: hands[choice] for choice in polls.CHOICES}
    return await close_vote(sitting, poll, counts=counts, tellers=TELLERS)


async def roll_call(sitting: Sitting, number: str, motion: Row, label: str, support: float) -> Row:
    poll = await open_vote(sitting, motion, "roll_call")
    await cast_ballots(sitting, poll, support)
    return await record(sitting, number, label, await close_vote(sitting, poll))


async def secret_ballot(sitting: Sitting, number: str, motion: Row, label: str, support: float) -> Row:
    poll = await open_vote(sitting, motion, "secret")
    await cast_ballots(sitting, poll, support)
    return await record(sitting, number, label, await close_vote(sitting, poll))


async def show_of_hands(sitting: Sitting, number: str, motion: Row, label: str, support: float) -> Row:
    poll = await open_vote(sitting, motion, "show_of_hands")
    return await record(sitting, number, label, await count_hands(sitting, poll, support))


async def unanimous_consent(sitting: Sitting, number: str, motion: Row, label: str, support: float) -> Row:
    """The chair asks for objections; if one is heard, the chair takes a show of hands instead."""
    poll = await open_vote(sitting, motion, "unanimous_consent")
    if sitting.rng.random() < OBJECTION_CHANCE:
        objector = sitting.rng.choice(sitting.floor())
        context, principal = await acting(sitting, email_of(objector))
        await record(sitting, number, label, await polls.object_to_consent(context, principal, poll["id"], objector))
        return await show_of_hands(sitting, number, motion, label, support)
    return await record(sitting, number, label, await close_vote(sitting, poll))


async def record(sitting: Sitting, number: str, label: str, poll: Row) -> Row:
    """Note a closed poll in the report, with the decision number it gave its motion."""
    context, _desk = await acting(sitting, SECRETARIAT)
    motion = await agenda.get_motion(context, poll["motion"])
    async with reading():
        by_proxy = await PollElector.count().where(
            (PollElector.poll == poll["id"]) & PollElector.proxy_holder.is_not_null()
        )
    sitting.report.polls.append(
        PollResult(
            item=number,
            motion=label,
            method=poll["method"],
            round=poll["round"],
            electorate=poll["electorate_size"],
            by_proxy=by_proxy,
            yes=poll["yes"],
            no=poll["no"],
            abstain=poll["abstain"],
            outcome=poll["outcome"],
            arithmetic=poll["arithmetic"],
            decision=motion["decision_number"] if poll["outcome"] != "objection" else None,
        )
    )
    return poll


# --- the items ---------------------------------------------------------------------------------


async def from_the_floor(
    sitting: Sitting, number: str, key: str, poll: Callable[..., Awaitable[Any]], title: str
) -> None:
    """An item decided on a motion moved and seconded from the floor, then put to ``poll``."""
    await take_up(sitting, number)
    mover, seconder = sitting.rng.sample(sitting.floor(), 2)
    motion = await move(sitting, mover, number, key)
    await second(sitting, seconder, motion)
    await chair_moves(sitting, motion, "debate", "voting")
    await poll(sitting, number, motion, title, warmth(sitting, key))
    await close_item(sitting, number)


async def adopt_the_agenda(sitting: Sitting) -> None:
    """Item 1: moved and seconded from the floor, adopted by roll call."""
    await from_the_floor(sitting, "1", "agenda", roll_call, "Adoption of the agenda")


async def approve_the_minutes(sitting: Sitting) -> None:
    """Item 2: by unanimous consent (a show of hands if someone objects)."""
    await from_the_floor(sitting, "2", "minutes", unanimous_consent, "Minutes of the previous meeting")


async def hear(sitting: Sitting, number: str) -> None:
    """An item for information or discussion: taken up, then closed."""
    await take_up(sitting, number)
    await close_item(sitting, number)


async def vote_the_budget(sitting: Sitting) -> None:
    """Item 4: the Treasurer moves, the host steps aside, an amendment is voted first (roll
    call), then the budget itself by secret ballot."""
    await take_up(sitting, "4")
    budget = await move(sitting, TREASURER, "4", "budget")
    await second(sitting, sitting.rng.choice(sitting.floor(TREASURER, HOST)), budget)
    await chair_moves(sitting, budget, "debate")
    await speaks(sitting, TREASURER)
    await declare_recusal(sitting, HOST, "4", RECUSAL_REASON)
    amender, seconder = sitting.rng.sample(sitting.floor(TREASURER, HOST), 2)
    amendment = await move(sitting, amender, "4", "budget-amendment", amends=budget["id"])
    await second(sitting, seconder, amendment)
    await chair_moves(sitting, amendment, "debate", "voting")
    support = warmth(sitting, "budget-amendment")
    await roll_call(sitting, "4", amendment, "Budget 2013: amendment (EUR 3,000,000)", support)
    await chair_moves(sitting, budget, "voting")
    await secret_ballot(sitting, "4", budget, "Budget 2013", warmth(sitting, "budget"))
    await close_item(sitting, "4")


async def speaks(sitting: Sitting, member: str) -> None:
    """A member asks for the floor; the chair gives it, then ends it (the minutes list speakers)."""
    from governance.agenda import speakers

    context, speaker = await acting(sitting, email_of(member))
    request = await speakers.request_floor(context, speaker)
    chair_context, chair = await acting(sitting, email_of(PRESIDENT))
    await speakers.give_floor(chair_context, chair, request["id"])
    await speakers.end_floor(chair_context, chair, request["id"])


async def admit_new_members(sitting: Sitting) -> None:
    """Item 5: by secret ballot, with the two-thirds majority of the statutes."""
    await from_the_floor(sitting, "5", "admission", secret_ballot, "Admission of new members")


async def fix_the_next_meeting(sitting: Sitting) -> None:
    """Item 7: by show of hands, counted by the tellers."""
    await from_the_floor(sitting, "7", "next-meeting", show_of_hands, "Next meeting of the Board")


async def list_decisions(sitting: Sitting) -> None:
    context, _desk = await acting(sitting, SECRETARIAT)
    numbers = {item_id: number for number, item_id in sitting.items.items()}
    for motion in await agenda.list_motions(context):
        if motion["decision_number"]:
            text = agenda.text_in(motion, "en")
            sitting.report.decisions.append(f"{motion['decision_number']} (item {numbers[motion['item']]}): {text}")


# --- the sitting -----------------------------------------------------------------------------


async def play(seed: int = DEFAULT_SEED, *, with_minutes: bool = True) -> Simulation:
    """Play the Board meeting from the first arrival to the last closed poll, in one transaction.

    A meeting already played or under way is left as it is (``played`` stays False and
    ``message`` says why)."""
    started = time.perf_counter()
    report = Simulation(seed=seed)
    async with writing():
        reason = await already_played()
        if reason is not None:
            report.message = reason
            return report
        sitting = Sitting(rng=random.Random(seed), report=report)
        meeting = await Meeting.select(Meeting.starts_at).where(Meeting.slug == SLUG).first()
        if meeting is None:  # already_played() has just found it, in this transaction
            raise LookupError(f"no meeting {SLUG}")
        # The record reads like the 2012 meeting: arrivals from ten minutes before the opening
        # time, each action a little later than the one before.
        with clock.replaying(meeting["starts_at"] - dt.timedelta(minutes=10), step=dt.timedelta(seconds=20)):
            await sit(sitting)
            if with_minutes:
                await take_the_minutes(sitting)
    report.played = True
    report.seconds = time.perf_counter() - started
    report.message = f"Played {SLUG} with seed {seed} in {report.seconds:.1f} s."
    return report


async def sit(sitting: Sitting) -> None:
    context, _desk = await acting(sitting, SECRETARIAT)
    sitting.items = {item["number"]: item["id"] for item in await agenda.list_items(context)}
    away = await arrivals(sitting)
    holder = sitting.rng.choice(sitting.floor(HOST))
    await entrust_proxy(sitting, away[0], holder)
    await open_meeting(sitting)
    await adopt_the_agenda(sitting)
    await approve_the_minutes(sitting)
    await hear(sitting, "3")
    await vote_the_budget(sitting)
    await admit_new_members(sitting)
    await hear(sitting, "6")
    await fix_the_next_meeting(sitting)
    await hear(sitting, "8")
    await close_meeting(sitting)
    await list_decisions(sitting)


# The demo signatories' passphrases (printed by `governance demo --simulate`; demo only).
SIGNING_PASSPHRASES = {PRESIDENT: "paris-signs-2012", "secretariat": "secretariat-signs-2012"}


async def take_the_minutes(sitting: Sitting) -> None:
    """Draft the minutes from the record, add a narrative, circulate, approve, have the
    President and the Secretary General sign (their demo passphrases), publish."""
    from governance.minutes import services as minutes

    context, secretary = await acting(sitting, SECRETARIAT)
    chair_context, president = await acting(sitting, email_of(PRESIDENT))
    first = await minutes.draft(context, secretary)
    edited = await minutes.edit(
        context, secretary, first["version"],
        {"4": "The Treasurer presented the 2013 budget; the Board debated the amendment before voting (demo)."},
    )  # fmt: skip
    version = edited["version"]
    await minutes.circulate(context, secretary, version)
    await minutes.approve(chair_context, president, version, None)
    await minutes.set_passphrase(president, SIGNING_PASSPHRASES[PRESIDENT], "metropolis")
    await minutes.set_passphrase(secretary, SIGNING_PASSPHRASES["secretariat"], "metropolis")
    await minutes.sign(chair_context, president, version, SIGNING_PASSPHRASES[PRESIDENT], "president")
    await minutes.sign(context, secretary, version, SIGNING_PASSPHRASES["secretariat"], "secretary_general")
    published = await minutes.publish(context, secretary, version)
    sitting.report.minutes = [
        f"Minutes version {version}: drafted from the record, circulated, approved by the chair, "
        f"signed by the President and the Secretary General, {published['status']} "
        f"(content {published['content_hash'][:16]}..., signed PDF {len(published['pdf'] or b'') // 1024} KiB).",
        f"Demo signing passphrases: {president.email} '{SIGNING_PASSPHRASES[PRESIDENT]}', "
        f"{secretary.email} '{SIGNING_PASSPHRASES['secretariat']}'.",
    ]
