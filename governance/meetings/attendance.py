"""Attendance, proxies and the live quorum of a meeting.

Every change (arrival, departure, excusal, proxy given/accepted/validated/revoked,
second convocation) runs in one transaction that also writes a quorum check row, so
the record of the quorum can never disagree with the register. On PostgreSQL the
meeting row is locked for the duration, so concurrent desks take turns (attendance
changes are rare; correctness of the count matters more). After commit, live pages
are told to refresh.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from governance import clock, db
from governance.accounts.tables import Person
from governance.auth import Principal
from governance.db import reading, writing
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.flights import load_once
from governance.i18n import gettext as _
from governance.meetings import live
from governance.meetings.proxy_rules import LiveProxy, proxy_problems
from governance.meetings.quorum import (
    ProxyState,
    QuorumResult,
    compute_quorum,
    counting_proxies,
    rule_for,
    voting_right,
)
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.meetings.tables import Excusal, Meeting, Presence, Proxy, QuorumCheck
from governance.organisations.statutes import Statutes
from governance.organisations.tables import Member, MemberFee, Seat
from governance.record import log
from governance.vocabulary import MandateRole, MemberCategory, label

Row = dict[str, Any]
IN_SESSION = ("open", "suspended")
REGISTER_OPEN = ("convened", "open", "suspended")
# Revocation reasons the system writes (as codes, shown translated by revocation_reason).
GRANTOR_ARRIVED = "grantor_arrived"
REVOKED = "revoked"
# Clocks on tablets drift: an arrival "in the future" by less than this is now.
CLOCK_SKEW = dt.timedelta(minutes=2)
# A mistaken arrival can be taken back for this long (then only a departure can end the stay).
UNDO_WINDOW = dt.timedelta(minutes=1)


@dataclass
class MemberLine:
    id: int
    slug: str
    name: str
    category: str
    votes: bool
    # Why the member may not vote, as a code ("category:observer", "arrears:2012") and the
    # articles to cite: put into words when read, in the reader's language (the register is
    # cached across requests and readers).
    no_vote_code: str | None
    state: str  # present | remote | represented | excused | absent
    representative: str | None = None  # who is checked in for the member
    representative_role: str | None = None
    since: dt.datetime | None = None
    proxy_to: str | None = None  # the member holding its live proxy
    proxy_counts: bool = False
    holds: list[str] = field(default_factory=list)  # members whose proxy it holds (and that count)
    stays: int = 0
    # What the proxy it gave still lacks before it can count (codes, see proxy_missing), and the
    # proxies it holds that lack something: (grantor's name, codes).
    proxy_missing: list[str] = field(default_factory=list)
    holds_pending: list[tuple[str, list[str]]] = field(default_factory=list)
    no_vote_articles: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def no_vote_reason(self) -> str | None:
        return _no_vote_reason(self.no_vote_code, self.no_vote_articles)


@dataclass
class Register:
    context: MeetingContext
    lines: list[MemberLine]
    quorum: QuorumResult
    proxies: list[Row]
    names: dict[int, str]
    voters: set[int]
    attending: dict[int, str]
    last_check: Row | None
    # member -> the person checked in for it; grantor -> holder for proxies that count.
    representatives: dict[int, int] = field(default_factory=dict)
    represented_by: dict[int, int] = field(default_factory=dict)
    # Indexes of ``lines``, built once per load (pages look up a few lines among thousands).
    by_id: dict[int, MemberLine] = field(default_factory=dict, repr=False)
    names_by_slug: dict[str, str] = field(default_factory=dict, repr=False)

    def line(self, slug: str) -> MemberLine:
        for line in self.lines:
            if line.slug == slug:
                return line
        raise NotFound(_("This member has no seat in this meeting's body."))


def _no_vote_reason(code: str | None, articles: Mapping[str, Any]) -> str | None:
    if code is None:
        return None
    kind, _sep, detail = code.partition(":")
    if kind == "category":
        return _("{category}: no vote ({article}).").format(
            category=label(MemberCategory(detail)), article=articles["voting_categories_article"]
        )
    return _("Fee for {year} not paid ({article}).").format(year=detail, article=articles["arrears_article"])


def revocation_reason(reason: str) -> str:
    """A proxy's revocation reason in the reader's language (free text stays as typed)."""
    return {GRANTOR_ARRIVED: _("the grantor arrived"), REVOKED: _("revoked")}.get(reason, reason)


# What a live proxy may still lack before it counts (issue 17, item 6), as codes.
MISSING_GRANTOR = "grantor"  # neither the grantor's signed form nor its own confirmation
MISSING_HOLDER = "holder"  # the holder has not accepted it (itself, or in the room)
MISSING_VALIDATION = "validation"  # the secretariat has not validated it


def grantor_agreed(proxy: Row) -> bool:
    """The grantor's consent is on record: its signed proxy form, or its own confirmation."""
    return bool(proxy.get("form_sha256")) or proxy.get("grantor_confirmed_at") is not None


