"""Guards for the agenda and motions (each resolves the meeting through the meeting guards)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from governance.agenda.services import drives
from governance.errors import Forbidden
from governance.i18n import gettext as _
from governance.meetings.guards import resolve_meeting
from governance.meetings.roles import MeetingRole

Connection = ASGIConnection[Any, Any, Any, Any]


async def driver(connection: Connection, handler: BaseRouteHandler) -> None:
    """The chair (or the secretary, where the statutes allow) drives the agenda."""
    if not drives(await resolve_meeting(connection)):
        raise Forbidden(_("Only the chair drives the agenda at this meeting."))


async def representative(connection: Connection, handler: BaseRouteHandler) -> None:
    if MeetingRole.representative not in (await resolve_meeting(connection)).roles:
        raise Forbidden(_("Only the representative of a member can do this."))


async def representative_or_secretary(connection: Connection, handler: BaseRouteHandler) -> None:
    if not ({MeetingRole.representative, MeetingRole.secretary} & (await resolve_meeting(connection)).roles):
        raise Forbidden(_("Only a member's representative or the secretariat can do this."))


async def representative_or_driver(connection: Connection, handler: BaseRouteHandler) -> None:
    context = await resolve_meeting(connection)
    if MeetingRole.representative not in context.roles and not drives(context):
        raise Forbidden(_("Only a member's representative or the chair can do this."))


async def driver_or_secretary(connection: Connection, handler: BaseRouteHandler) -> None:
    context = await resolve_meeting(connection)
    if MeetingRole.secretary not in context.roles and not drives(context):
        raise Forbidden(_("Only the chair or the secretariat can do this."))
