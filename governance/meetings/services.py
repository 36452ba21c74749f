"""Events and meetings: creating them, who is who in them, and their lifecycle."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from governance import clock, db
from governance.accounts import services as accounts
from governance.accounts.tables import Person
from governance.auth import Principal
from governance.db import reading, writing
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.flights import load_once
from governance.i18n import gettext as _
from governance.i18n import ngettext
from governance.meetings import offices
from governance.meetings.events import by_column
from governance.meetings.events import create_event as create_event  # re-exported: moved to events
from governance.meetings.events import get_event as get_event
from governance.meetings.events import list_events as list_events
from governance.meetings.events import update_event as update_event
from governance.meetings.roles import MeetingRole, allowed_transitions, chair_mandate, meeting_roles
from governance.meetings.schemas import ChairOut, MeetingIn, MeetingOut
from governance.meetings.tables import Event, Meeting
from governance.organisations import services as organisations
from governance.organisations.statutes import Statutes
from governance.organisations.tables import Body, Mandate, Member, Organisation, RuleSet
from governance.vocabulary import MeetingKind, MeetingMode, MeetingStatus, label

Row = dict[str, Any]


# --- meetings: who is who -----------------------------------------------------------------


@dataclass(frozen=True)
class MeetingContext:
    meeting: Row
    organisation: Row
    body: Row
    event: Row | None
    mandates: list[Row]
    roles: frozenset[MeetingRole]
    rule_set: Row | None  # the raw row, for the pages that show or edit it; rules read ``statutes``
    secretary_email: str | None
    # Indexes of ``mandates`` (from the cache): a thousand mandates are not scanned per request.
    mandates_of: dict[int, list[Row]] | None = field(default=None, repr=False, compare=False)
    chair_found: Row | None = field(default=None, repr=False, compare=False)
    # The rule set decoded once (None until the meeting is convened under one).
    statutes: Statutes | None = field(default=None, repr=False, compare=False)
    # The offices the log froze for this meeting (offices.frozen): None while a draft.
    offices: Row | None = field(default=None, repr=False, compare=False)

    @property
    def chair(self) -> Row | None:
        if self.offices is not None:
            return dict(self.offices["chair"]) if self.offices["chair"] else None
        if self.mandates_of is not None:
            return dict(self.chair_found) if self.chair_found else None
        found = chair_mandate(self.mandates, self.meeting["chair_mandate"])
        return dict(found) if found else None

    def mandates_for(self, person_id: int) -> list[Row]:
        """The person's mandates in the body."""
        if self.mandates_of is not None:
            return self.mandates_of.get(person_id, [])
        return [m for m in self.mandates if m["person"] == person_id]


@dataclass(frozen=True)
class _Surroundings:
    """What a meeting context needs besides the meeting row: it rarely changes."""

    body: Row
    organisation: Row
    event: Row | None
    mandates: list[Row]
    rule_set: Row | None
    secretary_email: str | None
    chair: Row | None
    mandates_of: dict[int, list[Row]]
    statutes: Statutes | None = None
    offices: Row | None = None


# The meeting row is read afresh on every request (its status, secretary, chair and rule
# set decide what may be done); the body, organisation, event, mandates, rule set and
# secretary's address are cached per process for at most CONTEXT_SECONDS, and dropped at
# once when this process writes any table they come from. Another worker's change is
# therefore seen within CONTEXT_SECONDS, and writes still re-check what matters inside
# their transaction (a ballot against the poll's frozen electorate, transitions by
# compare-and-set on the status).
CONTEXT_SECONDS = 2.0
_CONTEXT_TABLES = frozenset(
    table._meta.tablename for table in (Body, Organisation, Event, Mandate, RuleSet, Person, Member)
) | {db.ALL_TABLES}
_surroundings: dict[tuple[Any, ...], tuple[float, _Surroundings]] = {}
_loading: dict[Any, tuple[int, asyncio.Future[_Surroundings]]] = {}
_generation = 0


def _forget_surroundings(table: str) -> None:
    global _generation
    if table in _CONTEXT_TABLES:
        _generation += 1
        _surroundings.clear()


db.on_write(_forget_surroundings)


def forget_cached_contexts() -> None:
    """Drop every cached meeting surrounding (tests; an operator's manual change)."""
    _forget_surroundings(db.ALL_TABLES)


