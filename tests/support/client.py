"""The in-process HTTP client the ``client`` and ``make_client`` fixtures hand out."""

from __future__ import annotations

from typing import Any

import httpx

from .database import DEMO_PASSWORD


class Client:
    """A browser-like or API client: cookies kept, CSRF handled, sign-in helpers."""

    def __init__(self, app: Any) -> None:
        # httpx's ASGI transport runs the app in the test's own event loop; Litestar's
        # AsyncTestClient uses a blocking portal (another loop), which breaks the
        # asyncpg pool that belongs to this one.
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 50000)), base_url="http://testserver.local"
        )

    @property
    def csrf(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    async def ensure_csrf(self) -> str:
        if not self.csrf:
            await self.http.get("/login")
        return self.csrf

    async def api_login(self, email: str, password: str = DEMO_PASSWORD) -> Any:
        return await self.http.post("/api/v1/auth/login", json={"email": email, "password": password})

    async def page_login(self, email: str, password: str = DEMO_PASSWORD) -> Any:
        token = await self.ensure_csrf()
        return await self.http.post(
            "/login", data={"email": email, "password": password, "_csrf_token": token}, follow_redirects=False
        )

    async def get(self, url: str, **kwargs: Any) -> Any:
        return await self.http.get(url, **kwargs)

    async def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        token = await self.ensure_csrf()
        return await self.http.post(url, data={**(data or {}), "_csrf_token": token}, **kwargs)

    async def send(self, method: str, url: str, json: Any = None, **kwargs: Any) -> Any:
        """An API call with the CSRF header (unsafe methods)."""
        token = await self.ensure_csrf()
        headers = {"x-csrftoken": token, **kwargs.pop("headers", {})}
        return await self.http.request(method, url, json=json, headers=headers, **kwargs)
