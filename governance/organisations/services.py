"""Organisations, bodies, rule sets, members, seats, people and mandates: the use cases.

Each use case loads what it needs (``store``), asks the rules (``rules``), then writes in one
transaction per action; the database constraints are the last word. Pages and the JSON API
call these same functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from governance.accounts import links
from governance.accounts import services as accounts
from governance.accounts.schemas import PersonIn
from governance.auth import Principal
from governance.db import reading, writing
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.i18n import gettext as _
from governance.organisations import logos, rules, store
from governance.organisations.csv_import import parse_members_csv
from governance.organisations.model import RuleSetRef
from governance.organisations.schemas import (
    BodyIn,
    ImportReport,
    MajorityRuleIn,
    MandateIn,
    MemberIn,
    OrganisationIn,
    RuleSetIn,
)
from governance.vocabulary import MeetingStatus, label

Row = dict[str, Any]


def _invalid(problems: dict[str, str]) -> None:
    if problems:
        raise Invalid(_("Please correct the fields marked below."), fields=problems)


# --- organisations ---------------------------------------------------------------------


async def list_organisations(principal: Principal) -> list[Row]:
    async with reading():
        return await store.organisations(None if principal.is_admin else list(principal.staff_of))


async def get_organisation(slug: str) -> Row:
    async with reading():
        row = await store.organisation(slug)
    if row is None:
        raise NotFound(_("No such organisation."))
    return row


async def create_organisation(data: OrganisationIn) -> Row:
    async with writing():
        return await store.insert_organisation(data.model_dump(mode="python"))


async def update_organisation(org: Row, data: OrganisationIn) -> Row:
    async with writing():
        return await store.update_organisation(org["id"], data.model_dump(mode="python"))


# --- the logo (the letterhead of the minutes) --------------------------------------------


async def get_logo(org: Row, *, with_image: bool = True) -> Row | None:
    async with reading():
        return await store.logo(org["id"], with_image=with_image)


async def set_logo(org: Row, data: bytes) -> Row:
    """Replace the organisation's logo with ``data`` once it passes :func:`logos.check_logo`."""
    logo = logos.check_logo(data)
    async with writing():
        await store.replace_logo(org["id"], logo.media_type, logo.image, logo.width, logo.height)
    return {"media_type": logo.media_type, "width": logo.width, "height": logo.height}


async def remove_logo(org: Row) -> None:
    async with writing():
        await store.delete_logo(org["id"])


async def logo_data_uri(organisation_id: int) -> str | None:
    """The logo inline (``data:``), for the minutes' letterhead; None without a logo."""
    async with reading():
        row = await store.logo(organisation_id)
    return logos.data_uri(row["media_type"], bytes(row["image"])) if row else None


# --- secretariat staff ------------------------------------------------------------------


async def list_staff(org: Row) -> list[Row]:
    async with reading():
        return await store.staff(org["id"])


async def add_staff(org: Row, email: str) -> Row:
    person = await _person_by_email(email)
    async with writing():
        if await store.is_staff(org["id"], person["id"]):
            raise Conflict(_("This person is already on the secretariat."))
        await store.insert_staff(org["id"], person["id"])
    return {"person": person["id"], "person_email": person["email"], "person_name": person["full_name"]}


async def remove_staff(org: Row, person_id: int) -> None:
    async with writing():
        deleted = await store.delete_staff(org["id"], person_id)
    if not deleted:
        raise NotFound(_("This person is not on the secretariat."))


# --- bodies ---------------------------------------------------------------------------


async def list_bodies(org: Row) -> list[Row]:
    async with reading():
        return await store.bodies(org["id"])


async def get_body(org: Row, slug: str) -> Row:
    async with reading():
        row = await store.body(org["id"], slug)
    if row is None:
        raise NotFound(_("No such body in this organisation."))
    return row


async def create_body(org: Row, data: BodyIn) -> Row:
    async with writing():
        return await store.insert_body(org["id"], data.model_dump(mode="python"))


