"""The room's screen: display links opened and revoked by the secretariat, and the display
view they open (no login, no personal chrome, read-only), with its live stream."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from governance.accounts.guards import principal_of
from governance.forms import as_domain_error
from governance.meetings import display
from governance.meetings.guards import meeting_of, secretary
from governance.meetings.services import meeting_out
from governance.web import page

Req = Request[Any, Any, Any]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class DisplayLinkIn(BaseModel):
    label: str = Field(default="", max_length=100, description="Where the screen is, e.g. 'Room B projector'")


class DisplayLinkOut(BaseModel):
    id: int
    label: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    url: str | None = Field(default=None, description="Only when created: the token is not stored")


def _link_out(row: dict[str, Any], url: str | None = None) -> DisplayLinkOut:
    return DisplayLinkOut(
        id=row["id"], label=row["label"], created_at=row["created_at"], revoked_at=row["revoked_at"], url=url
    )


def display_url(request: Req, token: str) -> str:
    return str(request.base_url).rstrip("/") + f"/display/{token}"


class DisplayLinkApi(Controller):
    path = "/api/v1/meetings/{slug:str}/display-links"
    tags = ["attendance"]
    guards = [secretary]

    @get("/", summary="The meeting's display links (the room's screens)")
    async def list_links(self, request: Req) -> list[DisplayLinkOut]:
        return [_link_out(row) for row in await display.list_links(meeting_of(request))]

    @post("/", summary="Open a display link for the room's screen (its URL is shown only now)")
    async def create_link(self, request: Req, data: DisplayLinkIn) -> DisplayLinkOut:
        row, token = await display.create_link(meeting_of(request), principal_of(request), data.label)
        return _link_out(row, display_url(request, token))

    @post("/{link_id:int}/revoke", status_code=200, summary="Revoke a display link: its screen stops at once")
    async def revoke_link(self, request: Req, link_id: int) -> DisplayLinkOut:
        return _link_out(await display.revoke_link(meeting_of(request), principal_of(request), link_id))


class DisplayLinkPages(Controller):
    path = "/meetings/{slug:str}/display-links"
    include_in_schema = False
    guards = [secretary]

    @get("/")
    async def links(self, request: Req) -> Template:
        return await _links_page(request)

    @post("/")
    async def create(self, request: Req, data: Form) -> Template:
        try:
            form = DisplayLinkIn.model_validate({"label": data.get("label", "")})
            _row, token = await display.create_link(meeting_of(request), principal_of(request), form.label)
        except Exception as exc:
            error = as_domain_error(exc)
            return await _links_page(request, message=error.message, status_code=error.status_code)
        return await _links_page(request, new_url=display_url(request, token))

    @post("/{link_id:int}/revoke")
    async def revoke(self, request: Req, link_id: int, data: Form) -> Template | Redirect:
        try:
            await display.revoke_link(meeting_of(request), principal_of(request), link_id)
        except Exception as exc:
            error = as_domain_error(exc)
            return await _links_page(request, message=error.message, status_code=error.status_code)
        return Redirect(f"/meetings/{meeting_of(request).meeting['slug']}/display-links", status_code=303)


async def _links_page(request: Req, *, message: str | None = None, status_code: int = 200, **extra: Any) -> Template:
    context = meeting_of(request)
    return page(
        "meetings/display_links.html",
        status_code=status_code,
        message=message,
        context=context,
        meeting=meeting_out(context),
        links=await display.list_links(context),
        **extra,
    )
