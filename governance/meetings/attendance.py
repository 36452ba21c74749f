"""Attendance, proxies and the live quorum of a meeting: the use cases.

Every change (arrival, departure, excusal, proxy given/accepted/validated/revoked,
second convocation) runs in one unit of work (``governance.meetings.unit_of_work``) that
also writes a quorum check row, so the record of the quorum can never disagree with the
register. On PostgreSQL the meeting row is locked for the duration, so concurrent desks
take turns (attendance changes are rare; correctness of the count matters more). After
commit, live pages are told to refresh.

Here: arrivals (and their undoing), departures, apologies and the second convocation.
Beside it: the register as read (``attendance_register``), the proxies and their consent
steps (``attendance_proxies``), what every change shares (``attendance_changes``), the
decisions (``attendance_rules``, pure), the tables (``attendance_store``), the typed values
and their words (``attendance_model``). Their public names are importable from here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from governance import clock
from governance.auth import Principal
from governance.errors import Conflict, Forbidden, Invalid
from governance.i18n import gettext as _
from governance.meetings import attendance_rules as rules
from governance.meetings import attendance_store as store
from governance.meetings.attendance_changes import (
    is_secretary,
    mandates_for,
    record_change,
    remote_refused,
    require_register_open,
    seated_member,
    when_given,
)
from governance.meetings.attendance_model import (
    MemberLine,
    MemberState,
    Missing,
    PresenceMode,
    ProxyScope,
    ProxyStep,
    QuorumTrigger,
    Register,
    Revocation,
    describe_trigger,
    missing_sentences,
    revocation_reason,
    trigger,
)
from governance.meetings.attendance_proxies import (
    FORM_TYPES,
    accept_in_room,
    accept_proxy,
    attach_form,
    confirm_proxy,
    get_proxy,
    give_proxy,
    list_proxies,
    revoke_proxy,
    validate_proxy,
)
from governance.meetings.attendance_register import item_quorum, load_register, meeting_year
from governance.meetings.attendance_rules import (
    CLOCK_SKEW,
    IN_SESSION,
    REGISTER_OPEN,
    UNDO_WINDOW,
    UndoRefusal,
    default_representative,
    grantor_agreed,
    proxy_missing,
)
from governance.meetings.quorum import QuorumResult
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.vocabulary import MandateRole, label

__all__ = [
    "CLOCK_SKEW",
    "FORM_TYPES",
    "GRANTOR_ARRIVED",
    "IN_SESSION",
    "MISSING_GRANTOR",
    "MISSING_HOLDER",
    "MISSING_VALIDATION",
    "REGISTER_OPEN",
    "REVOKED",
    "UNDO_WINDOW",
    "MemberLine",
    "MemberState",
    "PresenceMode",
    "ProxyScope",
    "ProxyStep",
    "QuorumResult",
    "QuorumTrigger",
    "Register",
    "accept_in_room",
    "accept_proxy",
    "attach_form",
    "check_in",
    "confirm_proxy",
    "depart",
    "describe_trigger",
    "excuse",
    "get_proxy",
    "give_proxy",
    "grantor_agreed",
    "item_quorum",
    "list_proxies",
    "load_register",
    "meeting_year",
    "missing_sentences",
    "proxy_missing",
    "quorum_checks",
    "revocation_reason",
    "revoke_proxy",
    "second_convocation",
    "undo_arrival",
    "validate_proxy",
]

Row = dict[str, Any]
# Revocation reasons the system writes (as codes, shown translated by revocation_reason).
GRANTOR_ARRIVED = Revocation.grantor_arrived.value
REVOKED = Revocation.revoked.value
# What a live proxy may still lack before it counts (see attendance_model.Missing).
MISSING_GRANTOR = Missing.grantor.value
MISSING_HOLDER = Missing.holder.value
MISSING_VALIDATION = Missing.validation.value


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
    require_register_open(context)
    when = when_given(at)
    member = await seated_member(context, member_slug)
    mandates = mandates_for(context, member["id"])
    if not is_secretary(context) and (
        not context.meeting["self_check_in"] or person_id not in (None, principal.person_id)
    ):
        raise Forbidden(_("Only the secretariat registers arrivals at this meeting."))
    if person_id is None:
        person_id = default_representative(mandates) if is_secretary(context) else principal.person_id
    mandate = next((m for m in mandates if m["person"] == person_id), None)
    if mandate is None:
        message = _("This person does not represent {member} in this body.").format(member=member["name"])
        raise Invalid(message, fields={"person": message})
    person: int = mandate["person"]
    statutes = context.statutes
    remote = rules.remote_refusal(
        mode, remote_allowed=bool(statutes and statutes.remote_allowed), meeting_mode=context.meeting["mode"]
    )
    if remote is not None:
        raise remote_refused(context, remote)
    if mode not in tuple(PresenceMode):
        raise Invalid(_("Choose present or remote."), fields={"mode": _("Choose present or remote.")})
    meeting_id = context.meeting["id"]

    async def arrive() -> None:
        stays = await store.stays_of(meeting_id, member["id"])
        current = next((s for s in stays if s["departed_at"] is None), None)
        if current is not None:
            who = next((m["person_name"] for m in context.mandates if m["person"] == current["person"]), "")
            if rules.substitute_blocked(mandate["role"], current["role"]):
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
        if await store.person_checked_in(meeting_id, person):
            raise Conflict(_("This person is already checked in for another member."))
        # Rule 3: a grantor who arrives takes its vote back.
        await store.arrive(
            meeting_id, member["id"], person=person, role=mandate["role"], mode=mode, at=when, by=principal.person_id
        )

    return await record_change(
        context, trigger(QuorumTrigger.arrival, member["slug"]), when, arrive, principal.person_id
    )


async def undo_arrival(context: MeetingContext, principal: Principal, member_slug: str) -> QuorumResult:
    """Take back an arrival recorded by mistake, within a minute: the stay never happened.

    Not a departure: the stay is deleted, the proxies the arrival revoked (rule 3) are live
    again, and the log and the quorum record say ``arrival-undone``. Later, or once a vote
    has opened on an electorate that counted the member, only a departure can be recorded.
    """
    require_register_open(context)
    member = await seated_member(context, member_slug)
    now = clock.now()
    meeting_id = context.meeting["id"]

    async def undo() -> None:
        stay = await _open_stay(context, member)
        # Asked in this order: who may, then when (the vote is looked up only if needed).
        refusal = rules.undo_refusal(
            now,
            stay["arrived_at"],
            secretary=is_secretary(context),
            recorded_it=stay["recorded_by"] == principal.person_id,
            vote_since=False,
        )
        if refusal is None and await store.vote_opened_since(meeting_id, stay["arrived_at"]):
            refusal = UndoRefusal.vote_since
        if refusal is UndoRefusal.not_recorder:
            raise Forbidden(_("Only the secretariat, or whoever recorded it, can undo this arrival."))
        if refusal is UndoRefusal.too_late:
            raise Conflict(
                _(
                    "The arrival of {member} was recorded at {time}: it can be undone only within a minute. "
                    "Record a departure instead."
                ).format(member=member["name"], time=stay["arrived_at"].strftime("%H:%M:%S"))
            )
        if refusal is UndoRefusal.vote_since:
            raise Conflict(_("A vote opened since this arrival: record a departure instead."))
        await store.undo_arrival(meeting_id, member["id"], stay)

    return await record_change(
        context, trigger(QuorumTrigger.arrival_undone, member["slug"]), now, undo, principal.person_id
    )


async def _open_stay(context: MeetingContext, member: Row) -> Row:
    """The member's stay in the meeting that has no departure yet, or a refusal saying so."""
    stay = await store.open_stay(context.meeting["id"], member["id"])
    if stay is None:
        raise Conflict(_("{member} is not checked in.").format(member=member["name"]))
    return stay


