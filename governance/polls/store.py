"""The polls context's store: the only module that reads and writes the poll tables.

Each function is one statement (or one read of a few), so the services' use cases keep the
query counts that ``tests/test_query_counts.py`` pins down. Casting is the hot path of a
vote burst: four statements (the poll, locked FOR SHARE on PostgreSQL; the elector with its
member; participation; the ballot). On PostgreSQL closing locks the poll FOR UPDATE (it waits
for casts in flight; later casts see the poll closed); SQLite serialises writers itself.
"""

from __future__ import annotations

import hashlib
from typing import Any

from governance import db
from governance.errors import Conflict
from governance.i18n import gettext as _
from governance.organisations.tables import MajorityRule, Member
from governance.polls import rules, sealing
from governance.polls.model import Electorate
from governance.polls.tables import (
    Candidate,
    Participation,
    Poll,
    PollElector,
    RollCallVote,
    SealedBallot,
    SecretBallot,
)
from governance.record import canonical
from governance.settings import get_settings

Row = dict[str, Any]


def token_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _receipt_key() -> bytes:
    return hashlib.sha256(b"receipt:" + get_settings().secret_key.encode()).digest()


def nonce_for(poll_id: int, token: str) -> str:
    """The ballot's nonce, derived from the token only the voter's tablet holds, so a retried
    submission gets the same receipt back and the server stores nothing that links them."""
    return canonical.nonce_for(_receipt_key(), poll_id, token)


# --- polls ----------------------------------------------------------------------------------


async def lock_poll(poll_id: int, strength: db.LockStrength) -> None:
    await db.take_lock(Poll.select(Poll.id).where(Poll.id == poll_id), strength)


async def poll(meeting_id: int, poll_id: int) -> Row | None:
    return await Poll.select().where((Poll.id == poll_id) & (Poll.meeting == meeting_id)).first()


async def polls(meeting_id: int) -> list[Row]:
    return await Poll.select().where(Poll.meeting == meeting_id).order_by(Poll.id)


async def poll_status(meeting_id: int, poll_id: int) -> Row | None:
    return (
        await Poll.select(Poll.status, Poll.motion).where((Poll.id == poll_id) & (Poll.meeting == meeting_id)).first()
    )


# Only what casting reads of the poll: building a select of all fifty-odd columns costs
# more CPU than running it (measured in a vote burst).
CAST_POLL_COLUMNS = (
    Poll.id, Poll.status, Poll.method, Poll.kind, Poll.options, Poll.seats, Poll.changeable, Poll.closed_at,
    Poll.void_reason,
)  # fmt: skip


async def poll_for_cast(meeting_id: int, poll_id: int) -> Row | None:
    """The poll as casting reads it, locked FOR SHARE on PostgreSQL (casts run side by side;
    a close waits for them)."""
    query = Poll.select(*CAST_POLL_COLUMNS).where((Poll.id == poll_id) & (Poll.meeting == meeting_id))
    return await db.lock(query, "SHARE").first()


async def rounds_of(motion_id: int) -> int:
    return await Poll.count().where(Poll.motion == motion_id)


async def insert_poll(values: Row) -> int:
    """A new poll; a secret one gets its sealing key (governance/polls/sealing.py)."""
    rows = await Poll.insert(Poll(**values)).returning(Poll.id)
    poll_id = int(rows[0]["id"])
    if values.get("method") == "secret":
        sealing.create_key(poll_id)  # written before any ballot can be sealed with it
    return poll_id


async def update_poll(poll_id: int, values: Row) -> None:
    """Write ``values`` (by column name) to the poll."""
    await Poll.update({getattr(Poll, column): value for column, value in values.items()}).where(Poll.id == poll_id)


async def void_open(motion_id: int, at: Any, actor: int | None, reason: str) -> list[int]:
    """Void the motion's open poll, if any (its ballots stay, and never count: secret ones are
    unsealed into rows in receipt order like at a close)."""
    voided = (
        await Poll.update({Poll.status: "void", Poll.voided_at: at, Poll.voided_by: actor, Poll.void_reason: reason})
        .where((Poll.motion == motion_id) & (Poll.status == "open"))
        .returning(Poll.id, Poll.method)
    )
    for row in voided:
        if row["method"] == "secret":
            await unseal_ballots(row["id"])
    return [row["id"] for row in voided]


async def closed_rounds(motion_id: int, exclude: int | None = None) -> list[Row]:
    """The motion's closed (never void) rounds, in order."""
    return await (
        Poll.select()
        .where((Poll.motion == motion_id) & (Poll.status == "closed") & (Poll.id != (exclude or -1)))
        .order_by(Poll.round)
    )


