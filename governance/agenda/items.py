"""Agenda items and recusals: the secretariat prepares the agenda, the chair takes items up
and closes them; once adopted, the agenda changes only after an adopted "amend the agenda"
motion. A member declares a conflict of interest on an item (DOMAIN 11)."""

from __future__ import annotations

from governance.agenda.conduct import (
    Row,
    _require_driver,
    _require_session,
    _rules,
    _said,
    change,
    drives,
    member_of,
    now,
)
from governance.agenda.schemas import ItemIn
from governance.agenda.tables import AgendaItem, Motion, Recusal, SpeakerRequest
from governance.auth import Principal
from governance.db import reading
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.i18n import gettext as _
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.meetings.tables import Meeting
from governance.organisations.tables import Member
from governance.polls.voiding import void_open_polls_on_item
from governance.record import log
from governance.vocabulary import DecisionType, ItemStatus

# --- agenda items -------------------------------------------------------------------------


def item_order(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


async def list_items(context: MeetingContext) -> list[Row]:
    async with reading():
        rows = await AgendaItem.select().where(AgendaItem.meeting == context.meeting["id"])
    return sorted(rows, key=lambda row: item_order(row["number"]))


async def get_item(context: MeetingContext, item_id: int) -> Row:
    async with reading():
        row = (
            await AgendaItem.select()
            .where((AgendaItem.id == item_id) & (AgendaItem.meeting == context.meeting["id"]))
            .first()
        )
    if row is None:
        raise NotFound(_("No such agenda item in this meeting."))
    return row


def _item_problems(data: ItemIn) -> dict[str, str]:
    problems: dict[str, str] = {}
    if data.kind in ("decision", "election") and data.decision_type is None:
        problems["decision_type"] = _("Say which kind of decision this is: it selects the majority.")
    if data.kind not in ("decision", "election") and data.decision_type is not None:
        problems["decision_type"] = _("Only decisions and elections have a decision type.")
    if data.special and data.kind != "decision":
        problems["special"] = _("Adopting the agenda and approving minutes are decisions.")
    if data.special == "agenda" and data.decision_type not in (None, "agenda"):
        problems["decision_type"] = _("The adoption of the agenda is an agenda decision.")
    if data.special == "minutes" and data.decision_type not in (None, "minutes"):
        problems["decision_type"] = _("The approval of minutes is a minutes decision.")
    return problems


async def _check_agenda_changeable(context: MeetingContext) -> bool:
    """May the agenda change now? Returns True when an adopted motion's unlock is used."""
    meeting = (
        await Meeting.select(Meeting.agenda_adopted_at, Meeting.agenda_unlocked_by)
        .where(Meeting.id == context.meeting["id"])
        .first()
    )
    if meeting["agenda_adopted_at"] is None:
        if MeetingRole.secretary not in context.roles and not drives(context):
            raise Forbidden(_("The secretariat prepares the agenda."))
        return False
    if meeting["agenda_unlocked_by"] is None:
        rules = _rules(context)
        raise Conflict(
            _(
                "The agenda is adopted: changing it needs a decision ({article}). "
                "Propose a procedural motion to amend the agenda first."
            ).format(article=rules.agenda_article)
        )
    if not drives(context):
        raise Forbidden(_("Only the chair drives the agenda at this meeting."))
    return True


async def add_item(context: MeetingContext, principal: Principal, data: ItemIn, parent_id: int | None = None) -> Row:
    if data.special and data.decision_type is None:
        # The standard items carry their own decision type (and so their majority).
        data = data.model_copy(update={"decision_type": DecisionType(data.special)})
    if problems := _item_problems(data):
        raise Invalid(_("Please correct the fields marked below."), fields=problems)
    _rules(context)
    values = data.model_dump(mode="python")
    if context.meeting["status"] == "closed":
        raise Conflict(_("The meeting is closed."))

    async def add() -> Row:
        unlocked = await _check_agenda_changeable(context)
        if parent_id is not None:
            await get_item(context, parent_id)
        if await AgendaItem.exists().where(
            (AgendaItem.meeting == context.meeting["id"]) & (AgendaItem.number == data.number)
        ):
            message = _("There is already an item {number}.").format(number=data.number)
            raise Conflict(message, fields={"number": message})
        siblings = await AgendaItem.count().where(
            (AgendaItem.meeting == context.meeting["id"])
            & (AgendaItem.parent.is_null() if parent_id is None else AgendaItem.parent == parent_id)
        )
        rows = await AgendaItem.insert(
            AgendaItem(meeting=context.meeting["id"], parent=parent_id, position=siblings + 1, **values)
        ).returning(*AgendaItem.all_columns())
        if unlocked:
            await Meeting.update({Meeting.agenda_unlocked_by: None}).where(Meeting.id == context.meeting["id"])
        await log.append(
            context.meeting["id"],
            "item_added",
            principal.person_id,
            number=data.number,
            title=data.title_en,
            kind=data.kind,
            after_adoption=unlocked,
        )
        return rows[0]

    return await change(context, add)


async def open_item(context: MeetingContext, principal: Principal, item_id: int) -> Row:
    """Take up an item: it becomes the meeting's current item."""
    _require_driver(context)
    _require_session(context)

    async def take_up() -> Row:
        item = await get_item(context, item_id)
        if item["status"] != "pending":
            raise Conflict(
                _("Item {number} is {status}: it cannot be taken up.").format(
                    number=item["number"], status=_said(ItemStatus, item["status"])
                )
            )
        meeting = await Meeting.select(Meeting.agenda_adopted_at).where(Meeting.id == context.meeting["id"]).first()
        if meeting["agenda_adopted_at"] is None and item["special"] != "agenda":
            raise Conflict(_("Adopt the agenda first: take up the item on the adoption of the agenda."))
        current = (
            await AgendaItem.select()
            .where((AgendaItem.meeting == context.meeting["id"]) & (AgendaItem.status == "open"))
            .first()
        )
        if current is not None:
            await _close(context, principal, current)
        await AgendaItem.update({AgendaItem.status: "open", AgendaItem.opened_at: now()}).where(
            AgendaItem.id == item_id
        )
        await log.append(context.meeting["id"], "item_opened", principal.person_id, number=item["number"])
        return await get_item(context, item_id)

    return await change(context, take_up)


async def _close(context: MeetingContext, principal: Principal, item: Row, status: str = "closed") -> None:
    on_floor = await Motion.count().where((Motion.item == item["id"]) & Motion.status.is_in(["debate", "voting"]))
    if on_floor and status == "closed":
        raise Conflict(
            _("Item {number} still has motions on the floor: dispose of them first.").format(number=item["number"])
        )
    at = now()
    await AgendaItem.update({AgendaItem.status: status, AgendaItem.closed_at: at}).where(AgendaItem.id == item["id"])
    await log.append(context.meeting["id"], f"item_{status}", principal.person_id, number=item["number"])
    # The debate on the item is over: its speaker's floor ends (waiting requests stay
    # on that item's list, which the screens no longer show).
    ended = (
        await SpeakerRequest.update({SpeakerRequest.ended_at: at})
        .where(
            (SpeakerRequest.item == item["id"])
            & SpeakerRequest.given_at.is_not_null()
            & SpeakerRequest.ended_at.is_null()
        )
        .returning(SpeakerRequest.id)
    )
    for row in ended:
        await log.append(
            context.meeting["id"], "floor_ended", principal.person_id, request=row["id"], reason="item closed"
        )


async def close_item(context: MeetingContext, principal: Principal, item_id: int) -> Row:
    _require_driver(context)

    async def close() -> Row:
        item = await get_item(context, item_id)
        if item["status"] != "open":
            raise Conflict(_("Item {number} is not under discussion.").format(number=item["number"]))
        await _close(context, principal, item)
        return await get_item(context, item_id)

    return await change(context, close)


# --- recusals --------------------------------------------------------------------------------


async def declare_recusal(
    context: MeetingContext, principal: Principal, item_id: int, reason: str, member_slug: str | None = None
) -> Row:
    """A member declares a conflict of interest on an item (its representative, or the secretariat)."""
    secretary = MeetingRole.secretary in context.roles
    member_id = member_of(context, principal)
    if member_slug is not None:
        found = (
            await Member.select(Member.id)
            .where((Member.slug == member_slug) & (Member.organisation == context.organisation["id"]))
            .first()
        )
        if found is None:
            raise Invalid(_("No such member."), fields={"member": _("No such member.")})
        if found["id"] != member_id and not secretary:
            raise Forbidden(_("Only the member's own representative, or the secretariat, declares its recusal."))
        member_id = found["id"]
    if member_id is None:
        if secretary:
            message = _("Say which member declares the recusal.")
            raise Invalid(message, fields={"member": message})
        raise Forbidden(_("Only a member's representative, or the secretariat, declares a recusal."))

    async def declare() -> None:
        item = await get_item(context, item_id)
        if item["status"] in ("closed", "withdrawn"):
            raise Conflict(
                _("Item {number} is {status}.").format(number=item["number"], status=_said(ItemStatus, item["status"]))
            )
        if await Recusal.exists().where((Recusal.item == item_id) & (Recusal.member == member_id)):
            raise Conflict(_("This recusal is already declared."))
        await Recusal.insert(
            Recusal(
                meeting=context.meeting["id"],
                item=item_id,
                member=member_id,
                reason=reason.strip()[:300],
                declared_by=principal.person_id,
            )
        )
        # The electorate of an open poll on this item was frozen without the recusal.
        await void_open_polls_on_item(context.meeting["id"], item_id, principal.person_id, "recusal declared")
        await log.append(
            context.meeting["id"],
            "recusal_declared",
            principal.person_id,
            item=item["number"],
            member=member_id,
            reason=reason,
        )

    await change(context, declare)
    return (await list_recusals(context, item_id))[-1]


async def list_recusals(context: MeetingContext, item_id: int | None = None) -> list[Row]:
    async with reading():
        query = (
            Recusal.select(
                Recusal.item,
                Recusal.member,
                Recusal.member.slug.as_alias("member_slug"),
                Recusal.member.name.as_alias("member_name"),
                Recusal.reason,
                Recusal.declared_at,
            )
            .where(Recusal.meeting == context.meeting["id"])
            .order_by(Recusal.id)
        )
        if item_id is not None:
            query = query.where(Recusal.item == item_id)
        return await query
