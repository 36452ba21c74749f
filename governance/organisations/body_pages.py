"""Back-office pages of an organisation's bodies: each body, its seats and mandates."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.response import Redirect, Template

from governance.formspec import fieldsets
from governance.i18n import gettext as _
from governance.organisations import services
from governance.organisations.backoffice import (
    Form,
    FormPage,
    FormState,
    Req,
    Row,
    as_select,
    body_crumbs,
    body_url,
    defaults,
    deferred,
    initial,
    org_crumbs,
    org_url,
    submit,
)
from governance.organisations.guards import organisation_of, secretariat
from governance.organisations.schemas import BodyIn, MandateIn, SeatIn
from governance.web import page


def _body_form(org: Row, body: Row | None) -> FormPage:
    if body is None:
        return FormPage(
            title=_("New body"),
            action=f"{org_url(org)}/bodies/new",
            fieldsets=fieldsets(BodyIn),
            crumbs=org_crumbs(org),
            cancel=org_url(org),
            submit_label=_("Create the body"),
        )
    return FormPage(
        title=_("Edit the body"),
        action=f"{body_url(org, body)}/edit",
        fieldsets=fieldsets(BodyIn),
        crumbs=body_crumbs(org, body),
        cancel=body_url(org, body),
    )


async def _mandate_form(org: Row, body: Row, mandate_id: int | None) -> FormPage:
    seats = await services.list_seats(body)
    sets = as_select(
        fieldsets(MandateIn),
        "member",
        _("Member"),
        [(seat["member"], f"{seat['member_name']} ({seat['member']})") for seat in seats],
        optional=False,
    )
    intro = "" if seats else _("No member has a seat in this body yet: give members a seat first.")
    if mandate_id is None:
        return FormPage(
            title=_("New mandate"),
            intro=intro,
            action=f"{body_url(org, body)}/mandates/new",
            fieldsets=sets,
            crumbs=body_crumbs(org, body),
            cancel=body_url(org, body),
            submit_label=_("Create the mandate"),
        )
    return FormPage(
        title=_("Edit the mandate"),
        intro=intro,
        action=f"{body_url(org, body)}/mandates/{mandate_id}/edit",
        fieldsets=sets,
        crumbs=body_crumbs(org, body),
        cancel=body_url(org, body),
    )


class BodyPages(Controller):
    """An organisation's bodies, each with its rule set versions, seats and mandates."""

    path = "/organisations/{org:str}/bodies"
    include_in_schema = False
    guards = [secretariat]

    @get("/new")
    async def new_form(self, request: Req) -> Template:
        return _body_form(organisation_of(request), None).show(defaults(BodyIn))

    @post("/new")
    async def create(self, request: Req, data: Form) -> Response[Any]:
        org = organisation_of(request)
        return await submit(
            data,
            BodyIn,
            lambda form: services.create_body(org, form),
            then=lambda body: body_url(org, body),
            render=_body_form(org, None),
        )

    async def _body_page(self, org: Row, body: Row, seat_form: FormState | None = None) -> Template:
        seat_form = seat_form or FormState({})
        seats = await services.list_seats(body)
        seated = {seat["member"] for seat in seats}
        unseated = [
            (member["slug"], f"{member['name']} ({member['slug']})")
            for member in await services.list_members(org)
            if member["slug"] not in seated
        ]
        return page(
            "organisations/body.html",
            status_code=seat_form.status_code,
            org=org,
            body=body,
            rule_sets=await services.list_rule_sets(body),
            seats=seats,
            mandates=await services.list_mandates(body),
            seat_fieldsets=as_select(fieldsets(SeatIn), "member", _("Member"), unseated, optional=False),
            seat_form=seat_form,
            crumbs=org_crumbs(org),
        )

    @get("/{body_slug:str}")
    async def body_page(self, request: Req, body_slug: str) -> Template:
        org = organisation_of(request)
        return await self._body_page(org, await services.get_body(org, body_slug))

    @get("/{body_slug:str}/edit")
    async def edit_form(self, request: Req, body_slug: str) -> Template:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        return _body_form(org, body).show(initial(BodyIn, body))

    @post("/{body_slug:str}/edit")
    async def edit(self, request: Req, body_slug: str, data: Form) -> Response[Any]:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        return await submit(
            data,
            BodyIn,
            lambda form: services.update_body(body, form),
            then=lambda row: body_url(org, row),
            render=_body_form(org, body),
        )

    # seats

    @post("/{body_slug:str}/seats")
    async def add_seat(self, request: Req, body_slug: str, data: Form) -> Response[Any]:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        return await submit(
            data,
            SeatIn,
            lambda form: services.add_seat(org, body, form.member),
            then=body_url(org, body),
            render=lambda state: self._body_page(org, body, state),
        )

    @post("/{body_slug:str}/seats/{member:str}/remove")
    async def remove_seat(self, request: Req, body_slug: str, member: str) -> Redirect:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        await services.remove_seat(org, body, member)
        return Redirect(body_url(org, body), status_code=303)

    # mandates

    @get("/{body_slug:str}/mandates/new")
    async def new_mandate_form(self, request: Req, body_slug: str) -> Template:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        return (await _mandate_form(org, body, None)).show(defaults(MandateIn))

    @post("/{body_slug:str}/mandates/new")
    async def create_mandate(self, request: Req, body_slug: str, data: Form) -> Response[Any]:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        return await submit(
            data,
            MandateIn,
            lambda form: services.create_mandate(org, body, form),
            then=body_url(org, body),
            render=deferred(lambda: _mandate_form(org, body, None)),
        )

    @get("/{body_slug:str}/mandates/{mandate_id:int}/edit")
    async def edit_mandate_form(self, request: Req, body_slug: str, mandate_id: int) -> Template:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        mandate = await services.get_mandate(body, mandate_id)
        return (await _mandate_form(org, body, mandate_id)).show(initial(MandateIn, mandate))

    @post("/{body_slug:str}/mandates/{mandate_id:int}/edit")
    async def edit_mandate(self, request: Req, body_slug: str, mandate_id: int, data: Form) -> Response[Any]:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        return await submit(
            data,
            MandateIn,
            lambda form: services.update_mandate(org, body, mandate_id, form),
            then=body_url(org, body),
            render=deferred(lambda: _mandate_form(org, body, mandate_id)),
        )

    @post("/{body_slug:str}/mandates/{mandate_id:int}/delete")
    async def delete_mandate(self, request: Req, body_slug: str, mandate_id: int) -> Redirect:
        org = organisation_of(request)
        body = await services.get_body(org, body_slug)
        await services.delete_mandate(body, mandate_id)
        return Redirect(body_url(org, body), status_code=303)
