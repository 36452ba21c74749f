"""The room's screen: display links opened and revoked by the secretariat, and the display
view they open (no login, no personal chrome, read-only), with its live stream."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, ServerSentEvent, ServerSentEventMessage, Template
from pydantic import BaseModel, Field

from governance.accounts.guards import principal_of
from governance.auth import Principal
from governance.errors import NotFound
from governance.forms import as_domain_error
from governance.i18n import gettext as _
from governance.meetings import display, live
from governance.meetings.attendance_controllers import _one_line, _view_facts, quorum_out
from governance.meetings.guards import meeting_of, secretary
from governance.meetings.services import MeetingContext, meeting_context, meeting_out, meeting_row
from governance.web import page

Req = Request[Any, Any, Any]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]

# The display has no reader: panels that ask "who is looking" get nobody (no ballots, no
# casting vote, no floor, no roles).
NOBODY = Principal(
    person_id=0, email="", full_name="", is_admin=False, language="en", session_handle="", staff_of=frozenset()
)


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


async def display_values(context: MeetingContext, facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the room's screen shows: the quorum, the current item, its motions, the vote."""
    from governance.agenda.views import agenda_panel
    from governance.polls.views import poll_panel

    if facts is None:
        facts = await _view_facts(context)
    register = replace(facts["register"], context=context) if facts["register"] is not None else None
    values: dict[str, Any] = {
        "context": context,
        "meeting": meeting_out(context),
        "register": register,
        "quorum": quorum_out(register) if register is not None else None,
        "view": "display",
    }
    values.update(await agenda_panel(context, NOBODY, register, facts["agenda"]))
    values.update(await poll_panel(context, NOBODY, values.get("motions", ()), facts["polls"]))
    return values


async def _opened(token: str) -> tuple[dict[str, Any], MeetingContext]:
    link = await display.meeting_of_token(token)
    if link is None:
        raise NotFound(_("This display link does not exist or was revoked."))
    return link, await meeting_context(link["slug"], None)


class DisplayPages(Controller):
    """Opened by a display link: no login, nothing to post (only GET routes exist here)."""

    path = "/display/{token:str}"
    include_in_schema = False

    @get("/")
    async def show(self, request: Req, token: str) -> Template:
        _link, context = await _opened(token)
        values = await display_values(context)
        return page("meetings/display.html", token=token, **values)

    @get("/live")
    async def live_stream(self, request: Req, token: str) -> ServerSentEvent:
        link, context = await _opened(token)
        engine = request.app.template_engine.engine  # type: ignore[union-attr]
        meeting_id, slug, link_id = context.meeting["id"], context.meeting["slug"], link["id"]

        async def render() -> list[ServerSentEventMessage] | None:
            # Revoking the link ends the stream (revoking wakes the meeting's streams).
            if not await display.is_live(link_id):
                return None
            row = await live.shared(meeting_id, "meeting", lambda: meeting_row(slug))
            fresh = await meeting_context(slug, None, meeting=row)
            facts = await live.shared(meeting_id, "facts", lambda: _view_facts(fresh))
            values = await display_values(fresh, facts)
            values.update(request=request, token=token)
            data = _one_line(engine.get_template("meetings/_display.html").render(values))
            version = hashlib.sha256(data.encode()).hexdigest()[:16]
            return [ServerSentEventMessage(event="display", data=data, id=f"display-{version}")]

        return ServerSentEvent(live.stream(meeting_id, render, ended=revoked_notice))


def revoked_notice() -> str:
    message = _("This display link was revoked: the screen no longer follows the meeting.")
    return f'<p class="banner" role="alert">{message}</p>'
