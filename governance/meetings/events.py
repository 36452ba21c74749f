"""Events (a congress, an annual gathering) that group an organisation's meetings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from piccolo.columns import Column

from governance.db import reading, writing
from governance.errors import Invalid, NotFound
from governance.i18n import gettext as _
from governance.meetings.schemas import EventIn
from governance.meetings.tables import Event

Row = dict[str, Any]


async def list_events(org: Row) -> list[Row]:
    async with reading():
        return await Event.select().where(Event.organisation == org["id"]).order_by(Event.starts_on, ascending=False)


async def get_event(org: Row, slug: str) -> Row:
    async with reading():
        row = await Event.select().where((Event.organisation == org["id"]) & (Event.slug == slug)).first()
    if row is None:
        raise NotFound(_("No such event in this organisation."))
    return row


def _event_problems(data: EventIn) -> dict[str, str]:
    if data.ends_on < data.starts_on:
        return {"ends_on": _("The last day cannot come before the first day.")}
    return {}


def by_column(values: Mapping[str, Any]) -> dict[Column | str, Any]:
    """A row's values as Piccolo's ``update`` takes them (keyed by column name)."""
    return {name: value for name, value in values.items()}


async def create_event(org: Row, data: EventIn) -> Row:
    if problems := _event_problems(data):
        raise Invalid(_("Please correct the fields marked below."), fields=problems)
    async with writing():
        rows = await Event.insert(Event(organisation=org["id"], **data.model_dump(mode="python"))).returning(
            *Event.all_columns()
        )
    return rows[0]


async def update_event(event: Row, data: EventIn) -> Row:
    if problems := _event_problems(data):
        raise Invalid(_("Please correct the fields marked below."), fields=problems)
    async with writing():
        rows = (
            await Event.update(by_column(data.model_dump(mode="python")))
            .where(Event.id == event["id"])
            .returning(*Event.all_columns())
        )
    return rows[0]