def proxy_missing(proxy: Row) -> list[str]:
    """What a live proxy still lacks before it can count (attendance aside); [] once complete."""
    if proxy["revoked_at"] is not None:
        return []
    missing = []
    if not grantor_agreed(proxy):
        missing.append(MISSING_GRANTOR)
    if proxy["accepted_at"] is None:
        missing.append(MISSING_HOLDER)
    if proxy["validated_at"] is None:
        missing.append(MISSING_VALIDATION)
    return missing


def missing_sentences(codes: list[str]) -> list[str]:
    """What a proxy lacks, in the reader's language."""
    sentences = {
        MISSING_GRANTOR: _("awaiting the grantor's confirmation or signed proxy form"),
        MISSING_HOLDER: _("awaiting the holder's acceptance"),
        MISSING_VALIDATION: _("awaiting the secretariat's validation"),
    }
    return [sentences[code] for code in codes]


def meeting_year(context: MeetingContext) -> int:
    return context.meeting["starts_at"].astimezone(ZoneInfo(context.meeting["time_zone"])).year


# The register is cached per process, keyed by the meeting's last quorum check: every
# change to the register (arrival, departure, excusal, proxy step, second convocation)
# records a quorum check in the same transaction, in whichever worker makes it, so a
# register loaded for the last check a request sees is the register now. The seats,
# members and fees behind it change in the back office: a write to them in this process
# drops the cache, and an entry lives only as long as the meeting's cached surroundings
# (CONTEXT_SECONDS) so that another worker's change to them is seen as soon as the rest of
# the context. A thousand tablets asking at once after a change make one load, not 1000.
# Never used inside a writing transaction (what it reads there may not be committed).
_REGISTER_TABLES = frozenset(
    table._meta.tablename for table in (Seat, Member, MemberFee, Presence, Excusal, Proxy, QuorumCheck, Meeting)
) | {db.ALL_TABLES, "rule_set"}


@dataclass
class _CachedRegister:
    key: tuple[Any, ...]
    body: Row  # the context's cached rows it was loaded with (compared by identity)
    statutes: Statutes
    register: Register


_registers: dict[int, _CachedRegister] = {}
_register_flights: dict[Any, tuple[int, asyncio.Future[Register]]] = {}
_register_generation = 0


def _forget_registers(table: str) -> None:
    global _register_generation
    if table in _REGISTER_TABLES:
        _register_generation += 1
        _registers.clear()


db.on_write(_forget_registers)


async def load_register(context: MeetingContext) -> Register:
    """The register as it stands: seats, voting rights, stays, excusals, proxies, quorum."""
    statutes = context.statutes
    if statutes is None:
        raise Conflict(_("The meeting is not convened yet: its rules are not fixed."))
    if db.in_writing():
        return await _load_register(context, None, fresh=True)
    meeting_id = context.meeting["id"]
    async with reading():
        last_check = (
            await QuorumCheck.select()
            .where(QuorumCheck.meeting == meeting_id)
            .order_by(QuorumCheck.id, ascending=False)
            .first()
        )
    key = (
        meeting_id,
        last_check["id"] if last_check else None,
        context.meeting["convocation"],
        meeting_year(context),
        id(context.body),
        id(statutes),
    )
    cached = _registers.get(meeting_id)
    if cached is not None and cached.key == key and cached.body is context.body and cached.statutes is statutes:
        return replace(cached.register, context=context)
    generation = _register_generation
    register = await load_once(
        _register_flights, key, generation, lambda: _load_register(context, last_check, fresh=False)
    )
    if generation == _register_generation:  # nothing this process wrote meanwhile
        if len(_registers) > 64:
            _registers.clear()
        _registers[meeting_id] = _CachedRegister(key, context.body, statutes, register)
    # Shared with concurrent readers: the rows are theirs alike, the context is each one's.
    return replace(register, context=context)