async def _load_surroundings(meeting: Row) -> _Surroundings:
    # Per meeting and status: its frozen offices change only with its status or its chair.
    key = (
        meeting["body"], meeting["event"], meeting["rule_set"], meeting["secretary"], meeting["chair_mandate"],
        meeting["id"], meeting["status"],
    )  # fmt: skip
    cached = _surroundings.get(key)
    if cached is not None and time.monotonic() - cached[0] < CONTEXT_SECONDS:
        return cached[1]
    # One load at a time per key: a burst of requests on a cold cache waits for it rather
    # than each loading a thousand mandates.
    return await load_once(_loading, key, _generation, lambda: _read_surroundings(meeting, key))


async def _read_surroundings(meeting: Row, key: tuple[Any, ...]) -> _Surroundings:
    clock = time.monotonic()
    generation = _generation
    async with reading():
        body = await Body.select().where(Body.id == meeting["body"]).first()
        assert body is not None  # a meeting's body is a foreign key: it exists
        organisation = await Organisation.select().where(Organisation.id == body["organisation"]).first()
        assert organisation is not None
        event = await Event.select().where(Event.id == meeting["event"]).first() if meeting["event"] else None
        mandates = await Mandate.select(
            Mandate.id,
            Mandate.person,
            Mandate.role,
            Mandate.office,
            Mandate.acting_office,
            Mandate.member,
            Mandate.person.full_name.as_alias("person_name"),
            Mandate.member.name.as_alias("member_name"),
        ).where(Mandate.body == body["id"])
        rule_set = (
            await RuleSet.select().where(RuleSet.id == meeting["rule_set"]).first() if meeting["rule_set"] else None
        )
        secretary = (
            await Person.select(Person.email).where(Person.id == meeting["secretary"]).first()
            if meeting["secretary"]
            else None
        )
    # From convening on, the chair and the offices are the log's (offices_fixed), not today's mandates.
    fixed = await offices.frozen(meeting["id"]) if meeting["status"] != "draft" else None
    mandates_of: dict[int, list[Row]] = {}
    for mandate in mandates:
        mandates_of.setdefault(mandate["person"], []).append(mandate)
    chair = fixed["chair"] if fixed is not None else chair_mandate(mandates, meeting["chair_mandate"])
    found = _Surroundings(
        body=body,
        organisation=organisation,
        event=event,
        mandates=mandates,
        rule_set=rule_set,
        secretary_email=secretary["email"] if secretary else None,
        chair=dict(chair) if chair else None,
        mandates_of=mandates_of,
        statutes=Statutes.from_row(rule_set) if rule_set else None,
        offices=fixed,
    )
    previous = _surroundings.get(key)
    if previous is not None and previous[1] == found:
        # Unchanged: keep the same objects, so that what is cached by them (the register,
        # the rendered parts of live pages) stays valid across reloads.
        found = previous[1]
    if generation == _generation:  # nothing this process wrote meanwhile could be missing
        if len(_surroundings) > 256:
            _surroundings.clear()
        _surroundings[key] = (clock, found)
    return found


async def meeting_row(slug: str) -> Row | None:
    """The meeting's row, read on every meeting request: in plain SQL, because building
    the select with Piccolo cost twice as much as running it (the row is the same)."""
    async with reading():
        rows = await Meeting.raw("SELECT * FROM meeting WHERE slug = {} LIMIT 1", slug)
    return rows[0] if rows else None


async def meeting_context(slug: str, principal: Principal | None, meeting: Row | None = None) -> MeetingContext:
    """The meeting and who the principal is in it (``meeting``: its row, when just read).

    The rows in the context are shared with other requests (cached): treat them as
    read-only.
    """
    if meeting is None:
        meeting = await meeting_row(slug)
    if meeting is None:
        raise NotFound(_("No such meeting."))
    around = await _load_surroundings(meeting)
    roles: frozenset[MeetingRole] = frozenset()
    if principal is not None:
        # The chair's mandate and the principal's own: all that decides their roles.
        mine = around.mandates_of.get(principal.person_id, [])
        if around.offices is not None and meeting["status"] == "closed":
            # After the meeting, who represented whom is the log's (offices_fixed), not today's.
            mine = [r for r in around.offices.get("representatives", []) if r["person"] == principal.person_id]
        roles = meeting_roles(
            person_id=principal.person_id,
            is_admin=principal.is_admin,
            is_secretariat=around.organisation["id"] in principal.staff_of,
            meeting_secretary=meeting["secretary"],
            mandates=mine,
            named_chair=meeting["chair_mandate"],
            chair=around.chair,
        )
    return MeetingContext(
        meeting=meeting,
        organisation=around.organisation,
        body=around.body,
        event=around.event,
        mandates=around.mandates,
        roles=roles,
        rule_set=around.rule_set,
        secretary_email=around.secretary_email,
        mandates_of=around.mandates_of,
        chair_found=around.chair,
        statutes=around.statutes,
        offices=around.offices,
    )


