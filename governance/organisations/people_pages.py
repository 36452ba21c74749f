"""Back-office pages of the people of the organisation (its directory)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.response import Redirect, Template

from governance.accounts import links
from governance.accounts.guards import principal_of
from governance.accounts.schemas import PersonIn
from governance.forms import as_domain_error, parse_form
from governance.formspec import fieldsets
from governance.i18n import gettext as _
from governance.organisations import services
from governance.organisations.backoffice import (
    Form,
    FormPage,
    FormState,
    Req,
    Row,
    defaults,
    initial,
    org_crumbs,
    org_url,
    submit,
    typed,
)
from governance.organisations.guards import organisation_of, secretariat
from governance.web import page


def _person_form(org: Row, person_id: int | None) -> FormPage:
    people_url = f"{org_url(org)}/people"
    crumbs = [*org_crumbs(org), (people_url, _("People"))]
    if person_id is None:
        return FormPage(
            title=_("New person"),
            intro=_(
                "You get a one-time invitation link to hand over: with it the person chooses their own password. "
                "Nobody else ever sets it."
            ),
            action=f"{people_url}/new",
            fieldsets=fieldsets(PersonIn),
            crumbs=crumbs,
            cancel=people_url,
            submit_label=_("Add the person and get the invitation link"),
        )
    return FormPage(
        title=_("Edit the person"),
        intro=_(
            "The person sees a change of e-mail address or a deactivation on their account page. "
            "Deactivating an account signs the person out everywhere."
        ),
        action=f"{people_url}/{person_id}/edit",
        fieldsets=fieldsets(PersonIn),
        crumbs=crumbs,
        cancel=people_url,
    )


def _link_shown(request: Req, org: Row, person: Row, delivery: Any) -> Template:
    """The one-time link, shown once to the staff member to hand over (never stored)."""
    from governance.accounts.controllers import access_link_out

    people_url = f"{org_url(org)}/people"
    response = page(
        "organisations/access_link.html",
        org=org,
        person=person,
        link=access_link_out(request, delivery),
        crumbs=[*org_crumbs(org), (people_url, _("People"))],
    )
    response.headers["Cache-Control"] = "no-store"
    return response


class PeoplePages(Controller):
    """The people of the organisation: its directory, mandate holders and staff.

    Staff never set a password: a new person gets an invitation link, an existing one a
    reset link, and the person chooses their own password (``governance.accounts.links``).
    """

    path = "/organisations/{org:str}/people"
    include_in_schema = False
    guards = [secretariat]

    @get("/")
    async def list_page(self, request: Req) -> Template:
        org = organisation_of(request)
        return page(
            "organisations/people.html", org=org, people=await services.list_people(org), crumbs=org_crumbs(org)
        )

    @get("/new")
    async def new_form(self, request: Req) -> Template:
        return _person_form(organisation_of(request), None).show(defaults(PersonIn))

    @post("/new")
    async def create(self, request: Req, data: Form) -> Response[Any]:
        org = organisation_of(request)
        services.refuse_password(data)
        try:
            form = parse_form(PersonIn, data)
            person, delivery = await services.invite_person(org, form, principal_of(request))
        except Exception as exc:
            error = as_domain_error(exc)
            state = FormState(typed(data), error.fields, error.message, error.status_code)
            return _person_form(org, None).render(state)
        if delivery is None:  # created deactivated: no invitation until it is reactivated
            return Redirect(f"{org_url(org)}/people", status_code=303)
        return _link_shown(request, org, person, delivery)

    @get("/{person_id:int}/edit")
    async def edit_form(self, request: Req, person_id: int) -> Template:
        org = organisation_of(request)
        person = await services.get_person(org, person_id)
        return _person_form(org, person_id).show(initial(PersonIn, person))

    @post("/{person_id:int}/edit")
    async def edit(self, request: Req, person_id: int, data: Form) -> Response[Any]:
        org = organisation_of(request)
        services.refuse_password(data)
        await services.get_person(org, person_id)
        return await submit(
            data,
            PersonIn,
            lambda form: services.update_person(org, person_id, form, principal_of(request)),
            then=f"{org_url(org)}/people",
            render=_person_form(org, person_id),
        )

    @post("/{person_id:int}/invitation")
    async def invite(self, request: Req, person_id: int) -> Template:
        org = organisation_of(request)
        person = await services.get_person(org, person_id)
        delivery = await services.send_link(org, person_id, links.INVITATION, principal_of(request))
        return _link_shown(request, org, person, delivery)

    @post("/{person_id:int}/reset-link")
    async def reset_link(self, request: Req, person_id: int) -> Template:
        org = organisation_of(request)
        person = await services.get_person(org, person_id)
        delivery = await services.send_link(org, person_id, links.RESET, principal_of(request))
        return _link_shown(request, org, person, delivery)
