"""Organisations, bodies, rule sets, members, seats, people and mandates.

Services enforce the rules and write in one transaction per action; the database
constraints are the last word. Pages and the JSON API call these same functions.
"""

from __future__ import annotations

from typing import Any

from governance.accounts import links
from governance.accounts import services as accounts
from governance.accounts.schemas import PersonIn
from governance.accounts.tables import Person
from governance.auth import Principal
from governance.db import reading, writing
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.i18n import gettext as _
from governance.organisations import rules
from governance.organisations.csv_import import parse_members_csv
from governance.organisations.schemas import (
    BodyIn,
    ImportReport,
    MajorityRuleIn,
    MandateIn,
    MemberIn,
    OrganisationIn,
    RuleSetIn,
)
from governance.organisations.tables import (
    Body,
    DirectoryEntry,
    MajorityRule,
    Mandate,
    Member,
    MemberFee,
    Organisation,
    RuleSet,
    Seat,
    Staff,
)
from governance.vocabulary import MeetingStatus, label

Row = dict[str, Any]


def _invalid(problems: dict[str, str]) -> None:
    if problems:
        raise Invalid(_("Please correct the fields marked below."), fields=problems)


# --- organisations ---------------------------------------------------------------------


async def list_organisations(principal: Principal) -> list[Row]:
    async with reading():
        query = Organisation.select().order_by(Organisation.short_name)
        if not principal.is_admin:
            query = query.where(Organisation.id.is_in(list(principal.staff_of) or [-1]))
        return await query


async def get_organisation(slug: str) -> Row:
    async with reading():
        row = await Organisation.select().where(Organisation.slug == slug).first()
    if row is None:
        raise NotFound(_("No such organisation."))
    return row


async def create_organisation(data: OrganisationIn) -> Row:
    async with writing():
        rows = await Organisation.insert(Organisation(**data.model_dump(mode="python"))).returning(
            *Organisation.all_columns()
        )
    return rows[0]


async def update_organisation(org: Row, data: OrganisationIn) -> Row:
    async with writing():
        rows = (
            await Organisation.update(data.model_dump(mode="python"))
            .where(Organisation.id == org["id"])
            .returning(*Organisation.all_columns())
        )
    return rows[0]


# --- secretariat staff ------------------------------------------------------------------


async def list_staff(org: Row) -> list[Row]:
    async with reading():
        return (
            await Staff.select(
                Staff.person.as_alias("person"),
                Staff.person.email.as_alias("person_email"),
                Staff.person.full_name.as_alias("person_name"),
            )
            .where(Staff.organisation == org["id"])
            .order_by(Staff.person.full_name)
        )


async def add_staff(org: Row, email: str) -> Row:
    person = await _person_by_email(email)
    async with writing():
        if await Staff.exists().where((Staff.organisation == org["id"]) & (Staff.person == person["id"])):
            raise Conflict(_("This person is already on the secretariat."))
        await Staff.insert(Staff(organisation=org["id"], person=person["id"]))
    return {"person": person["id"], "person_email": person["email"], "person_name": person["full_name"]}


async def remove_staff(org: Row, person_id: int) -> None:
    async with writing():
        deleted = (
            await Staff.delete()
            .where((Staff.organisation == org["id"]) & (Staff.person == person_id))
            .returning(Staff.id)
        )
    if not deleted:
        raise NotFound(_("This person is not on the secretariat."))


# --- bodies ---------------------------------------------------------------------------


async def list_bodies(org: Row) -> list[Row]:
    async with reading():
        return await Body.select().where(Body.organisation == org["id"]).order_by(Body.name_en)


async def get_body(org: Row, slug: str) -> Row:
    async with reading():
        row = await Body.select().where((Body.organisation == org["id"]) & (Body.slug == slug)).first()
    if row is None:
        raise NotFound(_("No such body in this organisation."))
    return row


async def create_body(org: Row, data: BodyIn) -> Row:
    async with writing():
        rows = await Body.insert(Body(organisation=org["id"], **data.model_dump(mode="python"))).returning(
            *Body.all_columns()
        )
    return rows[0]


