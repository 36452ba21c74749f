"""Back-office pages of the organisations themselves: the list, one overview, its details and
its secretariat staff."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from governance.accounts.guards import platform_admin, principal_of, signed_in
from governance.formspec import fieldsets
from governance.i18n import gettext as _
from governance.meetings import services as meetings
from governance.organisations import logos, services
from governance.organisations.backoffice import (
    Form,
    FormPage,
    FormState,
    Multipart,
    Req,
    Row,
    defaults,
    initial,
    org_crumbs,
    org_url,
    submit,
)
from governance.organisations.guards import organisation_of, secretariat
from governance.organisations.schemas import OrganisationIn, StaffIn
from governance.web import page


def _organisation_form(org: Row | None) -> FormPage:
    if org is None:
        return FormPage(
            title=_("New organisation"),
            action="/organisations/new",
            fieldsets=fieldsets(OrganisationIn),
            crumbs=org_crumbs(),
            cancel="/organisations",
            submit_label=_("Create the organisation"),
        )
    return FormPage(
        title=_("Edit the organisation"),
        action=f"{org_url(org)}/edit",
        fieldsets=fieldsets(OrganisationIn),
        crumbs=org_crumbs(org),
        cancel=org_url(org),
    )


class OrganisationsPages(Controller):
    """The organisations I may manage; creating one (platform administrators)."""

    path = "/organisations"
    include_in_schema = False

    @get("/", guards=[signed_in])
    async def list_page(self, request: Req) -> Template:
        rows = await services.list_organisations(principal_of(request))
        return page("organisations/list.html", organisations=rows)

    @get("/new", guards=[platform_admin])
    async def new_form(self) -> Template:
        return _organisation_form(None).show(defaults(OrganisationIn))

    @post("/new", guards=[platform_admin])
    async def create(self, data: Form) -> Response[Any]:
        return await submit(
            data,
            OrganisationIn,
            services.create_organisation,
            then=org_url,
            render=_organisation_form(None),
        )


class OrganisationPages(Controller):
    """One organisation: overview, details, secretariat staff."""

    path = "/organisations/{org:str}"
    include_in_schema = False
    guards = [secretariat]

    @get("/")
    async def overview(self, request: Req) -> Template:
        org = organisation_of(request)
        return page(
            "organisations/overview.html",
            org=org,
            bodies=await services.list_bodies(org),
            member_count=len(await services.list_members(org)),
            people_count=len(await services.list_people(org)),
            events=await meetings.list_events(org),
            meeting_count=len(await meetings.list_meetings(org)),
            crumbs=org_crumbs(),
        )

    @get("/edit")
    async def edit_form(self, request: Req) -> Template:
        org = organisation_of(request)
        return _organisation_form(org).show(initial(OrganisationIn, org))

    @post("/edit")
    async def edit(self, request: Req, data: Form) -> Response[Any]:
        org = organisation_of(request)
        return await submit(
            data,
            OrganisationIn,
            lambda form: services.update_organisation(org, form),
            then=org_url,
            render=_organisation_form(org),
        )

    # the logo, for the letterhead of the minutes

    async def _logo_page(self, org: Row, state: FormState | None = None) -> Template:
        state = state or FormState({})
        logo = await services.get_logo(org)
        return page(
            "organisations/logo.html",
            status_code=state.status_code,
            org=org,
            logo=logo,
            preview=logos.data_uri(logo["media_type"], bytes(logo["image"])) if logo else None,
            limit_kb=logos.MAX_BYTES // 1024,
            form=state,
            crumbs=org_crumbs(org),
        )

    @get("/logo")
    async def logo_form(self, request: Req) -> Template:
        return await self._logo_page(organisation_of(request))

    # The body may be a little over the logo's limit (multipart framing): the service then says
    # "too large" in the form. Far larger bodies are refused by Litestar (413) before parsing.
    @post("/logo", request_max_body_size=4 * logos.MAX_BYTES)
    async def upload_logo(self, request: Req, data: Multipart) -> Response[Any]:
        org = organisation_of(request)

        async def run(form: dict[str, Any]) -> Any:
            upload = form.get("logo")
            content = await upload.read() if isinstance(upload, UploadFile) and upload.filename else b""
            return await services.set_logo(org, content)

        return await submit(
            data, None, run, then=f"{org_url(org)}/logo", render=lambda state: self._logo_page(org, state)
        )

    @post("/logo/remove")
    async def remove_logo(self, request: Req) -> Redirect:
        org = organisation_of(request)
        await services.remove_logo(org)
        return Redirect(f"{org_url(org)}/logo", status_code=303)

    # secretariat staff

    async def _staff_page(self, request: Req, add_form: FormState | None = None) -> Template:
        org = organisation_of(request)
        add_form = add_form or FormState({})
        return page(
            "organisations/staff.html",
            status_code=add_form.status_code,
            org=org,
            staff=await services.list_staff(org),
            add_fieldsets=fieldsets(StaffIn),
            add_form=add_form,
            crumbs=org_crumbs(org),
        )

    @get("/staff")
    async def staff(self, request: Req) -> Template:
        return await self._staff_page(request)

    @post("/staff", guards=[platform_admin])
    async def add_staff(self, request: Req, data: Form) -> Response[Any]:
        org = organisation_of(request)
        return await submit(
            data,
            StaffIn,
            lambda form: services.add_staff(org, form.person_email),
            then=f"{org_url(org)}/staff",
            render=lambda state: self._staff_page(request, state),
        )

    @post("/staff/{person_id:int}/remove", guards=[platform_admin])
    async def remove_staff(self, request: Req, person_id: int) -> Redirect:
        org = organisation_of(request)
        await services.remove_staff(org, person_id)
        return Redirect(f"{org_url(org)}/staff", status_code=303)
