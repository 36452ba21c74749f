"""Guards for meeting routes (``/meetings/{slug}`` and ``/api/v1/meetings/{slug}``).

Each resolves the meeting and the caller's roles in it once, leaving the
:class:`MeetingContext` in ``connection.state`` for the handler.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from governance.accounts.guards import principal_of
from governance.errors import Forbidden
from governance.i18n import gettext as _
from governance.meetings import services
from governance.meetings.roles import MeetingRole


async def resolve_meeting(connection: ASGIConnection[Any, Any, Any, Any]) -> services.MeetingContext:
    """The meeting context of this request, loaded once however many guards ask."""
    slug = connection.path_params["slug"]
    context = connection.state.get("meeting")
    if isinstance(context, services.MeetingContext) and context.meeting["slug"] == slug:
        return context
    context = await services.meeting_context(slug, principal_of(connection))
    connection.state["meeting"] = context
    return context


async def participant(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Anyone with a role in the meeting: secretary, chair, representative or observer."""
    if not (await resolve_meeting(connection)).roles:
        raise Forbidden(_("You have no role in this meeting."))


async def secretary(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    if MeetingRole.secretary not in (await resolve_meeting(connection)).roles:
        raise Forbidden(_("Only the meeting's secretariat can do this."))


def meeting_of(connection: ASGIConnection[Any, Any, Any, Any]) -> services.MeetingContext:
    return connection.state["meeting"]


async def chair_or_secretary(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    if not ({MeetingRole.chair, MeetingRole.secretary} & (await resolve_meeting(connection)).roles):
        raise Forbidden(_("Only the chair or the secretariat can do this."))