async def update_body(body: Row, data: BodyIn) -> Row:
    async with writing():
        rows = (
            await Body.update(data.model_dump(mode="python"))
            .where(Body.id == body["id"])
            .returning(*Body.all_columns())
        )
    return rows[0]


# --- rule sets ------------------------------------------------------------------------


async def list_rule_sets(body: Row) -> list[Row]:
    async with reading():
        return await RuleSet.select().where(RuleSet.body == body["id"]).order_by(RuleSet.version, ascending=False)


async def get_rule_set(body: Row, version: int) -> Row:
    async with reading():
        row = await RuleSet.select().where((RuleSet.body == body["id"]) & (RuleSet.version == version)).first()
    if row is None:
        raise NotFound(_("No such rule set version for this body."))
    return row


async def _assert_rule_set_editable(rule_set_id: int) -> None:
    from governance.meetings.tables import Meeting  # meetings depend on organisations, not back

    if await Meeting.exists().where((Meeting.rule_set == rule_set_id) & (Meeting.status != "draft")):
        raise Conflict(_("A convened meeting is governed by this version: create a new version instead of editing it."))


async def create_rule_set(body: Row, data: RuleSetIn) -> Row:
    _invalid(rules.rule_set_problems(data))
    async with writing():
        if await RuleSet.exists().where((RuleSet.body == body["id"]) & (RuleSet.version == data.version)):
            message = _("This body already has a rule set with this version.")
            raise Conflict(message, fields={"version": message})
        rows = await RuleSet.insert(RuleSet(body=body["id"], **rules.normalised_rule_set(data))).returning(
            *RuleSet.all_columns()
        )
    return rows[0]


async def update_rule_set(rule_set: Row, data: RuleSetIn) -> Row:
    _invalid(rules.rule_set_problems(data))
    async with writing():
        await _assert_rule_set_editable(rule_set["id"])
        rows = (
            await RuleSet.update(rules.normalised_rule_set(data))
            .where(RuleSet.id == rule_set["id"])
            .returning(*RuleSet.all_columns())
        )
    return rows[0]


async def effective_rule_set(body_id: int, on: Any) -> Row | None:
    """The rule set version in force for a body on a date (the latest that covers it)."""
    async with reading():
        candidates = (
            await RuleSet.select()
            .where((RuleSet.body == body_id) & (RuleSet.effective_from <= on))
            .order_by(RuleSet.effective_from, ascending=False)
        )
    for row in candidates:
        if row["effective_to"] is None or row["effective_to"] > on:
            return row
    return None


async def list_majorities(rule_set: Row) -> list[Row]:
    async with reading():
        return (
            await MajorityRule.select()
            .where(MajorityRule.rule_set == rule_set["id"])
            .order_by(MajorityRule.decision_type)
        )


async def set_majority(rule_set: Row, data: MajorityRuleIn) -> Row:
    """Create or replace the majority rule for one decision type."""
    _invalid(rules.majority_problems(data))
    values = data.model_dump(mode="python")
    async with writing():
        await _assert_rule_set_editable(rule_set["id"])
        existing = (
            await MajorityRule.select(MajorityRule.id)
            .where((MajorityRule.rule_set == rule_set["id"]) & (MajorityRule.decision_type == values["decision_type"]))
            .first()
        )
        if existing:
            rows = (
                await MajorityRule.update(values)
                .where(MajorityRule.id == existing["id"])
                .returning(*MajorityRule.all_columns())
            )
        else:
            rows = await MajorityRule.insert(MajorityRule(rule_set=rule_set["id"], **values)).returning(
                *MajorityRule.all_columns()
            )
    return rows[0]


async def delete_majority(rule_set: Row, decision_type: str) -> None:
    async with writing():
        await _assert_rule_set_editable(rule_set["id"])
        deleted = (
            await MajorityRule.delete()
            .where((MajorityRule.rule_set == rule_set["id"]) & (MajorityRule.decision_type == decision_type))
            .returning(MajorityRule.id)
        )
    if not deleted:
        raise NotFound(_("This rule set has no majority rule for this decision type."))


