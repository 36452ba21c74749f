"""Guards for meeting routes (``/meetings/{slug}`` and ``/api/v1/meetings/{slug}``).

Each resolves the meeting and the caller's roles in it once, leaving the
:class:`MeetingContext` in ``connection.state`` for the handler.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler

from governance.accounts.guards import principal_of
from governance.meetings import services
from governance.meetings.roles import MeetingRole


async def _context(connection: ASGIConnection[Any, Any, Any, Any]) -> services.MeetingContext:
    context = await services.meeting_context(connection.path_params["slug"], principal_of(connection))
    connection.state["meeting"] = context
    return context


async def participant(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Anyone with a role in the meeting: secretary, chair, representative or observer."""
    if not (await _context(connection)).roles:
        raise PermissionDeniedException("No role in this meeting")


async def secretary(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if MeetingRole.secretary not in (await _context(connection)).roles:
        raise PermissionDeniedException("Meeting secretary only")


def meeting_of(connection: ASGIConnection[Any, Any, Any, Any]) -> services.MeetingContext:
    return connection.state["meeting"]


async def chair_or_secretary(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not ({MeetingRole.chair, MeetingRole.secretary} & (await _context(connection)).roles):
        raise PermissionDeniedException("Chair or secretary only")
