"""Back-office pages of the organisation's members (cities): their fees and the CSV import."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template

from governance.errors import Invalid
from governance.formspec import fieldsets
from governance.i18n import gettext as _
from governance.organisations import services
from governance.organisations.backoffice import (
    Form,
    FormPage,
    FormState,
    Multipart,
    Req,
    Row,
    defaults,
    initial,
    name_of,
    org_crumbs,
    org_url,
    submit,
)
from governance.organisations.guards import organisation_of, secretariat
from governance.organisations.schemas import FeeIn, MemberIn
from governance.web import page


def _member_form(org: Row, member: Row | None, fee_form: FormState | None = None) -> FormPage:
    members_url = f"{org_url(org)}/members"
    crumbs = [*org_crumbs(org), (members_url, _("Members"))]
    if member is None:
        return FormPage(
            title=_("New member"),
            action=f"{members_url}/new",
            fieldsets=fieldsets(MemberIn),
            crumbs=crumbs,
            cancel=members_url,
            submit_label=_("Create the member"),
        )
    return FormPage(
        title=_("Edit the member {name}").format(name=member["name"]),
        action=f"{members_url}/{member['slug']}/edit",
        fieldsets=fieldsets(MemberIn),
        crumbs=crumbs,
        cancel=members_url,
        template="organisations/member_edit.html",
        context={
            "member": member,
            "fee_action": f"{members_url}/{member['slug']}/fees",
            "fee_fieldsets": fieldsets(FeeIn),
            "fee_form": fee_form or FormState({}),
        },
    )


class MemberPages(Controller):
    """The organisation's members (cities), their fees, and the CSV import."""

    path = "/organisations/{org:str}/members"
    include_in_schema = False
    guards = [secretariat]

    @get("/")
    async def list_page(
        self,
        request: Req,
        created: int | None = None,
        updated: int | None = None,
        seated: int | None = None,
    ) -> Template:
        org = organisation_of(request)
        members = await services.list_members(org)
        imported = None if created is None else {"created": created, "updated": updated or 0, "seated": seated or 0}
        return page(
            "organisations/members.html",
            org=org,
            members=members,
            imported=imported,
            crumbs=org_crumbs(org),
        )

    @get("/new")
    async def new_form(self, request: Req) -> Template:
        return _member_form(organisation_of(request), None).show(defaults(MemberIn))

    @post("/new")
    async def create(self, request: Req, data: Form) -> Response[Any]:
        org = organisation_of(request)
        return await submit(
            data,
            MemberIn,
            lambda form: services.create_member(org, form),
            then=f"{org_url(org)}/members",
            render=_member_form(org, None),
        )

    @get("/{member:str}/edit")
    async def edit_form(self, request: Req, member: str) -> Template:
        org = organisation_of(request)
        row = await services.get_member(org, member)
        return _member_form(org, row).show(initial(MemberIn, row))

    @post("/{member:str}/edit")
    async def edit(self, request: Req, member: str, data: Form) -> Response[Any]:
        org = organisation_of(request)
        row = await services.get_member(org, member)
        return await submit(
            data,
            MemberIn,
            lambda form: services.update_member(row, form),
            then=f"{org_url(org)}/members",
            render=_member_form(org, row),
        )

    @post("/{member:str}/fees")
    async def set_fee(self, request: Req, member: str, data: Form) -> Response[Any]:
        org = organisation_of(request)
        row = await services.get_member(org, member)

        async def render(state: FormState) -> Template:
            form_page = _member_form(org, row, fee_form=state)
            return form_page.render(FormState(initial(MemberIn, row), status_code=state.status_code))

        return await submit(
            data,
            FeeIn,
            lambda form: services.set_fee(row, form.year, form.paid),
            then=f"{org_url(org)}/members/{row['slug']}/edit",
            render=render,
        )

    async def _import_page(self, org: Row, state: FormState | None = None) -> Template:
        state = state or FormState({})
        bodies = await services.list_bodies(org)
        return page(
            "organisations/import.html",
            status_code=state.status_code,
            org=org,
            bodies=[(body["slug"], name_of(body)) for body in bodies],
            form=state,
            file_lines=[line for line in state.errors.get("file", "").split("\n") if line],
            crumbs=[*org_crumbs(org), (f"{org_url(org)}/members", _("Members"))],
        )

    @get("/import")
    async def import_form(self, request: Req) -> Template:
        return await self._import_page(organisation_of(request))

    @post("/import")
    async def import_members(self, request: Req, data: Multipart) -> Response[Any]:
        org = organisation_of(request)

        async def run(form: Mapping[str, Any]) -> Any:
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise Invalid(
                    _("Nothing was imported: no file was chosen."), fields={"file": _("Choose the CSV file to import.")}
                )
            body_slug = form.get("seat_in_body") or ""
            body = await services.get_body(org, body_slug) if body_slug else None
            return await services.import_members(org, await upload.read(), body)

        return await submit(
            data,
            None,
            run,
            then=lambda report: (
                f"{org_url(org)}/members?created={report.created}&updated={report.updated}&seated={report.seated}"
            ),
            render=lambda state: self._import_page(org, state),
        )