# --- members, fees, seats ---------------------------------------------------------------


async def list_members(org: Row) -> list[Row]:
    async with reading():
        members = await Member.select().where(Member.organisation == org["id"]).order_by(Member.name)
        fees = await MemberFee.select().where(MemberFee.member.organisation == org["id"])
    by_member: dict[int, dict[int, bool]] = {}
    for fee in fees:
        by_member.setdefault(fee["member"], {})[fee["year"]] = fee["paid"]
    for member in members:
        member["fees"] = dict(sorted(by_member.get(member["id"], {}).items()))
    return members


async def get_member(org: Row, slug: str) -> Row:
    async with reading():
        row = await Member.select().where((Member.organisation == org["id"]) & (Member.slug == slug)).first()
        if row is None:
            raise NotFound(_("No such member in this organisation."))
        fees = await MemberFee.select().where(MemberFee.member == row["id"]).order_by(MemberFee.year)
    row["fees"] = {fee["year"]: fee["paid"] for fee in fees}
    return row


async def create_member(org: Row, data: MemberIn) -> Row:
    async with writing():
        rows = await Member.insert(Member(organisation=org["id"], **data.model_dump(mode="python"))).returning(
            *Member.all_columns()
        )
    return {**rows[0], "fees": {}}


async def update_member(member: Row, data: MemberIn) -> Row:
    async with writing():
        rows = (
            await Member.update(data.model_dump(mode="python"))
            .where(Member.id == member["id"])
            .returning(*Member.all_columns())
        )
    return {**rows[0], "fees": member.get("fees", {})}


async def set_fee(member: Row, year: int, paid: bool) -> None:
    async with writing():
        await _upsert_fee(member["id"], year, paid)


async def _upsert_fee(member_id: int, year: int, paid: bool) -> None:
    updated = (
        await MemberFee.update({MemberFee.paid: paid})
        .where((MemberFee.member == member_id) & (MemberFee.year == year))
        .returning(MemberFee.id)
    )
    if not updated:
        await MemberFee.insert(MemberFee(member=member_id, year=year, paid=paid))


async def import_members(org: Row, raw: bytes | str, body: Row | None = None) -> ImportReport:
    """Create or update members from CSV (by code), optionally seating them in a body.

    All or nothing: any bad line and nothing is written.
    """
    parsed = parse_members_csv(raw)
    if parsed.errors:
        raise Invalid(
            _("Nothing was imported. Correct these lines and import the file again."),
            fields={"file": "\n".join(parsed.errors)},
        )
    created = updated = seated = 0
    async with writing():
        existing = {
            row["slug"]: row["id"]
            for row in await Member.select(Member.id, Member.slug).where(Member.organisation == org["id"])
        }
        seats = set()
        if body is not None:
            seats = {row["member"] for row in await Seat.select(Seat.member).where(Seat.body == body["id"])}
        for member, fees in zip(parsed.members, parsed.fees, strict=True):
            values = member.model_dump(mode="python")
            if member.slug in existing:
                member_id = existing[member.slug]
                await Member.update(values).where(Member.id == member_id)
                updated += 1
            else:
                rows = await Member.insert(Member(organisation=org["id"], **values)).returning(Member.id)
                member_id = rows[0]["id"]
                created += 1
            for year, paid in fees.items():
                await _upsert_fee(member_id, year, paid)
            if body is not None and member_id not in seats:
                await Seat.insert(Seat(organisation=org["id"], body=body["id"], member=member_id))
                seated += 1
    return ImportReport(created=created, updated=updated, seated=seated)


async def list_seats(body: Row) -> list[Row]:
    async with reading():
        return (
            await Seat.select(
                Seat.id,
                Seat.member.slug.as_alias("member"),
                Seat.member.name.as_alias("member_name"),
            )
            .where(Seat.body == body["id"])
            .order_by(Seat.member.name)
        )


