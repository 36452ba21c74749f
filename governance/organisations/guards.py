"""Guards for the back office: every route under ``/organisations/{org}`` (pages) and
``/api/v1/organisations/{org}`` (API) needs the organisation's secretariat or the
platform administrator. The resolved organisation is left in ``connection.state``.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler

from governance.accounts.guards import principal_of
from governance.organisations import services


async def secretariat(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    principal = principal_of(connection)
    org = await services.get_organisation(connection.path_params["org"])
    if not principal.is_secretariat_of(org["id"]):
        raise PermissionDeniedException("Not on this organisation's secretariat")
    connection.state["organisation"] = org


def organisation_of(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    """The organisation the ``secretariat`` guard resolved for this request."""
    return connection.state["organisation"]
