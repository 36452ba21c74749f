"""Agenda items and recusals: the secretariat prepares the agenda, the chair takes items up
and closes them; once adopted, the agenda changes only after an adopted "amend the agenda"
motion. A member declares a conflict of interest on an item (DOMAIN 11).

Each use case reads: load (``store``), decide (``rules``), write (``store``), log, notify.
"""

from __future__ import annotations

from governance.agenda import rules, store
from governance.agenda.conduct import (
    Row,
    _require_driver,
    _require_session,
    _rules,
    change,
    drives,
    enforced,
    member_of,
    now,
    secretary,
)
from governance.agenda.model import DecisionType, Item, ItemStatus
from governance.agenda.rules import item_order
from governance.agenda.schemas import ItemIn
from governance.auth import Principal
from governance.db import reading
from governance.errors import Conflict, Invalid, NotFound
from governance.i18n import gettext as _
from governance.meetings.services import MeetingContext
from governance.record import log

__all__ = ["item_order"]

# --- agenda items -------------------------------------------------------------------------


async def list_items(context: MeetingContext) -> list[Row]:
    async with reading():
        return await store.items(context.meeting["id"])


async def get_item(context: MeetingContext, item_id: int) -> Row:
    async with reading():
        row = await store.item(context.meeting["id"], item_id)
    if row is None:
        raise NotFound(_("No such agenda item in this meeting."))
    return row


async def _agenda_changeable(context: MeetingContext) -> bool:
    """May the agenda change now? Returns True when an adopted motion's unlock is used."""
    state = await store.agenda_state(context.meeting["id"])
    return rules.agenda_changeable(
        adopted=state["agenda_adopted_at"] is not None,
        unlocked=state["agenda_unlocked_by"] is not None,
        secretary=secretary(context),
        drives=drives(context),
        agenda_article=context.statutes.agenda_article if context.statutes else None,
    )


@enforced
async def add_item(context: MeetingContext, principal: Principal, data: ItemIn, parent_id: int | None = None) -> Row:
    if data.special and data.decision_type is None:
        # The standard items carry their own decision type (and so their majority).
        data = data.model_copy(update={"decision_type": DecisionType(data.special)})
    if problems := rules.item_problems(data.kind, data.decision_type, data.special):
        raise Invalid(_("Please correct the fields marked below."), fields=problems)
    _rules(context)
    values = data.model_dump(mode="python")
    if context.meeting["status"] == "closed":
        raise Conflict(_("The meeting is closed."))
    meeting_id = context.meeting["id"]

    async def add() -> Row:
        unlocked = await _agenda_changeable(context)
        if parent_id is not None:
            await get_item(context, parent_id)
        if await store.number_taken(meeting_id, data.number):
            message = _("There is already an item {number}.").format(number=data.number)
            raise Conflict(message, fields={"number": message})
        siblings = await store.siblings(meeting_id, parent_id)
        row = await store.insert_item(meeting_id, parent_id, siblings + 1, values)
        if unlocked:
            await store.set_agenda_unlocked_by(meeting_id, None)
        await log.append(
            meeting_id,
            "item_added",
            principal.person_id,
            number=data.number,
            title=data.title_en,
            kind=data.kind,
            after_adoption=unlocked,
        )
        return row

    return await change(context, add)


@enforced
async def open_item(context: MeetingContext, principal: Principal, item_id: int) -> Row:
    """Take up an item: it becomes the meeting's current item."""
    _require_driver(context)
    _require_session(context)
    meeting_id = context.meeting["id"]

    async def take_up() -> Row:
        item = await get_item(context, item_id)
        rules.pending(Item.from_row(item))
        rules.agenda_first(Item.from_row(item), await store.agenda_adopted(meeting_id))
        current = await store.current_item(meeting_id)
        if current is not None:
            await _close(context, principal, current)
        await store.set_item_open(item_id, now())
        await log.append(meeting_id, "item_opened", principal.person_id, number=item["number"])
        return await get_item(context, item_id)

    return await change(context, take_up)


async def _close(context: MeetingContext, principal: Principal, item: Row, status: str = "closed") -> None:
    """Close (or postpone) the item; its speaker's floor ends with it."""
    rules.closable(Item.from_row(item), await store.on_floor(item["id"]), ItemStatus(status))
    at = now()
    await store.set_item_ended(item["id"], status, at)
    await log.append(context.meeting["id"], f"item_{status}", principal.person_id, number=item["number"])
    # The debate on the item is over: its speaker's floor ends (waiting requests stay
    # on that item's list, which the screens no longer show).
    for request in await store.end_floor_on_item(item["id"], at):
        await log.append(
            context.meeting["id"], "floor_ended", principal.person_id, request=request, reason="item closed"
        )


@enforced
async def close_item(context: MeetingContext, principal: Principal, item_id: int) -> Row:
    _require_driver(context)

    async def close() -> Row:
        item = await get_item(context, item_id)
        rules.under_discussion(Item.from_row(item))
        await _close(context, principal, item)
        return await get_item(context, item_id)

    return await change(context, close)


# --- recusals --------------------------------------------------------------------------------


@enforced
async def declare_recusal(
    context: MeetingContext, principal: Principal, item_id: int, reason: str, member_slug: str | None = None
) -> Row:
    """A member declares a conflict of interest on an item (its representative, or the secretariat)."""
    found = None if member_slug is None else await store.member_id(context.organisation["id"], member_slug)
    member_id = rules.recusal_declarant(
        found, member_of(context, principal), secretary=secretary(context), named=member_slug is not None
    )
    meeting_id = context.meeting["id"]

    async def declare() -> None:
        item = await get_item(context, item_id)
        rules.recusable(Item.from_row(item))
        rules.not_yet_recused(await store.recused(item_id, member_id))
        await store.insert_recusal(meeting_id, item_id, member_id, reason.strip()[:300], principal.person_id)
        # The electorate of an open poll on this item was frozen without the recusal.
        # The polls sit above the agenda (they import it): voiding is called upward at run time,
        # never imported at module level (tests/test_architecture.py forbids the cycle).
        from governance.polls.voiding import void_open_polls_on_item

        await void_open_polls_on_item(meeting_id, item_id, principal.person_id, "recusal declared")
        await log.append(
            meeting_id, "recusal_declared", principal.person_id, item=item["number"], member=member_id, reason=reason
        )

    await change(context, declare)
    return (await list_recusals(context, item_id))[-1]


async def list_recusals(context: MeetingContext, item_id: int | None = None) -> list[Row]:
    async with reading():
        return await store.recusals(context.meeting["id"], item_id)
