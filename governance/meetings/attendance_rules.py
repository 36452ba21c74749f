"""Attendance's rules: pure decisions over plain values (no table, no request, no page).

* **The register**: each seated member's state (present, remote, represented, excused,
  absent), who votes (rule 2), which proxies count (rule 3) and the quorum (rule 4), from the
  rows the store read (:func:`tally`).
* **The item's quorum**: recused members leave the quorum of their item, unless the statutes
  keep them (:func:`item_quorum`).
* **The electorate's inputs**: who is entitled on an item and who casts for whom; a member
  whose proxy holder is recused has nobody to cast for it (:func:`who_casts`).
* **Proxies**: what a live proxy still lacks before it counts, and the consent steps
  (accept, accept in the room, confirm, validate, revoke): who may take each, and when
  (:func:`step_refusal`).
* **Check-in**: who represents a member by default, when a substitute may not replace,
  when remote attendance is closed, when an arrival may be undone, and the time given.

A refusal is a closed code (an enum); the use cases (``governance.meetings.attendance``) put
it into words and raise it as the matching domain error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from governance.meetings.attendance_model import (
    MemberLine,
    MemberState,
    Missing,
    PresenceMode,
    ProxyScope,
    ProxyStep,
    QuorumTrigger,
)
from governance.meetings.quorum import (
    ProxyState,
    QuorumResult,
    QuorumRule,
    compute_quorum,
    counting_proxies,
    voting_right,
)

Row = Mapping[str, Any]

IN_SESSION = ("open", "suspended")
REGISTER_OPEN = ("convened", "open", "suspended")
# Clocks on tablets drift: an arrival "in the future" by less than this is now.
CLOCK_SKEW = dt.timedelta(minutes=2)
# A mistaken arrival can be taken back for this long (then only a departure can end the stay).
UNDO_WINDOW = dt.timedelta(minutes=1)
# Who checks in for a member by default, and first on the desk's list.
MANDATE_ORDER = {"principal": 0, "delegate": 1, "substitute": 2}


def register_open(status: str) -> bool:
    """The attendance register is open from convening until the meeting closes."""
    return status in REGISTER_OPEN


def in_session(status: str) -> bool:
    return status in IN_SESSION


# --- time ----------------------------------------------------------------------------------


class TimeRefusal(StrEnum):
    naive = "naive"  # a time without its time zone
    future = "future"  # later than now, beyond the clocks' drift


def time_refusal(at: dt.datetime, now: dt.datetime) -> TimeRefusal | None:
    """Why a time given for an arrival or a departure cannot be taken, if it cannot."""
    if at.tzinfo is None:
        return TimeRefusal.naive
    if at - now > CLOCK_SKEW:
        return TimeRefusal.future
    return None


# --- proxies -------------------------------------------------------------------------------


def grantor_agreed(proxy: Row) -> bool:
    """The grantor's consent is on record: its signed proxy form, or its own confirmation."""
    return bool(proxy.get("form_sha256")) or proxy.get("grantor_confirmed_at") is not None


def proxy_missing(proxy: Row) -> list[Missing]:
    """What a live proxy still lacks before it can count (attendance aside); [] once complete."""
    if proxy["revoked_at"] is not None:
        return []
    missing = []
    if not grantor_agreed(proxy):
        missing.append(Missing.grantor)
    if proxy["accepted_at"] is None:
        missing.append(Missing.holder)
    if proxy["validated_at"] is None:
        missing.append(Missing.validation)
    return missing


def proxy_state(proxy: Row) -> ProxyState:
    """A proxy row as the quorum's rules read it."""
    return ProxyState(
        grantor=proxy["grantor"],
        holder=proxy["holder"],
        accepted=proxy["accepted_at"] is not None,
        validated=proxy["validated_at"] is not None,
        revoked=proxy["revoked_at"] is not None,
        grantor_agreed=grantor_agreed(proxy),
        whole_meeting=proxy["scope"] == ProxyScope.meeting,
    )


@dataclass(frozen=True)
class Actor:
    """Who takes a proxy step: the secretariat, and whether it represents either member."""

    secretary: bool
    for_grantor: bool
    for_holder: bool


class StepRefusal(StrEnum):
    # Not this actor's step (forbidden).
    holder_accepts = "holder_accepts"
    secretary_records_in_room = "secretary_records_in_room"
    grantor_confirms = "grantor_confirms"
    secretary_validates = "secretary_validates"
    grantor_or_secretary_revokes = "grantor_or_secretary_revokes"
    # Already taken (a conflict).
    already_accepted = "already_accepted"
    already_confirmed = "already_confirmed"
    already_validated = "already_validated"

    @property
    def forbidden(self) -> bool:
        return not self.value.startswith("already_")