async def _load_register(context: MeetingContext, last_check: Row | None, *, fresh: bool) -> Register:
    statutes = context.statutes
    assert statutes is not None
    meeting_id, year = context.meeting["id"], meeting_year(context)
    async with reading():
        seats = (
            await Seat.select(
                Seat.member.id.as_alias("id"),
                Seat.member.slug.as_alias("slug"),
                Seat.member.name.as_alias("name"),
                Seat.member.category.as_alias("category"),
            )
            .where(Seat.body == context.body["id"])
            .order_by(Seat.member.name)
        )
        fees = {
            row["member"]: row["paid"]
            for row in await MemberFee.select(MemberFee.member, MemberFee.paid).where(
                MemberFee.member.is_in([s["id"] for s in seats] or [-1]) & (MemberFee.year == year)
            )
        }
        stays = (
            await Presence.select(
                Presence.member,
                Presence.person,
                Presence.mode,
                Presence.role,
                Presence.arrived_at,
                Presence.departed_at,
                Presence.person.full_name.as_alias("person_name"),
            )
            .where(Presence.meeting == meeting_id)
            .order_by(Presence.id)
        )
        excused = {row["member"] for row in await Excusal.select(Excusal.member).where(Excusal.meeting == meeting_id)}
        proxies = await Proxy.select().where(Proxy.meeting == meeting_id).order_by(Proxy.id)
        if fresh:
            last_check = (
                await QuorumCheck.select()
                .where(QuorumCheck.meeting == meeting_id)
                .order_by(QuorumCheck.id, ascending=False)
                .first()
            )
    names = {s["id"]: s["name"] for s in seats}
    seated = set(names)
    rights = {
        s["id"]: voting_right(
            category=s["category"],
            voting_categories=statutes.voting_categories,
            arrears_remove_vote=statutes.arrears_remove_vote,
            fee_paid=fees.get(s["id"]),
            year=year,
        )
        for s in seats
    }
    voters = {member for member, right in rights.items() if right.votes}
    open_stays = {stay["member"]: stay for stay in stays if stay["departed_at"] is None}
    attending = {member: stay["mode"] for member, stay in open_stays.items()}
    states = [
        ProxyState(
            grantor=p["grantor"],
            holder=p["holder"],
            accepted=p["accepted_at"] is not None,
            validated=p["validated_at"] is not None,
            revoked=p["revoked_at"] is not None,
            grantor_agreed=grantor_agreed(p),
            whole_meeting=p["scope"] == "meeting",
        )
        for p in proxies
    ]
    counted = counting_proxies(states, attending, voters, statutes.proxy_holder_must_be_member)
    quorum = compute_quorum(
        rule_for(statutes, context.meeting["convocation"]),
        seated=seated,
        voters=voters,
        attending=attending,
        represented=counted.keys(),
    )
    live_proxies = {p["grantor"]: p for p in proxies if p["revoked_at"] is None}
    # Per member, in one pass each (not one pass per member: a thousand seats made this
    # loop quadratic, most of a tablet page's time).
    holds: dict[int, list[str]] = {}
    for grantor, holder in counted.items():
        holds.setdefault(holder, []).append(names[grantor])
    holds_pending: dict[int, list[tuple[str, list[str]]]] = {}
    for p in live_proxies.values():
        if missing := proxy_missing(p):
            holds_pending.setdefault(p["holder"], []).append((names[p["grantor"]], missing))
    stay_count: dict[int, int] = {}
    for stay in stays:
        stay_count[stay["member"]] = stay_count.get(stay["member"], 0) + 1
    articles = {
        "voting_categories_article": statutes.voting_categories_article,
        "arrears_article": statutes.arrears_article,
    }
    lines = []
    for seat in seats:
        member = seat["id"]
        stay = open_stays.get(member)
        if stay is not None:
            state = stay["mode"]
        elif member in counted:
            state = "represented"
        elif member in excused:
            state = "excused"
        else:
            state = "absent"
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
                state=state,
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
    return Register(
        context,
        lines,
        quorum,
        proxies,
        names,
        voters,
        attending,
        last_check,
        representatives={member: stay["person"] for member, stay in open_stays.items()},
        represented_by=counted,
        by_id={line.id: line for line in lines},
        names_by_slug={line.slug: line.name for line in lines},
    )


# --- changing the register ------------------------------------------------------------


def _require_register_open(context: MeetingContext) -> None:
    if context.meeting["status"] not in REGISTER_OPEN:
        raise Conflict(_("The attendance register is open only from convening until the meeting closes."))


def _when(at: dt.datetime | None) -> dt.datetime:
    now = clock.now()
    if at is None:
        return now
    if at.tzinfo is None:
        raise Invalid(_("Give the time with its time zone."), fields={"at": _("Give the time with its time zone.")})
    if at - now > CLOCK_SKEW:
        message = _("This time is in the future.")
        raise Invalid(message, fields={"at": message})
    return at.astimezone(dt.UTC)


async def _lock(meeting_id: int) -> None:
    # PostgreSQL: one attendance change per meeting at a time (SQLite writes are
    # already serialised in-process, and it has no row locks).
    if not db.is_sqlite():
        await Meeting.select(Meeting.id).where(Meeting.id == meeting_id).lock_rows()


async def _record_quorum(context: MeetingContext, trigger: str, at: dt.datetime) -> QuorumResult:
    register = await load_register(context)
    q = register.quorum
    await QuorumCheck.insert(
        QuorumCheck(
            meeting=context.meeting["id"],
            at=at,
            trigger=trigger[:300],
            convocation=context.meeting["convocation"],
            present=q.present,
            remote=q.remote,
            represented=q.represented,
            counted=q.counted,
            total=q.total,
            required=q.required,
            met=q.met,
        )
    )
    return q


async def _change(
    context: MeetingContext, trigger: str, at: dt.datetime, action: Any, actor: int, details: Any = None
) -> QuorumResult:
    """Run ``action``, record the quorum after it and log both, atomically; then notify live pages.

    ``details``, if given, is awaited after the action, in the same transaction, for more of
    the log event's payload (a proxy's state: its form's SHA-256, who confirmed, who accepted)."""
    async with writing():
        await _lock(context.meeting["id"])
        await action()
        result = await _record_quorum(context, trigger, at)
        extra = await details() if details is not None else {}
        await log.append(
            context.meeting["id"],
            "attendance",
            actor,
            at,
            change=trigger,
            counted=result.counted,
            required=result.required,
            met=result.met,
            convocation=context.meeting["convocation"],
            **extra,
        )
    live.meeting_changed(context.meeting["id"])
    return result