async def add_seat(org: Row, body: Row, member_slug: str) -> Row:
    member = await get_member(org, member_slug)
    async with writing():
        if await Seat.exists().where((Seat.body == body["id"]) & (Seat.member == member["id"])):
            message = _("This member already has a seat in this body.")
            raise Conflict(message, fields={"member": message})
        rows = await Seat.insert(Seat(organisation=org["id"], body=body["id"], member=member["id"])).returning(Seat.id)
    return {"id": rows[0]["id"], "member": member["slug"], "member_name": member["name"]}


async def remove_seat(org: Row, body: Row, member_slug: str) -> None:
    member = await get_member(org, member_slug)
    async with writing():
        # Mandates for the seat go with it (ON DELETE CASCADE).
        deleted = (
            await Seat.delete().where((Seat.body == body["id"]) & (Seat.member == member["id"])).returning(Seat.id)
        )
    if not deleted:
        raise NotFound(_("This member has no seat in this body."))


# --- people (the organisation's directory) -----------------------------------------------


async def list_people(org: Row) -> list[Row]:
    """People in the directory, and everyone holding a mandate or a staff role here."""
    async with reading():
        directory = await DirectoryEntry.select(DirectoryEntry.person).where(DirectoryEntry.organisation == org["id"])
        mandated = await Mandate.select(Mandate.person).where(Mandate.body.organisation == org["id"])
        staff = await Staff.select(Staff.person).where(Staff.organisation == org["id"])
        ids = {row["person"] for row in directory + mandated + staff}
        if not ids:
            return []
        people = await Person.select().where(Person.id.is_in(list(ids))).order_by(Person.full_name)
    managed = {row["person"] for row in directory}
    return [{**accounts.person_out(p).model_dump(), "managed": p["id"] in managed} for p in people]


async def _managed_person(org: Row, person_id: int) -> Row:
    async with reading():
        listed = await DirectoryEntry.exists().where(
            (DirectoryEntry.organisation == org["id"]) & (DirectoryEntry.person == person_id)
        )
    if not listed:
        raise NotFound(_("This person is not in this organisation's directory."))
    return await accounts.get_person(person_id)


async def get_person(org: Row, person_id: int) -> Row:
    return await _managed_person(org, person_id)


async def create_person(org: Row, data: PersonIn) -> Row:
    """A directory entry without an invitation (the demo; people who never sign in)."""

    async def list_in_directory(person: Row) -> None:
        await DirectoryEntry.insert(DirectoryEntry(organisation=org["id"], person=person["id"]))

    return await accounts.create_person(data, then=list_in_directory)


def refuse_password(data: Any) -> None:
    """Staff never set a password, not even a first one: the person chooses it."""
    if isinstance(data, dict) and any(data.get(key) for key in ("password", "password_hash")):
        raise Forbidden(
            _(
                "Staff never set a person's password: send an invitation (new account) or a password "
                "reset link, and the person chooses their own."
            )
        )


async def invite_person(org: Row, data: PersonIn, actor: Principal) -> tuple[Row, links.Delivery | None]:
    """The secretariat adds a person to the directory and, if the account is active, gets
    their invitation link (all in one transaction; the link is delivered after it)."""
    sender = links.link_sender()
    async with writing():
        person = await create_person(org, data)
        issued = None
        if person["is_active"]:
            issued = await links.store_link(
                person["id"], links.INVITATION, links.Actor.of(actor), organisation=org["slug"], channel=sender.channel
            )
    return person, await sender.deliver(issued) if issued is not None else None


async def send_link(org: Row, person_id: int, kind: str, actor: Principal) -> links.Delivery:
    """An invitation (no password yet) or a reset link (has one) for a person of the directory."""
    await _managed_person(org, person_id)
    return await links.issue_link(person_id, kind, links.Actor.of(actor), organisation=org["slug"])


