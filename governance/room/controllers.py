"""The meeting room's pages: the tablet, the desk, the console, the projector and their live
stream, and the meeting's own forms that answer with the room (its status, the chair)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, ServerSentEvent, Template

from governance.accounts.guards import principal_of
from governance.forms import as_domain_error
from governance.i18n import gettext as _
from governance.meetings import services
from governance.meetings.guards import chair_or_secretary, meeting_of, participant, secretary
from governance.meetings.roles import MeetingRole
from governance.meetings.schemas import HandOverIn, TransitionIn
from governance.room.pages import desk_extra, render_meeting_page
from governance.room.stream import meeting_stream
from governance.web import page

Req = Request[Any, Any, Any]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class RoomPages(Controller):
    path = "/meetings/{slug:str}"
    include_in_schema = False

    @get("/", guards=[participant])
    async def meeting_page(self, request: Req, slug: str) -> Template:
        return await render_meeting_page(request, "meetings/meeting.html")

    @post("/status", guards=[participant])
    async def change_status(self, request: Req, slug: str, data: Form) -> Template | Redirect:
        context = meeting_of(request)
        # The console runs the meeting too: it answers with the console.
        console = data.get("back") == "console" and bool(context.roles & {MeetingRole.chair, MeetingRole.secretary})
        back = f"/meetings/{slug}/console" if console else f"/meetings/{slug}"
        try:
            confirm = data.get("confirm") == "yes"
            payload = TransitionIn.model_validate({"status": data.get("status", ""), "confirm": confirm})
            await services.transition(
                context, payload.status.value, actor=principal_of(request).person_id, confirmed=payload.confirm
            )
        except services.ConfirmationNeeded as needed:
            # Closing cannot be undone: the page answers with the confirmation step.
            return page(
                "meetings/confirm.html",
                context=context,
                heading=_("Close the meeting?"),
                consequence=needed.message,
                items=await services.untreated_items(context),
                action=f"/meetings/{slug}/status",
                fields={"status": "closed", "back": "console"} if console else {"status": "closed"},
                confirm_label=_("Close the meeting for good"),
                cancel=back,
            )
        except Exception as exc:
            error = as_domain_error(exc)
            return await render_meeting_page(
                request, "meetings/console.html" if console else "meetings/meeting.html", message=error.message,
                status_code=error.status_code,
            )  # fmt: skip
        return Redirect(back, status_code=303)

    @post("/chair", guards=[chair_or_secretary])
    async def hand_over(self, request: Req, slug: str, data: Form) -> Template | Redirect:
        context = meeting_of(request)
        # Back to the console, unless the one who handed the chair over no longer has it.
        console = data.get("back") == "console" and MeetingRole.secretary in context.roles
        try:
            payload = HandOverIn.model_validate({"mandate": data.get("mandate") or 0, "reason": data.get("reason", "")})
            await services.hand_over_chair(context, principal_of(request).person_id, payload.mandate, payload.reason)
        except Exception as exc:
            error = as_domain_error(exc)
            return await render_meeting_page(
                request, "meetings/console.html" if console else "meetings/meeting.html", message=error.message,
                status_code=error.status_code,
            )  # fmt: skip
        return Redirect(f"/meetings/{slug}/console" if console else f"/meetings/{slug}", status_code=303)

    @get("/desk", guards=[secretary])
    async def desk(self, request: Req, q: str = "", arrived: str = "", undone: str = "", left: str = "") -> Template:
        return await render_meeting_page(
            request, "meetings/desk.html", **desk_extra(q, {"arrived": arrived, "undone": undone, "left": left})
        )

    @get("/console", guards=[chair_or_secretary])
    async def console(self, request: Req) -> Template:
        return await render_meeting_page(request, "meetings/console.html")

    @get("/projector", guards=[participant])
    async def projector(self, request: Req) -> Template:
        return await render_meeting_page(request, "meetings/projector.html")

    @get("/live", guards=[participant])
    async def live_stream(self, request: Req) -> ServerSentEvent:
        return meeting_stream(request)