async def _mandates_for(context: MeetingContext, member_id: int) -> list[Row]:
    return [m for m in context.mandates if m["member"] == member_id and m["office"] != "observer"]


def _is_secretary(context: MeetingContext) -> bool:
    return MeetingRole.secretary in context.roles


async def _member(context: MeetingContext, slug: str) -> Row:
    async with reading():
        row = (
            await Member.select()
            .where((Member.slug == slug) & (Member.organisation == context.organisation["id"]))
            .first()
        )
        seated = row is not None and await Seat.exists().where(
            (Seat.body == context.body["id"]) & (Seat.member == row["id"])
        )
    if not seated:
        message = _("This member has no seat in this meeting's body.")
        raise Invalid(message, fields={"member": message})
    return row


async def check_in(
    context: MeetingContext,
    principal: Principal,
    member_slug: str,
    *,
    person_id: int | None = None,
    mode: str = "present",
    at: dt.datetime | None = None,
) -> QuorumResult:
    """Register an arrival: the member is represented by one of its mandate holders."""
    _require_register_open(context)
    when = _when(at)
    member = await _member(context, member_slug)
    mandates = await _mandates_for(context, member["id"])
    if not _is_secretary(context) and (
        not context.meeting["self_check_in"] or person_id not in (None, principal.person_id)
    ):
        raise Forbidden(_("Only the secretariat registers arrivals at this meeting."))
    if person_id is None:
        order = {"principal": 0, "delegate": 1, "substitute": 2}
        if not _is_secretary(context):
            person_id = principal.person_id
        elif mandates:
            person_id = min(mandates, key=lambda m: order[m["role"]])["person"]
    mandate = next((m for m in mandates if m["person"] == person_id), None)
    if mandate is None:
        message = _("This person does not represent {member} in this body.").format(member=member["name"])
        raise Invalid(message, fields={"person": message})
    statutes = context.statutes
    if mode == "remote" and not (statutes and statutes.remote_allowed and context.meeting["mode"] != "in_person"):
        # The real reason: the statutes exclude it, or they allow it and this meeting was
        # convened in person (its mode, fixed by the convocation, says who may join remotely).
        article = statutes.remote_article if statutes else ""
        if not (statutes and statutes.remote_allowed):
            message = _("The statutes do not allow remote participation ({article}).").format(article=article)
        else:
            message = _("This meeting is held in person: remote participation is not open ({article}).").format(
                article=article
            )
        raise Invalid(message, fields={"mode": message})
    if mode not in ("present", "remote"):
        raise Invalid(_("Choose present or remote."), fields={"mode": _("Choose present or remote.")})

    async def arrive() -> None:
        stays = (
            await Presence.select()
            .where((Presence.meeting == context.meeting["id"]) & (Presence.member == member["id"]))
            .order_by(Presence.id)
        )
        current = next((s for s in stays if s["departed_at"] is None), None)
        if current is not None:
            who = next((m["person_name"] for m in context.mandates if m["person"] == current["person"]), "")
            if mandate["role"] == "substitute" and current["role"] in ("principal", "delegate"):
                raise Conflict(
                    _(
                        "{member} is represented by {who} ({role}): a substitute may only replace an absent delegate."
                    ).format(member=member["name"], who=who, role=label(MandateRole(current["role"])))
                )
            raise Conflict(
                _("{member} is already checked in (represented by {who}).").format(member=member["name"], who=who)
            )
        if stays and stays[-1]["departed_at"] is not None and when < stays[-1]["departed_at"]:
            message = _("{member} left at {time}: a return cannot come before that.").format(
                member=member["name"], time=stays[-1]["departed_at"].strftime("%H:%M")
            )
            raise Invalid(message, fields={"at": message})
        elsewhere = await Presence.exists().where(
            (Presence.meeting == context.meeting["id"])
            & (Presence.person == person_id)
            & Presence.departed_at.is_null()
        )
        if elsewhere:
            raise Conflict(_("This person is already checked in for another member."))
        await Presence.insert(
            Presence(
                meeting=context.meeting["id"],
                member=member["id"],
                person=person_id,
                role=mandate["role"],
                mode=mode,
                arrived_at=when,
                recorded_by=principal.person_id,
            )
        )
        # Rule 3: a grantor who arrives takes its vote back.
        await Proxy.update(
            {Proxy.revoked_at: when, Proxy.revoked_by: principal.person_id, Proxy.revoked_reason: GRANTOR_ARRIVED}
        ).where((Proxy.meeting == context.meeting["id"]) & (Proxy.grantor == member["id"]) & Proxy.revoked_at.is_null())
        await Excusal.delete().where((Excusal.meeting == context.meeting["id"]) & (Excusal.member == member["id"]))

    return await _change(context, f"arrival:{member['slug']}", when, arrive, principal.person_id)