async def update_body(body: Row, data: BodyIn) -> Row:
    async with writing():
        return await store.update_body(body["id"], data.model_dump(mode="python"))


# --- rule sets ------------------------------------------------------------------------
# A rule set is passed around as its row (the forms and the API show every column); the
# use cases decode which version it is once, as a ``RuleSetRef``.


async def list_rule_sets(body: Row) -> list[Row]:
    async with reading():
        return await store.rule_sets(body["id"])


async def get_rule_set(body: Row, version: int) -> Row:
    async with reading():
        row = await store.rule_set(body["id"], version)
    if row is None:
        raise NotFound(_("No such rule set version for this body."))
    return row


async def _assert_rule_set_editable(version: RuleSetRef) -> None:
    if await store.governs_a_convened_meeting(version.id):
        raise Conflict(_("A convened meeting is governed by this version: create a new version instead of editing it."))


async def create_rule_set(body: Row, data: RuleSetIn) -> Row:
    _invalid(rules.rule_set_problems(data))
    async with writing():
        if await store.rule_set_version_exists(body["id"], data.version):
            message = _("This body already has a rule set with this version.")
            raise Conflict(message, fields={"version": message})
        return await store.insert_rule_set(body["id"], rules.normalised_rule_set(data))


async def update_rule_set(rule_set: Row, data: RuleSetIn) -> Row:
    version = RuleSetRef.from_row(rule_set)
    _invalid(rules.rule_set_problems(data))
    async with writing():
        await _assert_rule_set_editable(version)
        return await store.update_rule_set(version.id, rules.normalised_rule_set(data))


async def effective_rule_set(body_id: int, on: dt.date) -> Row | None:
    """The rule set version in force for a body on a date (the latest that covers it)."""
    async with reading():
        candidates = await store.rule_sets_from(body_id, on)
    return next((row for row in candidates if rules.in_force(RuleSetRef.from_row(row), on)), None)


async def list_majorities(rule_set: Row) -> list[Row]:
    version = RuleSetRef.from_row(rule_set)
    async with reading():
        return await store.majorities(version.id)


async def set_majority(rule_set: Row, data: MajorityRuleIn) -> Row:
    """Create or replace the majority rule for one decision type."""
    version = RuleSetRef.from_row(rule_set)
    _invalid(rules.majority_problems(data))
    async with writing():
        await _assert_rule_set_editable(version)
        return await store.upsert_majority(version.id, data.model_dump(mode="python"))


async def delete_majority(rule_set: Row, decision_type: str) -> None:
    version = RuleSetRef.from_row(rule_set)
    async with writing():
        await _assert_rule_set_editable(version)
        deleted = await store.delete_majority(version.id, decision_type)
    if not deleted:
        raise NotFound(_("This rule set has no majority rule for this decision type."))


# --- members, fees, seats ---------------------------------------------------------------


async def list_members(org: Row) -> list[Row]:
    async with reading():
        members = await store.members(org["id"])
        fees = rules.fees_by_member(await store.fees_of_organisation(org["id"]))
    for member in members:
        member["fees"] = fees.get(member["id"], {})
    return members


async def get_member(org: Row, slug: str) -> Row:
    async with reading():
        row = await store.member(org["id"], slug)
        if row is None:
            raise NotFound(_("No such member in this organisation."))
        fees = rules.fees_by_member(await store.fees_of_member(row["id"]))
    row["fees"] = fees.get(row["id"], {})
    return row


async def create_member(org: Row, data: MemberIn) -> Row:
    async with writing():
        row = await store.insert_member(org["id"], data.model_dump(mode="python"))
    return {**row, "fees": {}}


async def update_member(member: Row, data: MemberIn) -> Row:
    async with writing():
        row = await store.update_member(member["id"], data.model_dump(mode="python"))
    return {**row, "fees": member.get("fees", {})}