def meeting_out(context: MeetingContext) -> MeetingOut:
    meeting, chair = context.meeting, context.chair
    zone = ZoneInfo(meeting["time_zone"])
    return MeetingOut(
        id=meeting["id"],
        slug=meeting["slug"],
        organisation=context.organisation["slug"],
        body=context.body["slug"],
        body_name=context.body["name_en"],
        event=context.event["slug"] if context.event else None,
        title_en=meeting["title_en"],
        title_fr=meeting["title_fr"],
        title_es=meeting["title_es"],
        kind=meeting["kind"],
        mode=meeting["mode"],
        venue=meeting["venue"],
        time_zone=meeting["time_zone"],
        starts_at=meeting["starts_at"].astimezone(zone),
        ends_at=meeting["ends_at"].astimezone(zone) if meeting["ends_at"] else None,
        status=meeting["status"],
        convocation=meeting["convocation"],
        self_check_in=meeting["self_check_in"],
        convened_at=meeting["convened_at"],
        rule_set_version=context.statutes.version if context.statutes else None,
        secretary_email=context.secretary_email,
        chair=ChairOut(
            person_name=chair["person_name"],
            member_name=chair["member_name"],
            office=chair["acting_office"] or chair["office"],
            acting=chair["acting_office"] is not None,
        )
        if chair
        else None,
        my_roles=sorted(role.value for role in context.roles),
        allowed_transitions=allowed_transitions(meeting["status"], context.roles),
    )


async def my_meetings(principal: Principal) -> list[Row]:
    """Meetings of the bodies where I hold a mandate, or whose organisation I serve."""
    async with reading():
        bodies = {
            row["body"] for row in await Mandate.select(Mandate.body).where(Mandate.person == principal.person_id)
        }
        query = Meeting.select(
            *Meeting.all_columns(),
            Meeting.body.name_en.as_alias("body_name_en"),
            Meeting.body.name_fr.as_alias("body_name_fr"),
            Meeting.body.name_es.as_alias("body_name_es"),
            Meeting.body._.organisation._.short_name.as_alias("organisation_name"),
        ).order_by(Meeting.starts_at, ascending=False)
        if not principal.is_admin:
            staff_orgs = list(principal.staff_of) or [-1]
            query = query.where(
                Meeting.body.is_in(list(bodies) or [-1])
                | Meeting.body.organisation.is_in(staff_orgs)
                | (Meeting.secretary == principal.person_id)
            )
        return await query


# --- meetings: creating and editing -----------------------------------------------------


def _local_to_utc(value: dt.datetime, zone: str) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(dt.UTC)