async def undo_arrival(context: MeetingContext, principal: Principal, member_slug: str) -> QuorumResult:
    """Take back an arrival recorded by mistake, within a minute: the stay never happened.

    Not a departure: the stay is deleted, the proxies the arrival revoked (rule 3) are live
    again, and the log and the quorum record say ``arrival-undone``. Later, or once a vote
    has opened on an electorate that counted the member, only a departure can be recorded.
    """
    _require_register_open(context)
    member = await _member(context, member_slug)
    now = clock.now()

    async def undo() -> None:
        stay = await _open_stay(context, member)
        if not _is_secretary(context) and stay["recorded_by"] != principal.person_id:
            raise Forbidden(_("Only the secretariat, or whoever recorded it, can undo this arrival."))
        if now - stay["arrived_at"] > UNDO_WINDOW:
            raise Conflict(
                _(
                    "The arrival of {member} was recorded at {time}: it can be undone only within a minute. "
                    "Record a departure instead."
                ).format(member=member["name"], time=stay["arrived_at"].strftime("%H:%M:%S"))
            )
        vote_since = await QuorumCheck.exists().where(
            (QuorumCheck.meeting == context.meeting["id"])
            & QuorumCheck.trigger.like("poll%")
            & (QuorumCheck.at >= stay["arrived_at"])
        )
        if vote_since:
            raise Conflict(_("A vote opened since this arrival: record a departure instead."))
        await Presence.delete().where(Presence.id == stay["id"])
        await Proxy.update({Proxy.revoked_at: None, Proxy.revoked_by: None, Proxy.revoked_reason: ""}).where(
            (Proxy.meeting == context.meeting["id"])
            & (Proxy.grantor == member["id"])
            & (Proxy.revoked_reason == GRANTOR_ARRIVED)
            & (Proxy.revoked_at == stay["arrived_at"])
        )

    return await _change(context, f"arrival-undone:{member['slug']}", now, undo, principal.person_id)


async def _open_stay(context: MeetingContext, member: Row) -> Row:
    """The member's stay in the meeting that has no departure yet, or a refusal saying so."""
    stay = (
        await Presence.select()
        .where(
            (Presence.meeting == context.meeting["id"])
            & (Presence.member == member["id"])
            & Presence.departed_at.is_null()
        )
        .first()
    )
    if stay is None:
        raise Conflict(_("{member} is not checked in.").format(member=member["name"]))
    return stay


async def depart(
    context: MeetingContext, principal: Principal, member_slug: str, *, at: dt.datetime | None = None
) -> QuorumResult:
    """Register a departure: the open stay ends (a return will open a new one)."""
    _require_register_open(context)
    when = _when(at)
    member = await _member(context, member_slug)

    async def leave() -> None:
        stay = await _open_stay(context, member)
        if not _is_secretary(context) and stay["person"] != principal.person_id:
            raise Forbidden(_("Only the secretariat, or the person checked in, can record this departure."))
        if when < stay["arrived_at"]:
            message = _("{member} arrived at {time}: a departure cannot come before the arrival.").format(
                member=member["name"], time=stay["arrived_at"].strftime("%H:%M")
            )
            raise Invalid(message, fields={"at": message})
        await Presence.update({Presence.departed_at: when}).where(Presence.id == stay["id"])

    return await _change(context, f"departure:{member['slug']}", when, leave, principal.person_id)


async def excuse(context: MeetingContext, principal: Principal, member_slug: str, reason: str) -> QuorumResult:
    _require_register_open(context)
    if not _is_secretary(context):
        raise Forbidden(_("Only the secretariat records apologies."))
    member = await _member(context, member_slug)
    when = _when(None)

    async def record() -> None:
        if await Presence.exists().where(
            (Presence.meeting == context.meeting["id"])
            & (Presence.member == member["id"])
            & Presence.departed_at.is_null()
        ):
            raise Conflict(_("{member} is present: it cannot be excused.").format(member=member["name"]))
        await Excusal.delete().where((Excusal.meeting == context.meeting["id"]) & (Excusal.member == member["id"]))
        await Excusal.insert(
            Excusal(
                meeting=context.meeting["id"],
                member=member["id"],
                reason=reason[:300],
                recorded_at=when,
                recorded_by=principal.person_id,
            )
        )

    return await _change(context, f"excusal:{member['slug']}", when, record, principal.person_id)


# --- proxies ------------------------------------------------------------------------------


def _represents(context: MeetingContext, principal: Principal, member_id: int) -> bool:
    return any(
        m["person"] == principal.person_id and m["member"] == member_id and m["office"] != "observer"
        for m in context.mandates
    )