async def depart(
    context: MeetingContext, principal: Principal, member_slug: str, *, at: dt.datetime | None = None
) -> QuorumResult:
    """Register a departure: the open stay ends (a return will open a new one)."""
    require_register_open(context)
    when = when_given(at)
    member = await seated_member(context, member_slug)

    async def leave() -> None:
        stay = await _open_stay(context, member)
        if not is_secretary(context) and stay["person"] != principal.person_id:
            raise Forbidden(_("Only the secretariat, or the person checked in, can record this departure."))
        if when < stay["arrived_at"]:
            message = _("{member} arrived at {time}: a departure cannot come before the arrival.").format(
                member=member["name"], time=stay["arrived_at"].strftime("%H:%M")
            )
            raise Invalid(message, fields={"at": message})
        await store.depart(stay["id"], when)

    return await record_change(
        context, trigger(QuorumTrigger.departure, member["slug"]), when, leave, principal.person_id
    )


async def excuse(context: MeetingContext, principal: Principal, member_slug: str, reason: str) -> QuorumResult:
    require_register_open(context)
    if not is_secretary(context):
        raise Forbidden(_("Only the secretariat records apologies."))
    member = await seated_member(context, member_slug)
    when = when_given(None)

    async def record() -> None:
        if await store.checked_in(context.meeting["id"], member["id"]):
            raise Conflict(_("{member} is present: it cannot be excused.").format(member=member["name"]))
        await store.excuse(context.meeting["id"], member["id"], reason=reason, at=when, by=principal.person_id)

    return await record_change(
        context, trigger(QuorumTrigger.excusal, member["slug"]), when, record, principal.person_id
    )


# --- convocation and the quorum record -----------------------------------------------------


async def second_convocation(context: MeetingContext, principal: Principal) -> QuorumResult:
    """Reconvene on second call after the first failed for want of quorum (its own quorum rule)."""
    if not ({MeetingRole.secretary, MeetingRole.chair} & context.roles):
        raise Forbidden(_("Only the chair or the secretariat can move to a second convocation."))
    require_register_open(context)
    if context.meeting["convocation"] == 2:
        raise Conflict(_("The meeting is already on its second convocation."))
    register = await load_register(context)
    if register.quorum.met:
        raise Conflict(_("The quorum of the first convocation is met: there is no second convocation."))
    when = when_given(None)

    async def reconvene() -> None:
        await store.set_convocation(context.meeting["id"], 2)
        context.meeting["convocation"] = 2

    return await record_change(context, trigger(QuorumTrigger.second_convocation), when, reconvene, principal.person_id)


async def quorum_checks(context: MeetingContext) -> list[Row]:
    return await store.quorum_checks(context.meeting["id"])