async def _meeting_values(org: Row, data: MeetingIn) -> dict[str, Any]:
    problems: dict[str, str] = {}
    body = await organisations.get_body(org, data.body)
    event = await get_event(org, data.event) if data.event else None
    secretary = await accounts.find_person_by_email(data.secretary_email) if data.secretary_email else None
    if data.secretary_email and secretary is None:
        problems["secretary_email"] = _("No account has this e-mail address.")
    starts_at = _local_to_utc(data.starts_at, data.time_zone)
    ends_at = _local_to_utc(data.ends_at, data.time_zone) if data.ends_at else None
    if ends_at is not None and ends_at <= starts_at:
        problems["ends_at"] = _("The end must come after the start.")
    if event is not None and not (event["starts_on"] <= data.starts_at.date() <= event["ends_on"]):
        problems["starts_at"] = _("The meeting must take place during its event ({start} to {end}).").format(
            start=event["starts_on"], end=event["ends_on"]
        )
    rule_set = await organisations.effective_rule_set(body["id"], data.starts_at.date())
    if rule_set is not None:
        problems.update(statute_problems(Statutes.from_row(rule_set), data.mode, data.kind))
    if problems:
        raise Invalid(_("Please correct the fields marked below."), fields=problems)
    values = data.model_dump(mode="python", exclude={"body", "event", "secretary_email", "starts_at", "ends_at"})
    values.update(
        body=body["id"],
        event=event["id"] if event else None,
        secretary=secretary["id"] if secretary else None,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    return values


def statute_problems(statutes: Statutes, mode: str, kind: str) -> dict[str, str]:
    """Procedures the body's statutes do not allow (rule 1: statutes first)."""
    problems: dict[str, str] = {}
    if mode in (MeetingMode.remote, MeetingMode.hybrid) and not statutes.remote_allowed:
        problems["mode"] = _("The statutes do not allow remote participation ({article}).").format(
            article=statutes.remote_article
        )
    if kind == MeetingKind.written_procedure and not statutes.written_procedure_allowed:
        problems["kind"] = _("The statutes do not allow a written procedure ({article}).").format(
            article=statutes.written_procedure_article
        )
    return problems


async def list_meetings(org: Row) -> list[Row]:
    async with reading():
        return (
            await Meeting.select(
                *Meeting.all_columns(),
                Meeting.body.slug.as_alias("body_slug"),
                Meeting.body.name_en.as_alias("body_name_en"),
            )
            .where(Meeting.body.organisation == org["id"])
            .order_by(Meeting.starts_at, ascending=False)
        )


async def create_meeting(org: Row, data: MeetingIn) -> Row:
    values = await _meeting_values(org, data)
    async with writing():
        rows = await Meeting.insert(Meeting(**values)).returning(Meeting.slug)
    return rows[0]


async def update_meeting(context: MeetingContext, data: MeetingIn) -> Row:
    if context.meeting["status"] not in ("draft", "convened"):
        raise Conflict(_("A meeting that has opened can no longer be edited."))
    values = await _meeting_values(context.organisation, data)
    if context.meeting["status"] == "convened":
        # The statutes in force were fixed at convening; re-check against them.
        problems = statute_problems(context.statutes, data.mode, data.kind) if context.statutes else {}
        if problems:
            raise Invalid(_("Please correct the fields marked below."), fields=problems)
    async with writing():
        rows = (
            await Meeting.update(by_column(values)).where(Meeting.id == context.meeting["id"]).returning(Meeting.slug)
        )
    return rows[0]


# --- the lifecycle ----------------------------------------------------------------------


async def untreated_items(context: MeetingContext) -> list[Row]:
    """The agenda items a close would leave untreated (never taken up, or still open), in order."""
    from governance.agenda.tables import AgendaItem  # the agenda builds on meetings

    async with reading():
        return (
            await AgendaItem.select(
                AgendaItem.number, AgendaItem.title_en, AgendaItem.title_fr, AgendaItem.title_es, AgendaItem.status
            )
            .where((AgendaItem.meeting == context.meeting["id"]) & AgendaItem.status.is_in(["pending", "open"]))
            .order_by(AgendaItem.position)
        )


def untreated_sentence(items: list[Row]) -> str:
    """What closing does to them, in the reader's language."""
    if not items:
        return _("Every agenda item was dealt with. Closing the meeting cannot be undone.")
    return ngettext(
        "{n} item was not taken up: it will be recorded as not dealt with. Closing the meeting cannot be undone.",
        "{n} items were not taken up: they will be recorded as not dealt with. Closing the meeting cannot be undone.",
        len(items),
    ).format(n=len(items))


class ConfirmationNeeded(Conflict):
    """An irreversible step asked for without its explicit confirmation."""

    title = "Confirmation needed"


async def transition(
    context: MeetingContext,
    target: str,
    *,
    at: dt.datetime | None = None,
    actor: int | None = None,
    confirmed: bool = False,
) -> None:
    """Move a meeting along ``draft -> convened -> open <-> suspended -> closed`` (logged).

    ``at`` is when it happens (now, unless a demo replays history); ``actor`` who did it.
    Closing cannot be undone: it needs ``confirmed``, or it is refused with the agenda items
    it would leave untreated (recorded in the ``meeting_closed`` event as not dealt with).
    """
    at = at or clock.now()
    meeting = context.meeting
    current = meeting["status"]
    not_dealt_with: list[str] = []
    if target == "closed" and target in allowed_transitions(current, context.roles):
        untreated = await untreated_items(context)
        not_dealt_with = [row["number"] for row in untreated]
        if not confirmed:
            raise ConfirmationNeeded(
                untreated_sentence(untreated),
                details={
                    "confirm": _('Send the request again with "confirm": true to close the meeting.'),
                    "untreated": [
                        {"number": row["number"], "title": row["title_en"], "status": row["status"]}
                        for row in untreated
                    ],
                },
            )
    if target not in allowed_transitions(current, context.roles):
        possible = allowed_transitions(current, frozenset(MeetingRole))
        if target in possible:
            raise Forbidden(_("Only the meeting's chair or secretary, as the statutes say, can do this."))
        raise Conflict(
            _("A meeting that is {current} cannot become {target}.").format(
                current=label(MeetingStatus(current)),
                target=label(MeetingStatus(target)) if target in MeetingStatus.__members__ else target,
            )
        )
    values: dict[Any, Any] = {Meeting.status: target, Meeting.status_changed_at: at}
    statutes: Statutes | None = None
    if target == "convened":
        rule_set = await organisations.effective_rule_set(context.body["id"], meeting["starts_at"].date())
        if rule_set is None:
            raise Conflict(_("No rule set of this body is in force on the meeting's date: add one first."))
        statutes = Statutes.from_row(rule_set)
        if problems := statute_problems(statutes, meeting["mode"], meeting["kind"]):
            raise Conflict(" ".join(problems.values()))
        notice = dt.timedelta(days=statutes.notice_days)
        if meeting["starts_at"] - at < notice:
            raise Conflict(
                _("The statutes require {days} days' notice ({article}): convene by {deadline} at the latest.").format(
                    days=statutes.notice_days,
                    article=statutes.notice_article,
                    deadline=(meeting["starts_at"] - notice).date().isoformat(),
                )
            )
        values.update({Meeting.rule_set: statutes.id, Meeting.convened_at: at})
    if target == "draft":
        values.update({Meeting.rule_set: None, Meeting.convened_at: None})
    fixed = None
    if target in ("convened", "open"):
        # Who holds each office for this meeting, frozen in the log at convening and at opening.
        fixed = await offices.payload(context, statutes=statutes if target == "convened" else None)
    async with writing():
        # Compare-and-set on the status: two consoles racing get one winner.
        done = (
            await Meeting.update(values)
            .where((Meeting.id == meeting["id"]) & (Meeting.status == current))
            .returning(Meeting.id)
        )
        if done:
            from governance.record import log  # the record builds on meetings

            extra = {"not_dealt_with": not_dealt_with} if target == "closed" else {}
            await log.append(meeting["id"], f"meeting_{target}", actor, at, previous=current, **extra)
            if fixed is not None:
                await log.append(meeting["id"], offices.FIXED, actor, at, reason=target, **fixed)
    if not done:
        raise Conflict(_("The meeting changed meanwhile; reload the page."))
    from governance.meetings import live  # live imports this module

    # Every screen learns at once that the meeting opened, was suspended or closed.
    live.meeting_changed(meeting["id"])


# --- handing over the chair -------------------------------------------------------------


async def hand_over_chair(context: MeetingContext, actor: int, mandate_id: int, reason: str) -> Row:
    """The chair passes to another mandate of the body (a Vice-President, say) while the meeting
    is in session: logged as ``chair_handed_over`` with who did it and why, and effective only
    through that event (the meeting's chair is read from the log)."""
    if not ({MeetingRole.chair, MeetingRole.secretary} & context.roles):
        raise Forbidden(_("Only the chair or the secretariat can do this."))
    if context.meeting["status"] not in offices.IN_SESSION:
        raise Conflict(_("The chair is handed over only while the meeting is convened, open or suspended."))
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= 500:
        message = _("Say why the chair is handed over (at most 500 characters).")
        raise Invalid(message, fields={"reason": message})
    target = next((m for m in context.mandates if m["id"] == mandate_id), None)
    if target is None or target["role"] == "observer" or target["office"] == "observer":
        message = _("The chair passes to a mandate of this body's members, not an observer.")
        raise Invalid(message, fields={"mandate": message})
    if target["person"] == actor:
        # The secretariat never promotes itself: the chair is handed to someone else.
        raise Forbidden(_("No one hands the chair to themselves."))
    previous = context.chair
    if previous is not None and previous["id"] == mandate_id:
        raise Conflict(_("{name} already chairs this meeting.").format(name=target["person_name"]))
    from governance.record import log  # the record builds on meetings

    async with writing():
        done = (
            await Meeting.update({Meeting.chair_mandate: mandate_id})
            .where((Meeting.id == context.meeting["id"]) & (Meeting.status == context.meeting["status"]))
            .returning(Meeting.id)
        )
        if done:
            event = await log.append(
                context.meeting["id"], offices.HANDED_OVER, actor, chair=offices.chair_entry(target),
                previous=offices.chair_entry(previous), reason=reason,
            )  # fmt: skip
    if not done:
        raise Conflict(_("The meeting changed meanwhile; reload the page."))
    forget_cached_contexts()
    from governance.meetings import live

    live.meeting_changed(context.meeting["id"])
    return event