async def give_proxy(
    context: MeetingContext,
    principal: Principal,
    *,
    grantor_slug: str,
    holder_slug: str,
    scope: str = "meeting",
    items: str = "",
    instructions: str = "",
) -> Row:
    """A member entrusts its vote to another member (recorded by the grantor or the secretariat).

    Given by the grantor's own representative, the proxy carries the grantor's consent. Recorded
    by the secretariat, it waits for the grantor's signed form (``attach_form``) or the
    grantor's own confirmation (``confirm_proxy``); either way the holder still accepts it
    (``accept_proxy``, or ``accept_in_room`` recorded by the secretariat). Until then it
    counts for nothing."""
    _require_register_open(context)
    grantor, holder = await _member(context, grantor_slug), await _member(context, holder_slug)
    by_grantor = _represents(context, principal, grantor["id"])
    if not (_is_secretary(context) or by_grantor):
        raise Forbidden(_("Only the member's own representative, or the secretariat, can give its proxy."))
    if scope == "items" and not items.strip():
        message = _("List the agenda items the proxy covers.")
        raise Invalid(message, fields={"items": message})
    when = _when(None)
    created: dict[str, Any] = {}

    async def give() -> None:
        register = await load_register(context)
        live_proxies = [LiveProxy(p["grantor"], p["holder"]) for p in register.proxies if p["revoked_at"] is None]
        problems = proxy_problems(
            grantor=grantor["id"],
            holder=holder["id"],
            names=register.names,
            statutes=context.statutes,
            live=live_proxies,
            voters=register.voters,
            attending=set(register.attending),
            in_session=context.meeting["status"] in IN_SESSION,
        )
        if problems:
            raise Invalid(next(iter(problems.values())), fields=problems)
        rows = await Proxy.insert(
            Proxy(
                meeting=context.meeting["id"],
                grantor=grantor["id"],
                holder=holder["id"],
                scope=scope,
                items=items.strip()[:200],
                instructions=instructions.strip(),
                created_at=when,
                created_by=principal.person_id,
                # The secretariat validates what it records (its own check of the proxy); that
                # is not the grantor's consent, which comes from the grantor or its signed form.
                validated_at=when if _is_secretary(context) else None,
                validated_by=principal.person_id if _is_secretary(context) else None,
                grantor_confirmed_at=when if by_grantor else None,
                grantor_confirmed_by=principal.person_id if by_grantor else None,
            )
        ).returning(Proxy.id)
        created["id"] = rows[0]["id"]

    await _change(
        context,
        f"proxy-given:{grantor['slug']}:{holder['slug']}",
        when,
        give,
        principal.person_id,
        lambda: _proxy_details(created["id"]),
    )
    return await get_proxy(context, created["id"])


async def _proxy_details(proxy_id: int) -> Row:
    """The proxy's state for its log event (inside the writing transaction): the grantor's
    consent (the signed form's SHA-256, or who confirmed and when), the holder's acceptance
    (who, when, and whether the secretariat recorded it in the room) and the validation."""
    proxy = await Proxy.select().where(Proxy.id == proxy_id).first()
    assert proxy is not None
    people = {
        proxy[key]
        for key in ("grantor_confirmed_by", "accepted_by", "form_uploaded_by")
        if proxy[key] is not None
    }
    names = {
        row["id"]: row["full_name"]
        for row in await Person.select(Person.id, Person.full_name).where(Person.id.is_in(list(people) or [-1]))
    }

    def step(at_key: str, by_key: str) -> Row | None:
        if proxy[at_key] is None:
            return None
        by = proxy[by_key]
        return {"at": proxy[at_key].astimezone(dt.UTC).isoformat(), "by": by, "by_name": names.get(by, "")}

    accepted = step("accepted_at", "accepted_by")
    if accepted is not None:
        accepted["in_room"] = proxy["accepted_in_room"]
    form = None
    if proxy["form_sha256"]:
        form = {
            "sha256": proxy["form_sha256"],
            "name": proxy["form_name"],
            "content_type": proxy["form_content_type"],
            "size": proxy["form_size"],
        }
    return {
        "proxy": {
            "id": proxy["id"],
            "form": form,
            "grantor_confirmed": step("grantor_confirmed_at", "grantor_confirmed_by"),
            "accepted": accepted,
            "validated": proxy["validated_at"] is not None,
            "revoked": proxy["revoked_at"] is not None,
            "missing": proxy_missing(proxy),
        }
    }


async def get_proxy(context: MeetingContext, proxy_id: int) -> Row:
    async with reading():
        row = (
            await Proxy.select(
                *Proxy.all_columns(),
                Proxy.grantor.slug.as_alias("grantor_slug"),
                Proxy.grantor.name.as_alias("grantor_name"),
                Proxy.holder.slug.as_alias("holder_slug"),
                Proxy.holder.name.as_alias("holder_name"),
            )
            .where((Proxy.id == proxy_id) & (Proxy.meeting == context.meeting["id"]))
            .first()
        )
    if row is None:
        raise NotFound(_("No such proxy in this meeting."))
    return row


async def list_proxies(context: MeetingContext) -> list[Row]:
    async with reading():
        return (
            await Proxy.select(
                *Proxy.all_columns(),
                Proxy.grantor.slug.as_alias("grantor_slug"),
                Proxy.grantor.name.as_alias("grantor_name"),
                Proxy.holder.slug.as_alias("holder_slug"),
                Proxy.holder.name.as_alias("holder_name"),
            )
            .where(Proxy.meeting == context.meeting["id"])
            .order_by(Proxy.id)
        )