# The column each step stamps (``<stamp>_at``, ``<stamp>_by``), that must still be empty
# when the row is written (no race with a twin step); revoking stamps ``revoked``.
STEP_STAMP: dict[ProxyStep, str] = {
    ProxyStep.accept: "accepted",
    ProxyStep.accept_in_room: "accepted",
    ProxyStep.confirm: "grantor_confirmed",
    ProxyStep.validate: "validated",
    ProxyStep.revoke: "revoked",
}
STEP_TRIGGER: dict[ProxyStep, QuorumTrigger] = {
    ProxyStep.accept: QuorumTrigger.proxy_accepted,
    ProxyStep.accept_in_room: QuorumTrigger.proxy_accepted_in_room,
    ProxyStep.confirm: QuorumTrigger.proxy_confirmed,
    ProxyStep.validate: QuorumTrigger.proxy_validated,
    ProxyStep.revoke: QuorumTrigger.proxy_revoked,
}


def step_refusal(step: ProxyStep, proxy: Row, actor: Actor) -> StepRefusal | None:
    """Why ``actor`` may not take ``step`` on a live (unrevoked) proxy now, if it may not.

    The holder accepts itself; the secretariat records an acceptance in the room, as a
    separate, explicit step, never by pressing the holder's button. The grantor's own word
    (its confirmation) comes from its account: the secretariat cannot give it."""
    match step:
        case ProxyStep.accept:
            if not actor.for_holder:
                return StepRefusal.holder_accepts
        case ProxyStep.accept_in_room:
            if not actor.secretary:
                return StepRefusal.secretary_records_in_room
        case ProxyStep.confirm:
            if not actor.for_grantor:
                return StepRefusal.grantor_confirms
            if proxy["grantor_confirmed_at"] is not None:
                return StepRefusal.already_confirmed
        case ProxyStep.validate:
            if not actor.secretary:
                return StepRefusal.secretary_validates
            if proxy["validated_at"] is not None:
                return StepRefusal.already_validated
        case ProxyStep.revoke:
            if not (actor.secretary or actor.for_grantor):
                return StepRefusal.grantor_or_secretary_revokes
    if step in (ProxyStep.accept, ProxyStep.accept_in_room) and proxy["accepted_at"] is not None:
        return StepRefusal.already_accepted
    return None


# --- check-in ------------------------------------------------------------------------------


def default_representative(mandates: Sequence[Row]) -> int | None:
    """The person who checks in for a member when none is named: its principal first."""
    if not mandates:
        return None
    person: int = min(mandates, key=lambda m: MANDATE_ORDER[m["role"]])["person"]
    return person


def substitute_blocked(arriving_role: str, current_role: str) -> bool:
    """A substitute may only replace an absent delegate, not one checked in."""
    return arriving_role == "substitute" and current_role in ("principal", "delegate")


class RemoteRefusal(StrEnum):
    statutes = "statutes"  # the statutes do not allow remote participation
    in_person = "in_person"  # they do, and this meeting was convened in person


def remote_refusal(mode: str, *, remote_allowed: bool, meeting_mode: str) -> RemoteRefusal | None:
    """Why a member may not attend remotely here, if it asks to and may not."""
    if mode != PresenceMode.remote:
        return None
    if not remote_allowed:
        return RemoteRefusal.statutes
    if meeting_mode == "in_person":
        return RemoteRefusal.in_person
    return None


class UndoRefusal(StrEnum):
    not_recorder = "not_recorder"  # only the secretariat, or whoever recorded it
    too_late = "too_late"  # past the undo window: record a departure
    vote_since = "vote_since"  # a vote opened since, on an electorate that counted the member


def undo_refusal(
    now: dt.datetime, arrived_at: dt.datetime, *, secretary: bool, recorded_it: bool, vote_since: bool
) -> UndoRefusal | None:
    """Why an arrival may not be undone (the stay deleted as if it never happened), if not."""
    if not secretary and not recorded_it:
        return UndoRefusal.not_recorder
    if now - arrived_at > UNDO_WINDOW:
        return UndoRefusal.too_late
    if vote_since:
        return UndoRefusal.vote_since
    return None


# --- the register ----------------------------------------------------------------------------


def member_state(
    member: int, attending: Mapping[int, str], counted: Collection[int], excused: Collection[int]
) -> MemberState:
    """A member's state in the register: its own attendance first, then a proxy that counts."""
    mode = attending.get(member)
    if mode is not None:
        return MemberState(mode)
    if member in counted:
        return MemberState.represented
    if member in excused:
        return MemberState.excused
    return MemberState.absent


@dataclass(frozen=True)
class Tally:
    """The register computed from its rows: its lines in seat order and the quorum now."""

    lines: list[MemberLine]
    quorum: QuorumResult
    names: dict[int, str]
    voters: set[int]
    attending: dict[int, str]  # member -> "present" | "remote"
    representatives: dict[int, int]  # member -> the person checked in for it
    represented_by: dict[int, int]  # grantor -> holder, for the proxies that count


