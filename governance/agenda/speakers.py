"""The speakers list: who asks for the floor, who has it, who has spoken, and for how long.

A voting representative asks for the floor from the tablet while the meeting is open
and an item is under discussion (one waiting request per person and item); they may
withdraw it while it waits. Whoever drives the agenda gives the floor, in any order
(the queue is shown in the order of the requests), and ends it. One speaker has the
floor at a time in a meeting: giving the floor to the next speaker ends the current
one at the same instant, as a chair expects from one "next speaker" tap (refusing
would cost a second tap each time and leave a gap in the times the minutes cite).
Times are recorded (``requested_at``, ``given_at``, ``ended_at``, ``withdrawn_at``);
a speaker's duration is ``ended_at - given_at``. Every change is logged in the same
transaction. The database backs the rules with partial unique indexes.

The ordering and the durations are pure functions (:func:`build_queue` and friends, in
``governance.agenda.rules``, imported here), so they can be checked without a database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from governance.agenda import services, store
from governance.agenda.rules import build_queue, duration, format_duration, mine, order_waiting, speaker_entry, state
from governance.auth import Principal
from governance.db import IntegrityViolation, reading
from governance.errors import Conflict, Forbidden, NotFound
from governance.i18n import gettext as _
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.record import log

Row = dict[str, Any]
__all__ = ["build_queue", "duration", "format_duration", "mine", "order_waiting", "state"]


# --- reading ----------------------------------------------------------------------------------


async def _open_item(context: MeetingContext) -> Row | None:
    """The item under discussion (at most one: a unique index says so)."""
    return await store.item_under_discussion(context.meeting["id"])


async def _current_speaker(context: MeetingContext) -> Row | None:
    return await store.current_speaker(context.meeting["id"])


async def get_request(context: MeetingContext, request_id: int) -> Row:
    """One request for the floor, with its state (and its place in the queue while it waits)."""
    async with reading():
        row = await store.speaker_request(context.meeting["id"], request_id)
        if row is None:
            raise NotFound(_("No such request for the floor in this meeting."))
        position = None
        if state(row) == "waiting":
            others = await store.waiting_on_item(row["item"])
            position = next(entry["position"] for entry in order_waiting(others) if entry["id"] == request_id)
    return speaker_entry(row, position)


async def queue(context: MeetingContext) -> Row:
    """The speakers list of the meeting now: ``current``, ``waiting`` (in order), ``spoken``."""
    async with reading():
        item = await _open_item(context)
        rows = await store.speaker_requests(context.meeting["id"], item["id"] if item else None)
    result = build_queue(rows, item["id"] if item else None)
    result["item_number"] = item["number"] if item else None
    return result


# --- changes ----------------------------------------------------------------------------------


def _already_waiting() -> str:
    return _("You have already asked for the floor on this item: wait for your turn, or withdraw your request.")


async def _meeting_status(context: MeetingContext) -> str:
    # Read again under the lock: the meeting may have been suspended since the request began.
    return await store.meeting_status(context.meeting["id"])


def _require_driver(context: MeetingContext) -> None:
    if not services.drives(context):
        raise Forbidden(_("Only the chair drives the agenda at this meeting."))


async def request_floor(context: MeetingContext, principal: Principal) -> Row:
    """A voting representative asks for the floor on the item under discussion."""
    if MeetingRole.representative not in context.roles:
        raise Forbidden(_("Only a voting representative can ask for the floor."))
    member = services.member_of(context, principal)

    async def ask() -> int:
        if await _meeting_status(context) != "open":
            raise Conflict(_("The meeting is not in session: nobody can ask for the floor now."))
        item = await _open_item(context)
        if item is None:
            raise Conflict(_("No item is under discussion: there is nothing to ask for the floor on."))
        if await store.has_the_floor(context.meeting["id"], principal.person_id):
            raise Conflict(_("You have the floor already."))
        if await store.waits_on_item(item["id"], principal.person_id):
            raise Conflict(_already_waiting())
        at = services.now()
        request_id = await store.insert_speaker_request(
            context.meeting["id"], item["id"], member, principal.person_id, at
        )
        await log.append(
            context.meeting["id"],
            "floor_requested",
            principal.person_id,
            at,
            request=request_id,
            item=item["number"],
            member=member,
        )
        return request_id

    try:
        request_id = await services.change(context, ask)
    except IntegrityViolation as exc:
        # The index speaker_one_waiting: a second tap that raced the first.
        if exc.kind == "unique":
            raise Conflict(_already_waiting()) from exc
        raise
    return await get_request(context, request_id)


async def withdraw(context: MeetingContext, principal: Principal, request_id: int) -> Row:
    """The speaker withdraws their own request while it waits."""

    async def take_back() -> None:
        row = await get_request(context, request_id)
        if row["person"] != principal.person_id:
            raise Forbidden(_("Only the person who asked for the floor can withdraw the request."))
        if row["withdrawn_at"] is not None:
            raise Conflict(_("This request is already withdrawn."))
        if row["given_at"] is not None:
            raise Conflict(_("You have been given the floor on this request: it can no longer be withdrawn."))
        at = services.now()
        await store.withdraw_request(request_id, at)
        await log.append(
            context.meeting["id"],
            "floor_withdrawn",
            principal.person_id,
            at,
            request=request_id,
            item=row["item_number"],
            member=row["member"],
        )

    await services.change(context, take_back)
    return await get_request(context, request_id)


async def _end(context: MeetingContext, principal: Principal, row: Row, at: dt.datetime, **extra: Any) -> None:
    ended = max(at, row["given_at"])  # never before the start, whatever the clocks say
    await store.end_floor(row["id"], ended)
    await log.append(
        context.meeting["id"],
        "floor_ended",
        principal.person_id,
        ended,
        request=row["id"],
        item=row["item_number"],
        member=row["member"],
        person=row["person"],
        seconds=round((ended - row["given_at"]).total_seconds()),
        **extra,
    )


async def give_floor(context: MeetingContext, principal: Principal, request_id: int) -> Row:
    """Give the floor to a waiting speaker on the current item.

    Whoever speaks now is ended first, at the same instant: "next speaker" is one tap.
    """
    _require_driver(context)

    async def give() -> None:
        status = await _meeting_status(context)
        if status == "suspended":
            raise Conflict(_("The meeting is suspended: resume it before giving the floor."))
        if status != "open":
            raise Conflict(_("The meeting is not in session."))
        row = await get_request(context, request_id)
        if row["state"] == "withdrawn":
            raise Conflict(_("{name} withdrew this request.").format(name=row["person_name"]))
        if row["state"] == "speaking":
            raise Conflict(_("{name} has the floor already.").format(name=row["person_name"]))
        if row["state"] == "spoken":
            raise Conflict(_("{name} has already spoken on this request.").format(name=row["person_name"]))
        item = await _open_item(context)
        if item is None or item["id"] != row["item"]:
            raise Conflict(
                _("This request is for item {number}, which is not under discussion.").format(number=row["item_number"])
            )
        at = max(services.now(), row["requested_at"])
        current = await _current_speaker(context)
        if current is not None:
            await _end(context, principal, current, at, next_request=request_id)
        await store.give_floor(request_id, at)
        await log.append(
            context.meeting["id"],
            "floor_given",
            principal.person_id,
            at,
            request=request_id,
            item=row["item_number"],
            member=row["member"],
            person=row["person"],
            waited=round((at - row["requested_at"]).total_seconds()),
        )

    await services.change(context, give)
    return await get_request(context, request_id)


async def end_floor(context: MeetingContext, principal: Principal, request_id: int | None = None) -> Row:
    """End the current speaker's floor. With ``request_id``, only if that request still has
    it (a console a few seconds behind must not end the next speaker by mistake)."""
    _require_driver(context)

    async def end() -> int:
        if request_id is not None:
            await get_request(context, request_id)  # NotFound for another meeting's request
        current = await _current_speaker(context)
        if current is None:
            raise Conflict(_("Nobody has the floor."))
        if request_id is not None and current["id"] != request_id:
            raise Conflict(_("This speaker no longer has the floor."))
        await _end(context, principal, current, services.now())
        return current["id"]

    ended_id = await services.change(context, end)
    return await get_request(context, ended_id)
