"""Offices frozen per meeting (issue 17, item 1).

When a meeting is convened, and again when it opens, the log records an ``offices_fixed``
event: who chairs, who holds each office the meeting needs (the minutes' signatories, the
casting vote), who is the meeting's secretary and who represents each member. From then on
the chair, the signatories and the casting vote are read from that record, never from
today's mandates; the mandates of a body with a meeting in session cannot change, and the
chair passes to someone else only through a logged ``chair_handed_over`` event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from governance.accounts.tables import Person
from governance.db import reading
from governance.meetings.roles import chair_mandate
from governance.organisations.tables import Staff
from governance.record.tables import MeetingEvent

Row = dict[str, Any]
FIXED, HANDED_OVER = "offices_fixed", "chair_handed_over"
IN_SESSION = ("convened", "open", "suspended")
DEFAULT_SIGNATORIES = ("president", "secretary_general")


def chair_entry(mandate: Mapping[str, Any] | None) -> Row | None:
    """The chair as the log records it (the shape of a mandate row the pages read)."""
    if mandate is None:
        return None
    return {
        "id": mandate["id"],
        "person": mandate["person"],
        "person_name": mandate.get("person_name") or "",
        "member": mandate["member"],
        "member_name": mandate.get("member_name") or "",
        "office": mandate["office"],
        "acting_office": mandate.get("acting_office"),
    }


def holder(office: str, mandates: Sequence[Mapping[str, Any]], staff: Sequence[Mapping[str, Any]]) -> Row | None:
    """Who holds ``office`` for the meeting: its acting holder if there is one (a Co-President
    acting as President signs as acting), else its holder, else a staff member with that office."""
    for mandate in mandates:
        if mandate.get("acting_office") == office:
            return {"person": mandate["person"], "name": mandate.get("person_name") or "", "acting": True,
                    "mandate": mandate["id"]}  # fmt: skip
    for mandate in mandates:
        if mandate["office"] == office:
            return {"person": mandate["person"], "name": mandate.get("person_name") or "", "acting": False,
                    "mandate": mandate["id"]}  # fmt: skip
    for row in staff:
        if row.get("office") == office:
            return {"person": row["person"], "name": row.get("name") or "", "acting": False, "mandate": None}
    return None


def _representative(mandate: Mapping[str, Any]) -> Row:
    return {
        "mandate": mandate["id"],
        "member": mandate["member"],
        "member_name": mandate.get("member_name") or "",
        "person": mandate["person"],
        "name": mandate.get("person_name") or "",
        "role": mandate["role"],
        "office": mandate["office"],
        "acting_office": mandate.get("acting_office"),
    }


def fix(
    *,
    mandates: Iterable[Mapping[str, Any]],
    named_chair: int | None,
    staff: Sequence[Mapping[str, Any]],
    secretary: Mapping[str, Any] | None,
    signatories: list[str],
    casting_vote: str | None,
) -> Row:
    """The payload of an ``offices_fixed`` event: plain ids and names (pure)."""
    mandates = list(mandates)
    needed = [*signatories, *([casting_vote] if casting_vote and casting_vote not in signatories else [])]
    return {
        "chair": chair_entry(chair_mandate(mandates, named_chair)),
        "offices": {office: holder(office, mandates, staff) for office in needed},
        "signatories": list(signatories),
        "casting_vote": casting_vote,
        "secretary": {"person": secretary["id"], "name": secretary["full_name"]} if secretary else None,
        "representatives": [_representative(m) for m in sorted(mandates, key=lambda m: m["id"])],
    }


async def payload(context: Any, *, statutes: Any = None) -> Row:
    """What the log records for ``context`` (a MeetingContext), from today's mandates and staff."""
    statutes = statutes or context.statutes
    signatories = (
        [o.value for o in statutes.minutes_signatories]
        if statutes is not None and statutes.minutes_signatories
        else list(DEFAULT_SIGNATORIES)
    )
    casting = statutes.casting_vote_office.value if statutes is not None and statutes.casting_vote_office else None
    async with reading():
        staff = (
            await Staff.select(Staff.person, Staff.office, Staff.person.full_name.as_alias("name"))
            .where((Staff.organisation == context.organisation["id"]) & Staff.office.is_not_null())
            .order_by(Staff.id)
        )
        secretary = (
            await Person.select(Person.id, Person.full_name).where(Person.id == context.meeting["secretary"]).first()
            if context.meeting["secretary"]
            else None
        )
    return fix(
        mandates=context.mandates,
        named_chair=context.meeting["chair_mandate"],
        staff=staff,
        secretary=secretary,
        signatories=signatories,
        casting_vote=casting,
    )


async def frozen(meeting_id: int) -> Row | None:
    """The offices the log records for a meeting: the last ``offices_fixed``, with the chair
    of the last ``chair_handed_over`` after it. None before the meeting is convened."""
    async with reading():
        rows = (
            await MeetingEvent.select(MeetingEvent.kind, MeetingEvent.payload)
            .where((MeetingEvent.meeting == meeting_id) & MeetingEvent.kind.is_in([FIXED, HANDED_OVER]))
            .order_by(MeetingEvent.height)
        )
    return current(rows)


def current(rows: list[Row]) -> Row | None:
    """The offices in force after the given events (kind, payload as JSON), in log order."""
    found: Row | None = None
    for row in rows:
        data = json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
        if row["kind"] == FIXED:
            found = data
        elif row["kind"] == HANDED_OVER and found is not None:
            found = {**found, "chair": data["chair"]}
    return found


def offices_of(offices: Row | None, person_id: int) -> dict[str, bool]:
    """The offices ``person_id`` holds in a frozen record: {office: acting?}."""
    if not offices:
        return {}
    return {
        office: bool(held["acting"])
        for office, held in offices["offices"].items()
        if held is not None and held["person"] == person_id
    }
