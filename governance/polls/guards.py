"""Guards for the poll engine (each resolves the meeting through the meeting guards)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from governance.db import reading
from governance.errors import Forbidden
from governance.i18n import gettext as _
from governance.meetings.guards import resolve_meeting
from governance.meetings.services import MeetingContext
from governance.polls.refusals import no_office
from governance.polls.tables import Poll

Connection = ASGIConnection[Any, Any, Any, Any]


def holds_casting_vote(context: MeetingContext, person_id: int | None) -> bool:
    """The casting vote belongs to the office the rule set names (an acting holder inherits it)."""
    office = context.statutes.casting_vote_office if context.statutes else None
    if office is not None and context.offices is not None:
        # The holder the log froze for this meeting (offices_fixed), not today's mandates.
        held = context.offices["offices"].get(office.value)
        return held is not None and person_id is not None and held["person"] == person_id
    return office is not None and any(
        m["person"] == person_id and office in (m["office"], m.get("acting_office")) for m in context.mandates
    )


async def casting_vote_holder(connection: Connection, handler: BaseRouteHandler) -> None:
    context = await resolve_meeting(connection)
    principal = connection.scope.get("user")
    if no_office(context.statutes) is not None:
        # Nobody holds what the statutes do not give: say why (with the poll, a secret ballot's tie).
        async with reading():
            poll = (
                await Poll.select(Poll.method, Poll.tie_rule)
                .where((Poll.id == connection.path_params.get("poll_id")) & (Poll.meeting == context.meeting["id"]))
                .first()
            )
        raise Forbidden(no_office(context.statutes, poll) or "")
    if not holds_casting_vote(context, getattr(principal, "person_id", None)):
        raise Forbidden(_("Only the holder of the office named in the statutes casts the deciding vote."))