async def majority_rule(rule_set_id: int, decision_type: str) -> Row | None:
    """The rule set's majority for this kind of decision, else its ordinary majority."""
    return (
        await MajorityRule.select()
        .where((MajorityRule.rule_set == rule_set_id) & (MajorityRule.decision_type == decision_type))
        .first()
        or await MajorityRule.select()
        .where((MajorityRule.rule_set == rule_set_id) & (MajorityRule.decision_type == "ordinary"))
        .first()
    )


# --- members and candidates -----------------------------------------------------------------


async def member_names(member_ids: list[int]) -> dict[int, str]:
    rows = await Member.select(Member.id, Member.name).where(Member.id.is_in(member_ids or [-1]))
    return {r["id"]: r["name"] for r in rows}


async def vote_weights(member_ids: list[int]) -> dict[int, int]:
    rows = await Member.select(Member.id, Member.vote_weight).where(Member.id.is_in(member_ids or [-1]))
    return {r["id"]: r["vote_weight"] for r in rows}


async def member_by_slug(organisation_id: int, slug: str) -> Row | None:
    """The member (id, name) of the organisation with this slug."""
    return (
        await Member.select(Member.id, Member.name)
        .where((Member.slug == slug) & (Member.organisation == organisation_id))
        .first()
    )


async def member_slug(member_id: int) -> str | None:
    row = await Member.select(Member.slug).where(Member.id == member_id).first()
    return row["slug"] if row is not None else None


async def candidates(motion_id: int) -> list[Row]:
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


async def nominated(motion_id: int) -> list[int]:
    """The motion's candidates not withdrawn, by name."""
    rows = (
        await Candidate.select(Candidate.member, Candidate.withdrawn_at)
        .where(Candidate.motion == motion_id)
        .order_by(Candidate.member.name)
    )
    return [c["member"] for c in rows if c["withdrawn_at"] is None]


async def candidate(motion_id: int, member_id: int) -> Row | None:
    return await Candidate.select().where((Candidate.motion == motion_id) & (Candidate.member == member_id)).first()


async def candidate_by_slug(motion_id: int, slug: str) -> Row | None:
    return (
        await Candidate.select(Candidate.id, Candidate.member, Candidate.withdrawn_at)
        .where((Candidate.motion == motion_id) & (Candidate.member.slug == slug))
        .first()
    )


async def renominate(candidate_id: int, at: Any) -> None:
    await Candidate.update({Candidate.withdrawn_at: None, Candidate.nominated_at: at}).where(
        Candidate.id == candidate_id
    )


async def insert_candidate(motion_id: int, member_id: int, by: int, at: Any) -> None:
    await Candidate.insert(Candidate(motion=motion_id, member=member_id, nominated_by=by, nominated_at=at))


async def withdraw(candidate_id: int, at: Any) -> None:
    await Candidate.update({Candidate.withdrawn_at: at}).where(Candidate.id == candidate_id)


# --- electorate -----------------------------------------------------------------------------


async def insert_electors(poll_id: int, electorate: Electorate) -> None:
    if electorate.electors:
        await PollElector.insert(
            *(
                PollElector(poll=poll_id, weight=e.weight, member=e.member, voter=e.voter, proxy_holder=e.proxy_holder)
                for e in electorate.electors
            )
        )


async def elector_by_slug(poll_id: int, slug: str) -> Row | None:
    """The elector casting reads, with its member's name (one statement)."""
    return (
        await PollElector.select(
            PollElector.member, PollElector.weight, PollElector.voter, PollElector.member.name.as_alias("name")
        )
        .where((PollElector.poll == poll_id) & (PollElector.member.slug == slug))
        .first()
    )


async def elector(poll_id: int, member_id: int) -> Row | None:
    return await PollElector.select().where((PollElector.poll == poll_id) & (PollElector.member == member_id)).first()


async def electorate_weight(poll_id: int) -> int:
    rows = await PollElector.select(PollElector.weight).where(PollElector.poll == poll_id)
    return sum(r["weight"] for r in rows)


async def elector_weights(poll_id: int) -> list[int]:
    return [r["weight"] for r in await PollElector.select(PollElector.weight).where(PollElector.poll == poll_id)]


async def progress(poll_id: int) -> tuple[int, int]:
    voted = await Participation.count().where(Participation.poll == poll_id)
    size = await PollElector.count().where(PollElector.poll == poll_id)
    return voted, size


async def my_electors(poll_id: int, person_id: int) -> list[Row]:
    """The members whose vote the person casts in this poll, and whether each has voted."""
    electors = await PollElector.select(
        PollElector.member,
        PollElector.member.slug.as_alias("slug"),
        PollElector.member.name.as_alias("name"),
        PollElector.proxy_holder,
        PollElector.weight,
    ).where((PollElector.poll == poll_id) & (PollElector.voter == person_id))
    voted = {
        row["member"]
        for row in await Participation.select(Participation.member).where(
            (Participation.poll == poll_id) & Participation.member.is_in([e["member"] for e in electors] or [-1])
        )
    }
    return [{**e, "voted": e["member"] in voted} for e in electors]


