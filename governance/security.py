"""Security headers on every response.

Pages load scripts and styles only from this server (htmx is vendored): no inline
script is needed, so the policy forbids it. The OpenAPI viewer at /schema loads its
assets from a CDN, so it gets no Content-Security-Policy.

A ``before_send`` hook rather than a middleware: Litestar runs route middleware only for
routed requests, so a 404 or 405 from the router went out without these headers; the hook
wraps the application's ``send`` itself.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


async def security_headers(message: Message, scope: Scope) -> None:
    """Add the headers to every HTTP response. Strict-Transport-Security only on requests
    that came over HTTPS (the ASGI scheme: TLS at uvicorn, or ``X-Forwarded-Proto`` from a
    trusted proxy, GOVERNANCE_TRUSTED_PROXIES); never over plain HTTP, where it means
    nothing (RFC 6797 §7.2)."""
    if message["type"] != "http.response.start" or scope.get("type") != "http":
        return
    headers = MutableScopeHeaders.from_message(message)
    headers["X-Content-Type-Options"] = "nosniff"
    # A one-time link's address holds its token: not even this site gets it as a referrer.
    headers["Referrer-Policy"] = "no-referrer" if scope.get("path", "").startswith("/account/link/") else "same-origin"
    headers["X-Frame-Options"] = "DENY"
    if not scope.get("path", "").startswith("/schema"):
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    if scope.get("scheme") == "https":
        headers["Strict-Transport-Security"] = HSTS
