"""What every change to the attendance register shares: the register must be open, the
time given is checked, the member named is seated, and the change runs in the meeting's
unit of work with its quorum check and its log event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from governance import clock
from governance.auth import Principal
from governance.errors import Conflict, Invalid
from governance.i18n import gettext as _
from governance.meetings import attendance_rules as rules
from governance.meetings import attendance_store as store
from governance.meetings import unit_of_work
from governance.meetings.attendance_register import load_register
from governance.meetings.attendance_rules import RemoteRefusal, TimeRefusal
from governance.meetings.quorum import QuorumResult
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.record import log

Row = dict[str, Any]


def require_register_open(context: MeetingContext) -> None:
    if not rules.register_open(context.meeting["status"]):
        raise Conflict(_("The attendance register is open only from convening until the meeting closes."))


def when_given(at: dt.datetime | None) -> dt.datetime:
    now = clock.now()
    if at is None:
        return now
    refusal = rules.time_refusal(at, now)
    if refusal is TimeRefusal.naive:
        raise Invalid(_("Give the time with its time zone."), fields={"at": _("Give the time with its time zone.")})
    if refusal is TimeRefusal.future:
        message = _("This time is in the future.")
        raise Invalid(message, fields={"at": message})
    return at.astimezone(dt.UTC)


async def record_change(
    context: MeetingContext,
    trigger: str,
    at: dt.datetime,
    action: Callable[[], Awaitable[None]],
    actor: int,
    details: Callable[[], Awaitable[Row]] | None = None,
) -> QuorumResult:
    """Run ``action``, record the quorum after it and log both, in one unit of work.

    ``details``, if given, is awaited after the action, in the same transaction, for more of
    the log event's payload (a proxy's state: its form's SHA-256, who confirmed, who accepted)."""

    async def work() -> QuorumResult:
        await action()
        result = (await load_register(context)).quorum
        await store.record_quorum_check(
            context.meeting["id"], at=at, trigger=trigger, convocation=context.meeting["convocation"], quorum=result
        )
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
        return result

    return await unit_of_work.change(context, work)


def mandates_for(context: MeetingContext, member_id: int) -> list[Row]:
    return [m for m in context.mandates if m["member"] == member_id and m["office"] != "observer"]


def is_secretary(context: MeetingContext) -> bool:
    return MeetingRole.secretary in context.roles


async def seated_member(context: MeetingContext, slug: str) -> Row:
    row = await store.seated_member(context.organisation["id"], context.body["id"], slug)
    if row is None:
        message = _("This member has no seat in this meeting's body.")
        raise Invalid(message, fields={"member": message})
    return row


def remote_refused(context: MeetingContext, refusal: RemoteRefusal) -> Invalid:
    # The real reason: the statutes exclude it, or they allow it and this meeting was
    # convened in person (its mode, fixed by the convocation, says who may join remotely).
    article = context.statutes.remote_article if context.statutes else ""
    if refusal is RemoteRefusal.statutes:
        message = _("The statutes do not allow remote participation ({article}).").format(article=article)
    else:
        message = _("This meeting is held in person: remote participation is not open ({article}).").format(
            article=article
        )
    return Invalid(message, fields={"mode": message})


def represents(context: MeetingContext, principal: Principal, member_id: int) -> bool:
    return any(
        m["person"] == principal.person_id and m["member"] == member_id and m["office"] != "observer"
        for m in context.mandates
    )
