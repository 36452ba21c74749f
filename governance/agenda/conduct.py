"""The meeting in session, as the agenda's use cases share it: who drives the agenda, the
meeting's status, the member a person represents, and one atomic change (with its log
entries) after which the live pages refresh."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from governance import clock, db
from governance.auth import Principal
from governance.db import writing
from governance.errors import Conflict, Forbidden
from governance.i18n import gettext as _
from governance.meetings import live
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.meetings.tables import Meeting
from governance.organisations.statutes import Statutes
from governance.vocabulary import ItemStatus, MotionStatus, label

Row = dict[str, Any]
OPEN_STATUSES = ("proposed", "seconded", "debate", "voting")
FINAL_STATUSES = ("adopted", "rejected", "withdrawn", "postponed", "referred")


def _said(vocabulary: type[MotionStatus] | type[ItemStatus], code: str) -> str:
    """A status code as words in the reader's language, for a sentence."""
    return label(vocabulary(code))


def now() -> dt.datetime:
    return clock.now()


def _rules(context: MeetingContext) -> Statutes:
    if context.statutes is None:
        raise Conflict(_("The meeting is not convened yet: its rules are not fixed."))
    return context.statutes


def drives(context: MeetingContext) -> bool:
    """The chair drives the agenda; the secretary too where the statutes allow it."""
    statutes = context.statutes
    return MeetingRole.chair in context.roles or (
        MeetingRole.secretary in context.roles and statutes is not None and statutes.secretary_may_drive_agenda
    )


def _require_driver(context: MeetingContext) -> None:
    if not drives(context):
        raise Forbidden(_("Only the chair drives the agenda at this meeting."))


def _require_session(context: MeetingContext) -> None:
    if context.meeting["status"] not in ("open", "suspended"):
        raise Conflict(_("The meeting is not in session."))


async def _lock(context: MeetingContext) -> None:
    if not db.is_sqlite():
        await Meeting.select(Meeting.id).where(Meeting.id == context.meeting["id"]).lock_rows()


async def change(context: MeetingContext, action: Callable[[], Awaitable[Any]]) -> Any:
    """One atomic change (with its log entries), then live pages refresh."""
    async with writing():
        await _lock(context)
        result = await action()
    live.meeting_changed(context.meeting["id"])
    return result


def member_of(context: MeetingContext, principal: Principal) -> int | None:
    """The member the principal represents in this body (voting mandates first)."""
    order = {"principal": 0, "delegate": 1, "substitute": 2}
    mine = [m for m in context.mandates_for(principal.person_id) if m["office"] != "observer"]
    return min(mine, key=lambda m: order[m["role"]])["member"] if mine else None