# --- ballots --------------------------------------------------------------------------------


async def participation(poll_id: int, member_id: int) -> Row | None:
    return (
        await Participation.select()
        .where((Participation.poll == poll_id) & (Participation.member == member_id))
        .first()
    )


async def participate(poll_id: int, member_id: int, person_id: int, token: str) -> None:
    await Participation.insert(
        Participation(poll=poll_id, member=member_id, person=person_id, token_hash=token_hash(token))
    )


async def participants(poll_id: int) -> list[str]:
    rows = await Participation.select(Participation.member.slug.as_alias("slug")).where(Participation.poll == poll_id)
    return [row["slug"] for row in rows]


async def insert_ballot(poll: Row, member_id: int, member_slug: str, content: str, weight: int, nonce: str) -> str:
    """Store a ballot with its nonce; its receipt is the SHA-256 of its leaf (docs/record-format.md §5).

    A secret ballot is sealed under the poll's key (governance/polls/sealing.py); a roll-call
    vote is a row of its own."""
    if poll["method"] == "secret":
        try:
            lookup = sealing.lookup(poll["id"], nonce)
            sealed = sealing.seal(poll["id"], content, weight, nonce)
        except sealing.KeyMissing:
            message = _("This server cannot take secret ballots for this vote: its sealing key is missing.")
            raise Conflict(message) from None
        await SealedBallot.insert(SealedBallot(poll=poll["id"], lookup=lookup, sealed=sealed))
        return canonical.receipt_of(canonical.leaf(poll["id"], content, weight, nonce))
    receipt = canonical.receipt_of(canonical.leaf(poll["id"], content, weight, nonce, member=member_slug))
    await RollCallVote.insert(
        RollCallVote(poll=poll["id"], member=member_id, choice=content, weight=weight, nonce=nonce)
    )
    return receipt


async def first_receipt(poll_id: int, nonce: str, content: str | None = None) -> str:
    """The receipt of the ballot a token recorded (a retry's first answer), refused when the retry
    asks for another ``content`` than the ballot recorded: the first choice stands, and the tablet
    must not show a receipt for a choice that was not recorded. The nonce derives from the token,
    so even a secret ballot is found without any link to the member."""
    secret = await _secret_ballot(poll_id, nonce)
    if secret is not None:
        if content is not None and secret["choice"] != content:
            raise Conflict(_("This submission was already recorded with another choice."))
        return canonical.receipt_of(canonical.leaf(poll_id, secret["choice"], secret["weight"], nonce))
    named = (
        await RollCallVote.select(RollCallVote.choice, RollCallVote.weight, RollCallVote.member.slug.as_alias("slug"))
        .where((RollCallVote.poll == poll_id) & (RollCallVote.nonce == nonce))
        .first()
    )
    if named is None:  # changed since: the token no longer names a ballot
        raise Conflict(_("This ballot was changed since; its earlier receipt no longer counts."))
    if content is not None and named["choice"] != content:
        raise Conflict(_("This submission was already recorded with another choice."))
    return canonical.receipt_of(canonical.leaf(poll_id, named["choice"], named["weight"], nonce, member=named["slug"]))


# --- sealed ballots -------------------------------------------------------------------------
#
# An open secret poll's ballots are sealed rows (governance/polls/sealing.py): their order and
# transaction link them to their members, their content to nothing without the poll's key, which
# the database never holds. The close (or a void) unseals them into ``secret_ballot`` in receipt
# order, deletes the sealed rows and, once committed, erases their superseded versions and the key.


async def _sealed_row(poll_id: int, nonce: str) -> Row | None:
    try:
        hashed = sealing.lookup(poll_id, nonce)
    except sealing.KeyMissing:  # closed (the key is gone) or not this host's poll
        return None
    return (
        await SealedBallot.select(SealedBallot.id, SealedBallot.sealed)
        .where((SealedBallot.poll == poll_id) & (SealedBallot.lookup == hashed))
        .first()
    )


async def _secret_ballot(poll_id: int, nonce: str) -> Row | None:
    """The secret ballot with this nonce (choice, weight): sealed while the poll is open, else a row."""
    found = await _sealed_row(poll_id, nonce)
    if found is not None:
        choice, weight, _nonce = sealing.unseal(poll_id, bytes(found["sealed"]))
        return {"choice": choice, "weight": weight, "sealed_id": found["id"]}
    return (
        await SecretBallot.select(SecretBallot.choice, SecretBallot.weight)
        .where((SecretBallot.poll == poll_id) & (SecretBallot.nonce == nonce))
        .first()
    )