async def _proxy_step(context: MeetingContext, principal: Principal, proxy_id: int, step: str, reason: str = "") -> Row:
    _require_register_open(context)
    proxy = await get_proxy(context, proxy_id)
    if proxy["revoked_at"] is not None:
        raise Conflict(
            _("This proxy was revoked ({reason}).").format(reason=revocation_reason(proxy["revoked_reason"]))
        )
    secretary = _is_secretary(context)
    when = _when(None)
    condition: Any = None  # what must still hold when the row is written (no race with a twin step)
    in_room = False
    if step == "accept":
        # The holder accepts itself; the secretariat records an acceptance in the room, as a
        # separate, explicit step (accept_in_room), never by pressing the holder's button.
        if not _represents(context, principal, proxy["holder"]):
            raise Forbidden(
                _(
                    "Only the holder's representative accepts a proxy; the secretariat can record "
                    "that the holder accepted it in the room."
                )
            )
        if proxy["accepted_at"] is not None:
            raise Conflict(_("This proxy is already accepted."))
        values: dict[Any, Any] = {Proxy.accepted_at: when, Proxy.accepted_by: principal.person_id}
        condition = Proxy.accepted_at.is_null()
    elif step == "accept-in-room":
        if not secretary:
            raise Forbidden(_("Only the secretariat records that a holder accepted a proxy in the room."))
        if proxy["accepted_at"] is not None:
            raise Conflict(_("This proxy is already accepted."))
        values = {Proxy.accepted_at: when, Proxy.accepted_by: principal.person_id, Proxy.accepted_in_room: True}
        condition = Proxy.accepted_at.is_null()
        in_room = True  # checked in the transaction: the holder is checked in as present
    elif step == "confirm":
        # The grantor's own word, from its account: the secretariat cannot give it.
        if not _represents(context, principal, proxy["grantor"]):
            raise Forbidden(_("Only the grantor's own representative can confirm its proxy."))
        if proxy["grantor_confirmed_at"] is not None:
            raise Conflict(_("This proxy is already confirmed by its grantor."))
        values = {Proxy.grantor_confirmed_at: when, Proxy.grantor_confirmed_by: principal.person_id}
        condition = Proxy.grantor_confirmed_at.is_null()
    elif step == "validate":
        if not secretary:
            raise Forbidden(_("Only the secretariat validates proxies."))
        if proxy["validated_at"] is not None:
            raise Conflict(_("This proxy is already validated."))
        values = {Proxy.validated_at: when, Proxy.validated_by: principal.person_id}
        condition = Proxy.validated_at.is_null()
    else:
        if not (secretary or _represents(context, principal, proxy["grantor"])):
            raise Forbidden(_("Only the grantor's representative, or the secretariat, can revoke this proxy."))
        values = {
            Proxy.revoked_at: when,
            Proxy.revoked_by: principal.person_id,
            Proxy.revoked_reason: reason or REVOKED,
        }

    async def apply() -> None:
        if in_room and not await Presence.exists().where(
            (Presence.meeting == context.meeting["id"])
            & (Presence.member == proxy["holder"])
            & (Presence.mode == "present")
            & Presence.departed_at.is_null()
        ):
            raise Conflict(
                _("{holder} is not checked in as present: its acceptance cannot be recorded in the room.").format(
                    holder=proxy["holder_name"]
                )
            )
        where = (Proxy.id == proxy_id) & Proxy.revoked_at.is_null()
        if condition is not None:
            where = where & condition
        updated = await Proxy.update(values).where(where).returning(Proxy.id)
        if not updated:
            raise Conflict(_("This proxy changed meanwhile; reload the page."))

    trigger = {
        "accept": "proxy-accepted",
        "accept-in-room": "proxy-accepted-in-room",
        "confirm": "proxy-confirmed",
        "validate": "proxy-validated",
        "revoke": "proxy-revoked",
    }[step]
    await _change(
        context,
        f"{trigger}:{proxy['grantor_slug']}:{proxy['holder_slug']}",
        when,
        apply,
        principal.person_id,
        lambda: _proxy_details(proxy_id),
    )
    return await get_proxy(context, proxy_id)


async def accept_proxy(context: MeetingContext, principal: Principal, proxy_id: int) -> Row:
    """The holder's representative accepts the proxy itself."""
    return await _proxy_step(context, principal, proxy_id, "accept")


async def accept_in_room(context: MeetingContext, principal: Principal, proxy_id: int) -> Row:
    """The secretariat records that the holder, present in the room, accepted the proxy."""
    return await _proxy_step(context, principal, proxy_id, "accept-in-room")


async def confirm_proxy(context: MeetingContext, principal: Principal, proxy_id: int) -> Row:
    """The grantor's own representative confirms a proxy the secretariat recorded for it."""
    return await _proxy_step(context, principal, proxy_id, "confirm")


async def validate_proxy(context: MeetingContext, principal: Principal, proxy_id: int) -> Row:
    return await _proxy_step(context, principal, proxy_id, "validate")


