"""Who is asking: the principal behind a request, and the request's language.

One ASGI middleware resolves the session cookie to a :class:`Principal` (or None) and
picks the language; guards and services read them. Static files and the health check
skip the database entirely.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Receive, Scope, Send

from governance import i18n
from governance.accounts import sessions
from governance.accounts.principal import LANGUAGE_COOKIE, Principal

_SKIP_PREFIXES = ("/static/", "/health", "/favicon.ico")


__all__ = ["LANGUAGE_COOKIE", "Principal", "RequestContextMiddleware", "load_principal"]


async def load_principal(token: str | None) -> Principal | None:
    """The principal behind a session cookie: one query, never cached (revocation is immediate)."""
    if not token:
        return None
    found = await sessions.session_person(token)
    if found is None:
        return None
    return Principal(
        person_id=found.person_id,
        email=found.email,
        full_name=found.full_name,
        is_admin=found.is_admin,
        language=found.language,
        session_handle=found.handle,
        staff_of=found.staff_of,
    )


class RequestContextMiddleware:
    """Sets ``scope["user"]`` (Principal | None) and the request's language."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        connection: ASGIConnection = ASGIConnection(scope)
        principal: Principal | None = None
        cookies = connection.cookies
        if not scope.get("path", "").startswith(_SKIP_PREFIXES):
            principal = await load_principal(cookies.get(sessions.COOKIE_NAME))
        scope["user"] = principal
        scope["auth"] = principal
        language = (
            cookies.get(LANGUAGE_COOKIE)
            or (principal.language if principal else None)
            or i18n.negotiate(connection.headers.get("accept-language"))
            or i18n.DEFAULT_LANGUAGE
        )
        token = i18n.set_language(language)
        try:
            await self.app(scope, receive, send)
        finally:
            i18n._current.reset(token)