async def open_ballots(poll_id: int) -> dict[str, list[Any]]:
    """An open secret poll's ballots, unsealed: nonce -> [choice, weight] (for the close and tests)."""
    rows = await SealedBallot.select(SealedBallot.sealed).where(SealedBallot.poll == poll_id)
    ballots: dict[str, list[Any]] = {}
    for row in rows:
        choice, weight, nonce = sealing.unseal(poll_id, bytes(row["sealed"]))
        ballots[nonce] = [choice, weight]
    return ballots


async def unseal_ballots(poll_id: int) -> int:
    """Write the poll's sealed ballots to ``secret_ballot`` in receipt order and delete them (inside
    the close's or the void's transaction); after the commit, the engine erases their superseded
    versions (``db.forget_superseded``) and the poll's key is deleted. Returns how many there were."""
    try:
        ballots = await open_ballots(poll_id)
    except sealing.KeyMissing:
        if await SealedBallot.exists().where(SealedBallot.poll == poll_id):
            raise Conflict(_("This server cannot count this vote: its sealing key is missing.")) from None
        return 0
    rows = sorted(
        (
            SecretBallot(
                id=canonical.receipt_of(canonical.leaf(poll_id, choice, weight, nonce)),
                poll=poll_id,
                choice=choice,
                weight=weight,
                nonce=nonce,
            )
            for nonce, (choice, weight) in ballots.items()
        ),
        key=lambda row: row.id,
    )
    for start in range(0, len(rows), 500):  # SQLite's limit on bound values per statement
        await SecretBallot.insert(*rows[start : start + 500])
    await SealedBallot.delete().where(SealedBallot.poll == poll_id)

    async def forget() -> None:
        await db.forget_superseded("sealed_ballot")
        sealing.destroy_key(poll_id)

    db.after_commit(forget)
    return len(rows)


async def token_use(poll_id: int, hashed: str) -> Row | None:
    """Who recorded a ballot with this token (its hash), if anyone."""
    return (
        await Participation.select(Participation.person, Participation.member.slug.as_alias("slug"))
        .where((Participation.poll == poll_id) & (Participation.token_hash == hashed))
        .first()
    )


async def remove_secret_ballot(poll_id: int, nonce: str) -> list[Row]:
    """Take the open poll's sealed ballot with this nonce out; [{"weight": ...}], or [] if none."""
    found = await _secret_ballot(poll_id, nonce)
    if found is None or "sealed_id" not in found:
        return []
    await SealedBallot.delete().where(SealedBallot.id == found["sealed_id"])
    return [{"weight": found["weight"]}]


async def remove_named_ballot(poll_id: int, member_id: int) -> None:
    await RollCallVote.delete().where((RollCallVote.poll == poll_id) & (RollCallVote.member == member_id))


async def retoken(participation_id: int, token: str) -> None:
    await Participation.update({Participation.token_hash: token_hash(token)}).where(
        Participation.id == participation_id
    )


async def ballots(poll: Row) -> list[Row]:
    """The ballots' choices and weights, for counting."""
    table = SecretBallot if poll["method"] == "secret" else RollCallVote
    return await table.select(table.choice, table.weight).where(table.poll == poll["id"])


async def chair_vote(poll_id: int, member_id: int) -> str | None:
    vote = (
        await RollCallVote.select(RollCallVote.choice)
        .where((RollCallVote.poll == poll_id) & (RollCallVote.member == member_id))
        .first()
    )
    return vote["choice"] if vote else None


async def leaves(poll: Row) -> list[Row]:
    """Every ballot of a poll with its receipt ("id"), sorted by receipt."""
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


async def elector_weight(poll_id: int, member_id: int) -> int:
    row = (
        await PollElector.select(PollElector.weight)
        .where((PollElector.poll == poll_id) & (PollElector.member == member_id))
        .first()
    )
    if row is None:
        raise LookupError(f"member {member_id} is no elector of poll {poll_id}")
    return int(row["weight"])


# The electorate is frozen, and its hash commits to the weights: the answer for a given
# (poll, electorate hash) never changes, and every page render of an open poll asks.
_UNIQUE_WEIGHTS: dict[tuple[int, str], list[int]] = {}


async def unique_weights(poll: Row) -> list[int]:
    """Weights held by one elector only, where weights differ at all (cached per electorate)."""
    key = (poll["id"], poll["electorate_hash"])
    if key not in _UNIQUE_WEIGHTS:
        async with db.reading():
            _UNIQUE_WEIGHTS[key] = rules.unique_weights(await elector_weights(poll["id"]))
    return _UNIQUE_WEIGHTS[key]
