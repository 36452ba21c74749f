"""Guards for the minutes pages (each resolves the meeting through the meeting guards)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from governance.accounts.guards import principal_of
from governance.errors import Forbidden
from governance.i18n import gettext as _
from governance.meetings.guards import resolve_meeting
from governance.meetings.roles import MeetingRole
from governance.minutes import services

Connection = ASGIConnection[Any, Any, Any, Any]


async def commenter(connection: Connection, handler: BaseRouteHandler) -> None:
    """The body's members (their representatives, the chair) and the secretariat comment."""
    roles = (await resolve_meeting(connection)).roles
    if not ({MeetingRole.representative, MeetingRole.chair, MeetingRole.secretary} & roles):
        raise Forbidden(_("Only the body's members and the secretariat comment on the minutes."))


async def signatory(connection: Connection, handler: BaseRouteHandler) -> None:
    """Someone holding (or acting in) an office the statutes have sign the minutes."""
    context = await resolve_meeting(connection)
    held = await services.offices_held(context, principal_of(connection).person_id)
    if not set(held) & set(services.signatory_offices(context)):
        raise Forbidden(_("You do not hold an office that signs the minutes."))
