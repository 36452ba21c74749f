"""Meetings: "my meetings", the meeting page, its lifecycle; events and meetings in the
back office. Pages and JSON API over the same services."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from governance.accounts.guards import principal_of, signed_in
from governance.forms import as_domain_error, parse_form
from governance.formspec import fieldsets, form_values
from governance.i18n import gettext as _
from governance.meetings import services
from governance.meetings.guards import chair_or_secretary, meeting_of, participant, secretary
from governance.meetings.schemas import (
    EventIn,
    EventOut,
    HandOverIn,
    HandOverOut,
    MeetingIn,
    MeetingOut,
    TransitionIn,
)
from governance.organisations.guards import organisation_of, secretariat
from governance.web import page

Req = Request[Any, Any, Any]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class MeetingPages(Controller):
    path = "/meetings"
    include_in_schema = False

    @get("/", guards=[signed_in])
    async def my_meetings(self, request: Req) -> Template:
        return page("meetings/mine.html", meetings=await services.my_meetings(principal_of(request)))

    @get("/{slug:str}/edit", guards=[secretary])
    async def edit_page(self, request: Req, slug: str) -> Template:
        context = meeting_of(request)
        return _meeting_form(context, values=_meeting_values(context), errors={}, message=None)

    @post("/{slug:str}/edit", guards=[secretary])
    async def edit_submit(self, request: Req, slug: str, data: Form) -> Template | Redirect:
        context = meeting_of(request)
        try:
            updated = await services.update_meeting(context, parse_form(MeetingIn, data))
        except Exception as exc:
            error = as_domain_error(exc)
            return _meeting_form(
                context, values=data, errors=error.fields, message=error.message, status_code=error.status_code
            )
        return Redirect(f"/meetings/{updated['slug']}", status_code=303)


def _meeting_values(context: services.MeetingContext) -> dict[str, str]:
    """The stored meeting as the form shows it: local times, codes instead of ids."""
    meeting = services.meeting_out(context)
    values = form_values(meeting.model_dump(include=set(MeetingIn.model_fields)))
    values["secretary_email"] = context.secretary_email or ""
    return values


def _meeting_form(
    context: services.MeetingContext,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    message: str | None,
    status_code: int = 200,
) -> Template:
    slug = context.meeting["slug"]
    return page(
        "form_page.html",
        status_code=status_code,
        title=_("Edit the meeting"),
        action=f"/meetings/{slug}/edit",
        cancel=f"/meetings/{slug}",
        fieldsets=fieldsets(MeetingIn),
        values=values,
        errors=errors,
        message=message,
    )


class MeetingApi(Controller):
    path = "/api/v1/meetings"
    tags = ["meetings"]

    @get("/", guards=[signed_in], summary="My meetings")
    async def list_my_meetings(self, request: Req) -> list[MeetingOut]:
        principal = principal_of(request)
        rows = await services.my_meetings(principal)
        return [services.meeting_out(await services.meeting_context(row["slug"], principal)) for row in rows]

    @get("/{slug:str}", guards=[participant], summary="One meeting, with my roles in it")
    async def get_meeting(self, request: Req, slug: str) -> MeetingOut:
        return services.meeting_out(meeting_of(request))

    @put("/{slug:str}", guards=[secretary], summary="Edit a draft or convened meeting")
    async def update_meeting(self, request: Req, slug: str, data: MeetingIn) -> MeetingOut:
        context = meeting_of(request)
        updated = await services.update_meeting(context, data)
        return services.meeting_out(await services.meeting_context(updated["slug"], principal_of(request)))

    @post(
        "/{slug:str}/status",
        guards=[participant],
        status_code=200,
        summary='Convene, open, suspend or close (closing needs "confirm": true)',
    )
    async def change_status(self, request: Req, slug: str, data: TransitionIn) -> MeetingOut:
        await services.transition(
            meeting_of(request), data.status.value, actor=principal_of(request).person_id, confirmed=data.confirm
        )
        return services.meeting_out(await services.meeting_context(slug, principal_of(request)))

    @post("/{slug:str}/chair", guards=[chair_or_secretary], status_code=200,
          summary="Hand the chair over to another mandate of the body (logged, with the reason)")  # fmt: skip
    async def hand_over(self, request: Req, slug: str, data: HandOverIn) -> HandOverOut:
        event = await services.hand_over_chair(meeting_of(request), principal_of(request).person_id, data.mandate,
                                               data.reason)  # fmt: skip
        return HandOverOut(**event)


class MeetingAdminApi(Controller):
    """Events and meetings in an organisation's back office."""

    path = "/api/v1/organisations/{org:str}"
    tags = ["meetings"]
    guards = [secretariat]

    @get("/events")
    async def list_events(self, request: Req) -> list[EventOut]:
        return [EventOut(**row) for row in await services.list_events(organisation_of(request))]

    @post("/events")
    async def create_event(self, request: Req, data: EventIn) -> EventOut:
        return EventOut(**await services.create_event(organisation_of(request), data))

    @get("/events/{event:str}")
    async def get_event(self, request: Req, event: str) -> EventOut:
        return EventOut(**await services.get_event(organisation_of(request), event))

    @put("/events/{event:str}")
    async def update_event(self, request: Req, event: str, data: EventIn) -> EventOut:
        row = await services.get_event(organisation_of(request), event)
        return EventOut(**await services.update_event(row, data))

    @get("/meetings")
    async def list_meetings(self, request: Req) -> list[MeetingOut]:
        principal = principal_of(request)
        rows = await services.list_meetings(organisation_of(request))
        return [services.meeting_out(await services.meeting_context(row["slug"], principal)) for row in rows]

    @post("/meetings")
    async def create_meeting(self, request: Req, data: MeetingIn) -> MeetingOut:
        created = await services.create_meeting(organisation_of(request), data)
        return services.meeting_out(await services.meeting_context(created["slug"], principal_of(request)))
