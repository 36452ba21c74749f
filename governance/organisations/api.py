"""JSON API for the back office: /api/v1/organisations/..."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from governance.accounts import links
from governance.accounts.controllers import access_link_out
from governance.accounts.guards import platform_admin, principal_of, signed_in
from governance.accounts.schemas import AccessLinkOut, InvitedPersonOut, PersonIn, PersonOut
from governance.accounts.services import person_out
from governance.errors import Invalid
from governance.i18n import gettext as _
from governance.organisations import services
from governance.organisations.guards import organisation_of, secretariat
from governance.organisations.schemas import (
    BodyIn,
    BodyOut,
    FeeIn,
    ImportReport,
    MajorityRuleIn,
    MajorityRuleOut,
    MandateIn,
    MandateOut,
    MemberIn,
    MemberOut,
    OrganisationIn,
    OrganisationOut,
    RuleSetIn,
    RuleSetOut,
    SeatIn,
    SeatOut,
    StaffIn,
    StaffOut,
)

Req = Request[Any, Any, Any]


class OrganisationsApi(Controller):
    path = "/api/v1/organisations"
    tags = ["organisations"]

    @get("/", guards=[signed_in], summary="Organisations whose back office I may use")
    async def list_organisations(self, request: Req) -> list[OrganisationOut]:
        return [OrganisationOut(**row) for row in await services.list_organisations(principal_of(request))]

    @post("/", guards=[platform_admin], summary="Create an organisation (platform administrators)")
    async def create_organisation(self, data: OrganisationIn) -> OrganisationOut:
        return OrganisationOut(**await services.create_organisation(data))


class OrganisationApi(Controller):
    """Everything under one organisation: its secretariat (or the platform admin) only."""

    path = "/api/v1/organisations/{org:str}"
    tags = ["organisations"]
    guards = [secretariat]

    @get("/")
    async def get_organisation(self, request: Req) -> OrganisationOut:
        return OrganisationOut(**organisation_of(request))

    @put("/")
    async def update_organisation(self, request: Req, data: OrganisationIn) -> OrganisationOut:
        return OrganisationOut(**await services.update_organisation(organisation_of(request), data))

    # staff
    @get("/staff")
    async def list_staff(self, request: Req) -> list[StaffOut]:
        return [StaffOut(**row) for row in await services.list_staff(organisation_of(request))]

    @post("/staff", guards=[platform_admin])
    async def add_staff(self, request: Req, data: StaffIn) -> StaffOut:
        return StaffOut(**await services.add_staff(organisation_of(request), data.person_email))

    @delete("/staff/{person_id:int}", guards=[platform_admin], status_code=204)
    async def remove_staff(self, request: Req, person_id: int) -> None:
        await services.remove_staff(organisation_of(request), person_id)

    # bodies
    @get("/bodies")
    async def list_bodies(self, request: Req) -> list[BodyOut]:
        return [BodyOut(**row) for row in await services.list_bodies(organisation_of(request))]

    @post("/bodies")
    async def create_body(self, request: Req, data: BodyIn) -> BodyOut:
        return BodyOut(**await services.create_body(organisation_of(request), data))

    @get("/bodies/{body_slug:str}")
    async def get_body(self, request: Req, body_slug: str) -> BodyOut:
        return BodyOut(**await services.get_body(organisation_of(request), body_slug))

    @put("/bodies/{body_slug:str}")
    async def update_body(self, request: Req, body_slug: str, data: BodyIn) -> BodyOut:
        row = await services.get_body(organisation_of(request), body_slug)
        return BodyOut(**await services.update_body(row, data))

    # rule sets
    @get("/bodies/{body_slug:str}/rule-sets")
    async def list_rule_sets(self, request: Req, body_slug: str) -> list[RuleSetOut]:
        row = await services.get_body(organisation_of(request), body_slug)
        return [RuleSetOut(**r) for r in await services.list_rule_sets(row)]

    @post("/bodies/{body_slug:str}/rule-sets")
    async def create_rule_set(self, request: Req, body_slug: str, data: RuleSetIn) -> RuleSetOut:
        row = await services.get_body(organisation_of(request), body_slug)
        return RuleSetOut(**await services.create_rule_set(row, data))

    @get("/bodies/{body_slug:str}/rule-sets/{version:int}")
    async def get_rule_set(self, request: Req, body_slug: str, version: int) -> RuleSetOut:
        row = await services.get_body(organisation_of(request), body_slug)
        return RuleSetOut(**await services.get_rule_set(row, version))

    @put("/bodies/{body_slug:str}/rule-sets/{version:int}")
    async def update_rule_set(self, request: Req, body_slug: str, version: int, data: RuleSetIn) -> RuleSetOut:
        row = await services.get_body(organisation_of(request), body_slug)
        rule_set = await services.get_rule_set(row, version)
        return RuleSetOut(**await services.update_rule_set(rule_set, data))

    @get("/bodies/{body_slug:str}/rule-sets/{version:int}/majorities")
    async def list_majorities(self, request: Req, body_slug: str, version: int) -> list[MajorityRuleOut]:
        row = await services.get_body(organisation_of(request), body_slug)
        rule_set = await services.get_rule_set(row, version)
        return [MajorityRuleOut(**r) for r in await services.list_majorities(rule_set)]

    @put("/bodies/{body_slug:str}/rule-sets/{version:int}/majorities", summary="Create or replace a majority rule")
    async def set_majority(self, request: Req, body_slug: str, version: int, data: MajorityRuleIn) -> MajorityRuleOut:
        row = await services.get_body(organisation_of(request), body_slug)
        rule_set = await services.get_rule_set(row, version)
        return MajorityRuleOut(**await services.set_majority(rule_set, data))

    @delete("/bodies/{body_slug:str}/rule-sets/{version:int}/majorities/{decision_type:str}", status_code=204)
    async def delete_majority(self, request: Req, body_slug: str, version: int, decision_type: str) -> None:
        row = await services.get_body(organisation_of(request), body_slug)
        rule_set = await services.get_rule_set(row, version)
        await services.delete_majority(rule_set, decision_type)

    # seats
    @get("/bodies/{body_slug:str}/seats")
    async def list_seats(self, request: Req, body_slug: str) -> list[SeatOut]:
        row = await services.get_body(organisation_of(request), body_slug)
        return [SeatOut(**r) for r in await services.list_seats(row)]

    @post("/bodies/{body_slug:str}/seats")
    async def add_seat(self, request: Req, body_slug: str, data: SeatIn) -> SeatOut:
        org = organisation_of(request)
        row = await services.get_body(org, body_slug)
        return SeatOut(**await services.add_seat(org, row, data.member))

    @delete("/bodies/{body_slug:str}/seats/{member:str}", status_code=204)
    async def remove_seat(self, request: Req, body_slug: str, member: str) -> None:
        org = organisation_of(request)
        await services.remove_seat(org, await services.get_body(org, body_slug), member)

    # mandates
    @get("/bodies/{body_slug:str}/mandates")
    async def list_mandates(self, request: Req, body_slug: str) -> list[MandateOut]:
        row = await services.get_body(organisation_of(request), body_slug)
        return [MandateOut(**r) for r in await services.list_mandates(row)]

    @post("/bodies/{body_slug:str}/mandates")
    async def create_mandate(self, request: Req, body_slug: str, data: MandateIn) -> MandateOut:
        org = organisation_of(request)
        row = await services.get_body(org, body_slug)
        return MandateOut(**await services.create_mandate(org, row, data))

    @put("/bodies/{body_slug:str}/mandates/{mandate_id:int}")
    async def update_mandate(self, request: Req, body_slug: str, mandate_id: int, data: MandateIn) -> MandateOut:
        org = organisation_of(request)
        row = await services.get_body(org, body_slug)
        return MandateOut(**await services.update_mandate(org, row, mandate_id, data))

    @delete("/bodies/{body_slug:str}/mandates/{mandate_id:int}", status_code=204)
    async def delete_mandate(self, request: Req, body_slug: str, mandate_id: int) -> None:
        row = await services.get_body(organisation_of(request), body_slug)
        await services.delete_mandate(row, mandate_id)

    # members
    @get("/members")
    async def list_members(self, request: Req) -> list[MemberOut]:
        return [MemberOut(**r) for r in await services.list_members(organisation_of(request))]

    @post("/members")
    async def create_member(self, request: Req, data: MemberIn) -> MemberOut:
        return MemberOut(**await services.create_member(organisation_of(request), data))

    @post("/members/import", summary="Import members from a CSV file (all or nothing)")
    async def import_members(
        self,
        request: Req,
        data: Annotated[dict[str, UploadFile], Body(media_type=RequestEncodingType.MULTI_PART)],
        seat_in_body: str | None = None,
    ) -> ImportReport:
        org = organisation_of(request)
        upload = data.get("file")
        if not isinstance(upload, UploadFile):
            message = _("Attach the CSV file in the form field named file.")
            raise Invalid(message, fields={"file": message})
        seat_in = await services.get_body(org, seat_in_body) if seat_in_body else None
        return await services.import_members(org, await upload.read(), seat_in)

    @get("/members/{member:str}")
    async def get_member(self, request: Req, member: str) -> MemberOut:
        return MemberOut(**await services.get_member(organisation_of(request), member))

    @put("/members/{member:str}")
    async def update_member(self, request: Req, member: str, data: MemberIn) -> MemberOut:
        row = await services.get_member(organisation_of(request), member)
        return MemberOut(**await services.update_member(row, data))

    @put("/members/{member:str}/fees", summary="Record whether the fee for a year is paid")
    async def set_fee(self, request: Req, member: str, data: FeeIn) -> MemberOut:
        org = organisation_of(request)
        row = await services.get_member(org, member)
        await services.set_fee(row, data.year, data.paid)
        return MemberOut(**await services.get_member(org, member))

    # people
    @get("/people")
    async def list_people(self, request: Req) -> list[PersonOut]:
        return [PersonOut(**r) for r in await services.list_people(organisation_of(request))]

    @post("/people", summary="Add a person; returns their invitation link (they choose their own password)")
    async def create_person(self, request: Req, data: PersonIn) -> InvitedPersonOut:
        services.refuse_password(await request.json())
        person, delivery = await services.invite_person(organisation_of(request), data, principal_of(request))
        invitation = access_link_out(request, delivery) if delivery is not None else None
        return InvitedPersonOut(**person_out(person).model_dump(), invitation=invitation)

    @get("/people/{person_id:int}")
    async def get_person(self, request: Req, person_id: int) -> PersonOut:
        return person_out(await services.get_person(organisation_of(request), person_id))

    @put("/people/{person_id:int}", summary="Edit a person (never their password: send a link)")
    async def update_person(self, request: Req, person_id: int, data: PersonIn) -> PersonOut:
        services.refuse_password(await request.json())
        return person_out(
            await services.update_person(organisation_of(request), person_id, data, principal_of(request))
        )

    @post("/people/{person_id:int}/invitation", summary="A new invitation link for a person without a password")
    async def invite_person(self, request: Req, person_id: int) -> AccessLinkOut:
        org = organisation_of(request)
        delivery = await services.send_link(org, person_id, links.INVITATION, principal_of(request))
        return access_link_out(request, delivery)

    @post("/people/{person_id:int}/reset-link", summary="A one-time link for the person to choose a new password")
    async def reset_link(self, request: Req, person_id: int) -> AccessLinkOut:
        org = organisation_of(request)
        delivery = await services.send_link(org, person_id, links.RESET, principal_of(request))
        return access_link_out(request, delivery)
