"""Guards for routes that need only an account (or the platform administrator)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler

from governance.accounts.principal import Principal
from governance.errors import Forbidden
from governance.i18n import gettext as _


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException("Not signed in")
    return user


def signed_in(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    principal_of(connection)


def platform_admin(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    if not principal_of(connection).is_admin:
        raise Forbidden(_("Only a platform administrator can do this."))