async def revoke_proxy(context: MeetingContext, principal: Principal, proxy_id: int, reason: str = "") -> Row:
    return await _proxy_step(context, principal, proxy_id, "revoke", reason.strip()[:200])


# The kinds of file a signed proxy form may be: a scan or a signed PDF.
FORM_TYPES = ("application/pdf", "image/png", "image/jpeg")


async def attach_form(
    context: MeetingContext, principal: Principal, proxy_id: int, filename: str, data: bytes
) -> Row:
    """The secretariat attaches the grantor's signed proxy form (PDF, PNG or JPEG, at most
    20 MB, its type read from its bytes). Stored by its SHA-256 like the agenda's documents;
    the SHA-256 goes into the log event that records it. A proxy keeps its first form."""
    # Imported here: the agenda package builds on this module.
    from governance.agenda import documents

    if not _is_secretary(context):
        raise Forbidden(_("Only the secretariat attaches a grantor's signed proxy form."))
    _require_register_open(context)
    proxy = await get_proxy(context, proxy_id)
    if proxy["revoked_at"] is not None:
        raise Conflict(
            _("This proxy was revoked ({reason}).").format(reason=revocation_reason(proxy["revoked_reason"]))
        )
    if proxy["form_sha256"]:
        raise Conflict(_("This proxy already has its signed form."))
    documents.check_size(len(data))
    name = documents.sanitize_name(filename)
    content_type = documents.sniff(name, data)
    if content_type not in FORM_TYPES:
        message = _("A signed proxy form is a PDF, PNG or JPEG file.")
        raise Invalid(message, fields={"file": message})
    sha256 = await asyncio.to_thread(lambda: hashlib.sha256(data).hexdigest())
    when = _when(None)

    async def attach() -> None:
        # Written before the row commits: a committed row always has its file.
        await asyncio.to_thread(documents._store, sha256, data)
        updated = (
            await Proxy.update(
                {
                    Proxy.form_sha256: sha256,
                    Proxy.form_name: name,
                    Proxy.form_content_type: content_type,
                    Proxy.form_size: len(data),
                    Proxy.form_uploaded_at: when,
                    Proxy.form_uploaded_by: principal.person_id,
                }
            )
            .where((Proxy.id == proxy_id) & Proxy.revoked_at.is_null() & (Proxy.form_sha256 == ""))
            .returning(Proxy.id)
        )
        if not updated:
            raise Conflict(_("This proxy changed meanwhile; reload the page."))

    await _change(
        context,
        f"proxy-form:{proxy['grantor_slug']}:{proxy['holder_slug']}",
        when,
        attach,
        principal.person_id,
        lambda: _proxy_details(proxy_id),
    )
    return await get_proxy(context, proxy_id)


# --- convocation and the quorum record -----------------------------------------------------


async def second_convocation(context: MeetingContext, principal: Principal) -> QuorumResult:
    """Reconvene on second call after the first failed for want of quorum (its own quorum rule)."""
    if not ({MeetingRole.secretary, MeetingRole.chair} & context.roles):
        raise Forbidden(_("Only the chair or the secretariat can move to a second convocation."))
    _require_register_open(context)
    if context.meeting["convocation"] == 2:
        raise Conflict(_("The meeting is already on its second convocation."))
    register = await load_register(context)
    if register.quorum.met:
        raise Conflict(_("The quorum of the first convocation is met: there is no second convocation."))
    when = _when(None)

    async def reconvene() -> None:
        await Meeting.update({Meeting.convocation: 2}).where(Meeting.id == context.meeting["id"])
        context.meeting["convocation"] = 2

    return await _change(context, "second-convocation", when, reconvene, principal.person_id)


async def quorum_checks(context: MeetingContext) -> list[Row]:
    async with reading():
        return await QuorumCheck.select().where(QuorumCheck.meeting == context.meeting["id"]).order_by(QuorumCheck.id)


def describe_trigger(trigger: str, names_by_slug: Mapping[str, str]) -> str:
    """A quorum check's trigger in words, in the reader's language."""
    kind, _sep, rest = trigger.partition(":")
    parts = [names_by_slug.get(p, p) for p in rest.split(":")] if rest else []
    sentences = {
        "arrival": _("Arrival of {0}"),
        "arrival-undone": _("Arrival of {0} undone"),
        "departure": _("Departure of {0}"),
        "excusal": _("Apologies from {0}"),
        "proxy-given": _("Proxy of {0} given to {1}"),
        "proxy-accepted": _("Proxy of {0} accepted by {1}"),
        "proxy-accepted-in-room": _("Proxy of {0} accepted by {1} in the room, recorded by the secretariat"),
        "proxy-confirmed": _("Proxy of {0} to {1} confirmed by its grantor"),
        "proxy-form": _("Signed proxy form of {0} to {1} attached"),
        "proxy-validated": _("Proxy of {0} to {1} validated"),
        "proxy-revoked": _("Proxy of {0} to {1} revoked"),
        "second-convocation": _("Second convocation"),
        "poll": _("Quorum checked before a vote"),
    }
    template = sentences.get(kind)
    if template is None:
        return trigger
    return template.format(*parts, *([""] * 2))