async def set_fee(member: Row, year: int, paid: bool) -> None:
    async with writing():
        await store.upsert_fee(member["id"], year, paid)


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
        existing = await store.member_ids_by_slug(org["id"])
        seats = await store.seated_member_ids(body["id"]) if body is not None else set()
        for member, fees in zip(parsed.members, parsed.fees, strict=True):
            values = member.model_dump(mode="python")
            if member.slug in existing:
                member_id = existing[member.slug]
                await store.overwrite_member(member_id, values)
                updated += 1
            else:
                member_id = await store.insert_member_id(org["id"], values)
                created += 1
            for year, paid in fees.items():
                await store.upsert_fee(member_id, year, paid)
            if body is not None and member_id not in seats:
                await store.insert_seat(org["id"], body["id"], member_id)
                seated += 1
    return ImportReport(created=created, updated=updated, seated=seated)


async def list_seats(body: Row) -> list[Row]:
    async with reading():
        return await store.seats(body["id"])


async def add_seat(org: Row, body: Row, member_slug: str) -> Row:
    member = await get_member(org, member_slug)
    async with writing():
        if await store.is_seated(body["id"], member["id"]):
            message = _("This member already has a seat in this body.")
            raise Conflict(message, fields={"member": message})
        seat_id = await store.insert_seat(org["id"], body["id"], member["id"])
    return {"id": seat_id, "member": member["slug"], "member_name": member["name"]}


async def remove_seat(org: Row, body: Row, member_slug: str) -> None:
    member = await get_member(org, member_slug)
    async with writing():
        deleted = await store.delete_seat(body["id"], member["id"])
    if not deleted:
        raise NotFound(_("This member has no seat in this body."))


# --- people (the organisation's directory) -----------------------------------------------


async def list_people(org: Row) -> list[Row]:
    """People in the directory, and everyone holding a mandate or a staff role here."""
    async with reading():
        managed = await store.directory_person_ids(org["id"])
        ids = managed | await store.mandated_person_ids(org["id"]) | await store.staff_person_ids(org["id"])
        if not ids:
            return []
        people = await store.people(ids)
    return [{**accounts.person_out(p).model_dump(), "managed": p["id"] in managed} for p in people]


async def _managed_person(org: Row, person_id: int) -> Row:
    async with reading():
        listed = await store.in_directory(org["id"], person_id)
    if not listed:
        raise NotFound(_("This person is not in this organisation's directory."))
    return await accounts.get_person(person_id)


async def get_person(org: Row, person_id: int) -> Row:
    return await _managed_person(org, person_id)


async def create_person(org: Row, data: PersonIn) -> Row:
    """A directory entry without an invitation (the demo; people who never sign in)."""

    async def list_in_directory(person: Row) -> None:
        await store.insert_directory_entry(org["id"], person["id"])

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


async def list_mandates(body: Row) -> list[Row]:
    async with reading():
        return await store.mandates(body["id"])


async def get_mandate(body: Row, mandate_id: int) -> Row:
    async with reading():
        row = await store.mandate(body["id"], mandate_id)
    if row is None:
        raise NotFound(_("No such mandate in this body."))
    return row


async def _mandate_values(org: Row, body: Row, data: MandateIn) -> dict[str, Any]:
    _invalid(rules.mandate_problems(data))
    person = await _person_by_email(data.person_email)
    member = await get_member(org, data.member)
    async with reading():
        seated = await store.is_seated(body["id"], member["id"])
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
    async with reading():
        meeting = await store.meeting_in_session(body["id"])
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
        mandate_id = await store.insert_mandate(values)
    return await get_mandate(body, mandate_id)


async def update_mandate(org: Row, body: Row, mandate_id: int, data: MandateIn) -> Row:
    await get_mandate(body, mandate_id)
    values = await _mandate_values(org, body, data)
    await _no_meeting_in_session(body)
    async with writing():
        await store.update_mandate(mandate_id, values)
    return await get_mandate(body, mandate_id)


async def delete_mandate(body: Row, mandate_id: int) -> None:
    await _no_meeting_in_session(body)
    async with writing():
        deleted = await store.delete_mandate(body["id"], mandate_id)
    if not deleted:
        raise NotFound(_("No such mandate in this body."))
