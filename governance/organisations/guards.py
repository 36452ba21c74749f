"""Guards for the back office: every route under ``/organisations/{org}`` (pages) and
``/api/v1/organisations/{org}`` (API) needs the organisation's secretariat or the
platform administrator. The resolved organisation is left in ``connection.state``.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from governance.accounts.guards import principal_of
from governance.errors import Forbidden
from governance.i18n import gettext as _
from governance.organisations import services


async def secretariat(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    principal = principal_of(connection)
    org = await services.get_organisation(connection.path_params["org"])
    if not principal.is_secretariat_of(org["id"]):
        raise Forbidden(_("Only this organisation's secretariat can do this."))
    connection.state["organisation"] = org


def organisation_of(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    """The organisation the ``secretariat`` guard resolved for this request."""
    return connection.state["organisation"]
