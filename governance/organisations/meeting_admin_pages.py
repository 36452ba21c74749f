"""Back-office pages of an organisation's events and meetings (a meeting itself lives at
``/meetings/{slug}``)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Response, get, post
from litestar.response import Template

from governance.formspec import fieldsets
from governance.i18n import gettext as _
from governance.i18n import lazy_gettext as _l
from governance.meetings import services as meetings
from governance.meetings.schemas import EventIn, MeetingIn
from governance.organisations import services
from governance.organisations.backoffice import (
    Form,
    FormPage,
    Req,
    Row,
    as_select,
    defaults,
    deferred,
    initial,
    name_of,
    org_crumbs,
    org_url,
    submit,
)
from governance.organisations.guards import organisation_of, secretariat
from governance.web import page

MEETING_GROUPS: list[tuple[Any, list[str]]] = [
    (_l("Meeting"), ["slug", "body", "event", "title_en", "title_fr", "title_es", "kind", "convocation"]),
    (_l("When and where"), ["mode", "venue", "time_zone", "starts_at", "ends_at"]),
    (_l("Running the meeting"), ["self_check_in", "secretary_email"]),
]


def _event_form(org: Row, event: Row | None) -> FormPage:
    meetings_url = f"{org_url(org)}/meetings"
    crumbs = [*org_crumbs(org), (meetings_url, _("Events and meetings"))]
    if event is None:
        return FormPage(
            title=_("New event"),
            intro=_("An event gathers meetings held at one place and time, e.g. a World Congress."),
            action=f"{org_url(org)}/events/new",
            fieldsets=fieldsets(EventIn),
            crumbs=crumbs,
            cancel=meetings_url,
            submit_label=_("Create the event"),
        )
    return FormPage(
        title=_("Edit the event"),
        action=f"{org_url(org)}/events/{event['slug']}/edit",
        fieldsets=fieldsets(EventIn),
        crumbs=crumbs,
        cancel=meetings_url,
    )


async def _meeting_form(org: Row) -> FormPage:
    bodies = [(body["slug"], name_of(body)) for body in await services.list_bodies(org)]
    events = [(event["slug"], name_of(event)) for event in await meetings.list_events(org)]
    sets = as_select(fieldsets(MeetingIn, groups=MEETING_GROUPS), "body", _("Body"), bodies, optional=False)
    sets = as_select(sets, "event", _("Event"), events, optional=True)
    meetings_url = f"{org_url(org)}/meetings"
    return FormPage(
        title=_("New meeting"),
        intro=_("Times are local to the meeting's time zone. The rule set in force on the first day governs it."),
        action=f"{org_url(org)}/meetings/new",
        fieldsets=sets,
        crumbs=[*org_crumbs(org), (meetings_url, _("Events and meetings"))],
        cancel=meetings_url,
        submit_label=_("Create the meeting"),
    )


class MeetingAdminPages(Controller):
    """Events and meetings of the organisation (a meeting itself lives at /meetings/{slug})."""

    path = "/organisations/{org:str}"
    include_in_schema = False
    guards = [secretariat]

    @get("/meetings")
    async def list_page(self, request: Req) -> Template:
        org = organisation_of(request)
        return page(
            "organisations/meetings.html",
            org=org,
            events=await meetings.list_events(org),
            meetings=[
                {**row, "starts_local": row["starts_at"].astimezone(ZoneInfo(row["time_zone"]))}
                for row in await meetings.list_meetings(org)
            ],
            crumbs=org_crumbs(org),
        )

    @get("/events/new")
    async def new_event_form(self, request: Req) -> Template:
        return _event_form(organisation_of(request), None).show(defaults(EventIn))

    @post("/events/new")
    async def create_event(self, request: Req, data: Form) -> Response[Any]:
        org = organisation_of(request)
        return await submit(
            data,
            EventIn,
            lambda form: meetings.create_event(org, form),
            then=f"{org_url(org)}/meetings",
            render=_event_form(org, None),
        )

    @get("/events/{event:str}/edit")
    async def edit_event_form(self, request: Req, event: str) -> Template:
        org = organisation_of(request)
        row = await meetings.get_event(org, event)
        return _event_form(org, row).show(initial(EventIn, row))

    @post("/events/{event:str}/edit")
    async def edit_event(self, request: Req, event: str, data: Form) -> Response[Any]:
        org = organisation_of(request)
        row = await meetings.get_event(org, event)
        return await submit(
            data,
            EventIn,
            lambda form: meetings.update_event(row, form),
            then=f"{org_url(org)}/meetings",
            render=_event_form(org, row),
        )

    @get("/meetings/new")
    async def new_meeting_form(self, request: Req) -> Template:
        org = organisation_of(request)
        return (await _meeting_form(org)).show(defaults(MeetingIn))

    @post("/meetings/new")
    async def create_meeting(self, request: Req, data: Form) -> Response[Any]:
        org = organisation_of(request)
        return await submit(
            data,
            MeetingIn,
            lambda form: meetings.create_meeting(org, form),
            then=lambda row: f"/meetings/{row['slug']}",
            render=deferred(lambda: _meeting_form(org)),
        )