def tally(
    *,
    seats: Sequence[Row],
    fees: Mapping[int, bool],
    stays: Sequence[Row],
    excused: Collection[int],
    proxies: Sequence[Row],
    rule: QuorumRule,
    voting_categories: Collection[str],
    arrears_remove_vote: bool,
    holder_must_vote: bool,
    year: int,
    articles: Mapping[str, str],
) -> Tally:
    """The register from the seats (in order), the year's fees, the stays (in order), the
    excusals and the proxies: voting rights (rule 2), proxies that count (rule 3), the
    quorum (rule 4) and each member's line."""
    names = {s["id"]: s["name"] for s in seats}
    rights = {
        s["id"]: voting_right(
            category=s["category"],
            voting_categories=voting_categories,
            arrears_remove_vote=arrears_remove_vote,
            fee_paid=fees.get(s["id"]),
            year=year,
        )
        for s in seats
    }
    voters = {member for member, right in rights.items() if right.votes}
    open_stays = {stay["member"]: stay for stay in stays if stay["departed_at"] is None}
    attending: dict[int, str] = {member: stay["mode"] for member, stay in open_stays.items()}
    counted = counting_proxies([proxy_state(p) for p in proxies], attending, voters, holder_must_vote)
    quorum = compute_quorum(rule, seated=set(names), voters=voters, attending=attending, represented=counted.keys())
    live_proxies = {p["grantor"]: p for p in proxies if p["revoked_at"] is None}
    # Per member, in one pass each (not one pass per member: a thousand seats made this
    # loop quadratic, most of a tablet page's time).
    holds: dict[int, list[str]] = {}
    for grantor, holder in counted.items():
        holds.setdefault(holder, []).append(names[grantor])
    holds_pending: dict[int, list[tuple[str, list[Missing]]]] = {}
    for p in live_proxies.values():
        if missing := proxy_missing(p):
            holds_pending.setdefault(p["holder"], []).append((names[p["grantor"]], missing))
    stay_count: dict[int, int] = {}
    for row in stays:
        stay_count[row["member"]] = stay_count.get(row["member"], 0) + 1
    lines = []
    for seat in seats:
        member = seat["id"]
        stay = open_stays.get(member)
        given = live_proxies.get(member)
        lines.append(
            MemberLine(
                id=member,
                slug=seat["slug"],
                name=seat["name"],
                category=seat["category"],
                votes=rights[member].votes,
                no_vote_code=rights[member].reason,
                no_vote_articles=articles,
                state=member_state(member, attending, counted, excused),
                representative=stay["person_name"] if stay else None,
                representative_role=stay["role"] if stay else None,
                since=stay["arrived_at"] if stay else None,
                proxy_to=names.get(given["holder"]) if given else None,
                proxy_counts=member in counted,
                holds=holds.get(member, []),
                stays=stay_count.get(member, 0),
                proxy_missing=proxy_missing(given) if given else [],
                holds_pending=holds_pending.get(member, []),
            )
        )
    return Tally(
        lines=lines,
        quorum=quorum,
        names=names,
        voters=voters,
        attending=attending,
        representatives={member: stay["person"] for member, stay in open_stays.items()},
        represented_by=counted,
    )


# --- an item's quorum and electorate ---------------------------------------------------------


def item_quorum(
    rule: QuorumRule,
    quorum: QuorumResult,
    *,
    seated: Collection[int],
    voters: Collection[int],
    attending: Mapping[int, str],
    represented_by: Mapping[int, int],
    recused: Collection[int],
    recused_count: bool,
) -> QuorumResult:
    """The quorum on an item (``quorum``: the meeting's now): recused members leave it, as
    seated, voting, attending and represented members, unless the statutes keep them."""
    if not recused or recused_count:
        return quorum
    out = set(recused)
    return compute_quorum(
        rule,
        seated=set(seated) - out,
        voters=set(voters) - out,
        attending={m: mode for m, mode in attending.items() if m not in out},
        represented=set(represented_by) - out,
    )


def entitled(voters: Collection[int], recused: Collection[int]) -> set[int]:
    """Who is entitled to vote on an item: the members with a vote, less the recused."""
    return set(voters) - set(recused)


def who_casts(
    member: int, *, attending: Collection[int], represented_by: Mapping[int, int], recused: Collection[int]
) -> int | None:
    """The member whose representative casts ``member``'s vote: itself when it attends, its
    proxy holder when the proxy counts and the holder is not recused (a recused holder
    casts for nobody on the item), else nobody."""
    if member in attending:
        return member
    holder = represented_by.get(member)
    if holder is None or holder in recused:
        return None
    return holder