async def update_person(org: Row, person_id: int, data: PersonIn, actor: Principal) -> Row:
    await _managed_person(org, person_id)
    return await accounts.update_person(person_id, data, actor=links.Actor.of(actor), organisation=org["slug"])


async def _person_by_email(email: str) -> Row:
    person = await accounts.find_person_by_email(email)
    if person is None:
        message = _("No account has this e-mail address. Add the person first.")
        raise Invalid(message, fields={"person_email": message})
    return person


# --- mandates -------------------------------------------------------------------------


def _mandate_columns() -> tuple[Any, ...]:
    return (
        Mandate.id,
        Mandate.person,
        Mandate.person.email.as_alias("person_email"),
        Mandate.person.full_name.as_alias("person_name"),
        Mandate.member.slug.as_alias("member"),
        Mandate.member.name.as_alias("member_name"),
        Mandate.role,
        Mandate.office,
        Mandate.acting_office,
    )


async def list_mandates(body: Row) -> list[Row]:
    async with reading():
        return await Mandate.select(*_mandate_columns()).where(Mandate.body == body["id"]).order_by(Mandate.member.name)


async def get_mandate(body: Row, mandate_id: int) -> Row:
    async with reading():
        row = (
            await Mandate.select(*_mandate_columns())
            .where((Mandate.body == body["id"]) & (Mandate.id == mandate_id))
            .first()
        )
    if row is None:
        raise NotFound(_("No such mandate in this body."))
    return row


async def _mandate_values(org: Row, body: Row, data: MandateIn) -> dict[str, Any]:
    _invalid(rules.mandate_problems(data))
    person = await _person_by_email(data.person_email)
    member = await get_member(org, data.member)
    async with reading():
        seated = await Seat.exists().where((Seat.body == body["id"]) & (Seat.member == member["id"]))
    if not seated:
        message = _("This member has no seat in this body: give it a seat first.")
        raise Invalid(message, fields={"member": message})
    return {
        "person": person["id"],
        "body": body["id"],
        "member": member["id"],
        "role": data.role.value,
        "office": data.office.value,
        "acting_office": data.acting_office.value if data.acting_office else None,
    }


async def _no_meeting_in_session(body: Row) -> None:
    """Offices are frozen per meeting (issue 17): while a meeting of the body is convened, open
    or suspended, its mandates do not change; the chair passes only by a logged hand-over."""
    from governance.meetings.tables import Meeting  # meetings build on organisations

    async with reading():
        meeting = (
            await Meeting.select(Meeting.slug, Meeting.status)
            .where((Meeting.body == body["id"]) & Meeting.status.is_in(["convened", "open", "suspended"]))
            .first()
        )
    if meeting is not None:
        raise Conflict(
            _("Meeting {meeting} of this body is {status}: its mandates cannot change until it closes. "
              "To pass the chair, hand it over from the meeting's page (logged).").format(
                meeting=meeting["slug"], status=label(MeetingStatus(meeting["status"])))
        )  # fmt: skip


async def create_mandate(org: Row, body: Row, data: MandateIn) -> Row:
    values = await _mandate_values(org, body, data)
    await _no_meeting_in_session(body)
    async with writing():
        rows = await Mandate.insert(Mandate(**values)).returning(Mandate.id)
    return await get_mandate(body, rows[0]["id"])


async def update_mandate(org: Row, body: Row, mandate_id: int, data: MandateIn) -> Row:
    await get_mandate(body, mandate_id)
    values = await _mandate_values(org, body, data)
    await _no_meeting_in_session(body)
    async with writing():
        await Mandate.update(values).where(Mandate.id == mandate_id)
    return await get_mandate(body, mandate_id)


async def delete_mandate(body: Row, mandate_id: int) -> None:
    await _no_meeting_in_session(body)
    async with writing():
        deleted = (
            await Mandate.delete()
            .where((Mandate.body == body["id"]) & (Mandate.id == mandate_id))
            .returning(Mandate.id)
        )
    if not deleted:
        raise NotFound(_("No such mandate in this body."))
