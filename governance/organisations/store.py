"""The organisations context's tables, read and written: the only module that imports them.

Each function is one statement (or one upsert) and runs inside the transaction its caller,
a use case in ``services.py``, opened with ``reading()`` or ``writing()``: the store never
decides, and never opens a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from piccolo.columns import Column

from governance.accounts.tables import Person
from governance.organisations.tables import (
    Body,
    DirectoryEntry,
    MajorityRule,
    Mandate,
    Member,
    MemberFee,
    Organisation,
    OrganisationLogo,
    RuleSet,
    Seat,
    Staff,
)
from governance.vocabulary import MeetingStatus

Row = dict[str, Any]

# A meeting in session freezes the body's mandates (issue 17).
IN_SESSION = [MeetingStatus.convened.value, MeetingStatus.open.value, MeetingStatus.suspended.value]


def _columns(values: Mapping[str, Any]) -> dict[Column | str, Any]:
    """Field values as Piccolo's ``update`` takes them (its keys are columns or their names)."""
    return {name: value for name, value in values.items()}


# --- organisations ---------------------------------------------------------------------


async def organisations(among: list[int] | None) -> list[Row]:
    """Every organisation (``among=None``), or those whose ids are listed."""
    query = Organisation.select().order_by(Organisation.short_name)
    if among is not None:
        query = query.where(Organisation.id.is_in(among or [-1]))
    return await query


async def organisation(slug: str) -> Row | None:
    return await Organisation.select().where(Organisation.slug == slug).first()


async def insert_organisation(values: Mapping[str, Any]) -> Row:
    rows = await Organisation.insert(Organisation(**values)).returning(*Organisation.all_columns())
    return rows[0]


async def update_organisation(organisation_id: int, values: Mapping[str, Any]) -> Row:
    rows = (
        await Organisation.update(_columns(values))
        .where(Organisation.id == organisation_id)
        .returning(*Organisation.all_columns())
    )
    return rows[0]


async def logo(organisation_id: int, *, with_image: bool = True) -> Row | None:
    """The organisation's logo (``media_type``, ``width``, ``height``, ``uploaded_at`` and,
    unless ``with_image`` is false, the ``image`` bytes), or None."""
    columns = [OrganisationLogo.media_type, OrganisationLogo.width, OrganisationLogo.height,
               OrganisationLogo.uploaded_at]  # fmt: skip
    if with_image:
        columns.append(OrganisationLogo.image)
    return await OrganisationLogo.select(*columns).where(OrganisationLogo.organisation == organisation_id).first()


async def replace_logo(organisation_id: int, media_type: str, image: bytes, width: int, height: int) -> None:
    await OrganisationLogo.delete().where(OrganisationLogo.organisation == organisation_id)
    await OrganisationLogo.insert(
        OrganisationLogo(organisation=organisation_id, media_type=media_type, image=image, width=width, height=height)
    )


async def delete_logo(organisation_id: int) -> bool:
    rows = (
        await OrganisationLogo.delete()
        .where(OrganisationLogo.organisation == organisation_id)
        .returning(OrganisationLogo.id)
    )
    return bool(rows)


# --- secretariat staff ------------------------------------------------------------------


async def staff(organisation_id: int) -> list[Row]:
    return (
        await Staff.select(
            Staff.person.as_alias("person"),
            Staff.person.email.as_alias("person_email"),
            Staff.person.full_name.as_alias("person_name"),
        )
        .where(Staff.organisation == organisation_id)
        .order_by(Staff.person.full_name)
    )


async def is_staff(organisation_id: int, person_id: int) -> bool:
    return await Staff.exists().where((Staff.organisation == organisation_id) & (Staff.person == person_id))


async def insert_staff(organisation_id: int, person_id: int) -> None:
    await Staff.insert(Staff(organisation=organisation_id, person=person_id))


async def delete_staff(organisation_id: int, person_id: int) -> bool:
    deleted = (
        await Staff.delete()
        .where((Staff.organisation == organisation_id) & (Staff.person == person_id))
        .returning(Staff.id)
    )
    return bool(deleted)


# --- bodies ---------------------------------------------------------------------------


async def bodies(organisation_id: int) -> list[Row]:
    return await Body.select().where(Body.organisation == organisation_id).order_by(Body.name_en)


async def body(organisation_id: int, slug: str) -> Row | None:
    return await Body.select().where((Body.organisation == organisation_id) & (Body.slug == slug)).first()


async def insert_body(organisation_id: int, values: Mapping[str, Any]) -> Row:
    rows = await Body.insert(Body(organisation=organisation_id, **values)).returning(*Body.all_columns())
    return rows[0]


async def update_body(body_id: int, values: Mapping[str, Any]) -> Row:
    rows = await Body.update(_columns(values)).where(Body.id == body_id).returning(*Body.all_columns())
    return rows[0]


# --- rule sets and their majority rules ---------------------------------------------------


async def rule_sets(body_id: int) -> list[Row]:
    return await RuleSet.select().where(RuleSet.body == body_id).order_by(RuleSet.version, ascending=False)


async def rule_set(body_id: int, version: int) -> Row | None:
    return await RuleSet.select().where((RuleSet.body == body_id) & (RuleSet.version == version)).first()


async def rule_set_version_exists(body_id: int, version: int) -> bool:
    return await RuleSet.exists().where((RuleSet.body == body_id) & (RuleSet.version == version))


async def rule_sets_from(body_id: int, on: Any) -> list[Row]:
    """The body's versions in force from ``on`` or before, the latest start first."""
    return (
        await RuleSet.select()
        .where((RuleSet.body == body_id) & (RuleSet.effective_from <= on))
        .order_by(RuleSet.effective_from, ascending=False)
    )


async def governs_a_convened_meeting(rule_set_id: int) -> bool:
    from governance.meetings.tables import Meeting  # meetings depend on organisations, not back

    return await Meeting.exists().where(
        (Meeting.rule_set == rule_set_id) & (Meeting.status != MeetingStatus.draft.value)
    )


async def insert_rule_set(body_id: int, values: Mapping[str, Any]) -> Row:
    rows = await RuleSet.insert(RuleSet(body=body_id, **values)).returning(*RuleSet.all_columns())
    return rows[0]


async def update_rule_set(rule_set_id: int, values: Mapping[str, Any]) -> Row:
    rows = await RuleSet.update(_columns(values)).where(RuleSet.id == rule_set_id).returning(*RuleSet.all_columns())
    return rows[0]


async def majorities(rule_set_id: int) -> list[Row]:
    return await MajorityRule.select().where(MajorityRule.rule_set == rule_set_id).order_by(MajorityRule.decision_type)


async def upsert_majority(rule_set_id: int, values: Mapping[str, Any]) -> Row:
    """Create or replace the majority rule for ``values["decision_type"]``."""
    existing = (
        await MajorityRule.select(MajorityRule.id)
        .where((MajorityRule.rule_set == rule_set_id) & (MajorityRule.decision_type == values["decision_type"]))
        .first()
    )
    if existing:
        rows = (
            await MajorityRule.update(_columns(values))
            .where(MajorityRule.id == existing["id"])
            .returning(*MajorityRule.all_columns())
        )
    else:
        rows = await MajorityRule.insert(MajorityRule(rule_set=rule_set_id, **values)).returning(
            *MajorityRule.all_columns()
        )
    return rows[0]


async def delete_majority(rule_set_id: int, decision_type: str) -> bool:
    deleted = (
        await MajorityRule.delete()
        .where((MajorityRule.rule_set == rule_set_id) & (MajorityRule.decision_type == decision_type))
        .returning(MajorityRule.id)
    )
    return bool(deleted)


# --- members and their fees ---------------------------------------------------------------


async def members(organisation_id: int) -> list[Row]:
    return await Member.select().where(Member.organisation == organisation_id).order_by(Member.name)


async def fees_of_organisation(organisation_id: int) -> list[Row]:
    return await MemberFee.select().where(MemberFee.member.organisation == organisation_id)


async def member(organisation_id: int, slug: str) -> Row | None:
    return await Member.select().where((Member.organisation == organisation_id) & (Member.slug == slug)).first()


async def fees_of_member(member_id: int) -> list[Row]:
    return await MemberFee.select().where(MemberFee.member == member_id).order_by(MemberFee.year)


async def member_ids_by_slug(organisation_id: int) -> dict[str, int]:
    return {
        row["slug"]: row["id"]
        for row in await Member.select(Member.id, Member.slug).where(Member.organisation == organisation_id)
    }


async def insert_member(organisation_id: int, values: Mapping[str, Any]) -> Row:
    rows = await Member.insert(Member(organisation=organisation_id, **values)).returning(*Member.all_columns())
    return rows[0]


async def insert_member_id(organisation_id: int, values: Mapping[str, Any]) -> int:
    rows = await Member.insert(Member(organisation=organisation_id, **values)).returning(Member.id)
    return int(rows[0]["id"])


async def update_member(member_id: int, values: Mapping[str, Any]) -> Row:
    rows = await Member.update(_columns(values)).where(Member.id == member_id).returning(*Member.all_columns())
    return rows[0]


async def overwrite_member(member_id: int, values: Mapping[str, Any]) -> None:
    await Member.update(_columns(values)).where(Member.id == member_id)


async def upsert_fee(member_id: int, year: int, paid: bool) -> None:
    updated = (
        await MemberFee.update({MemberFee.paid: paid})
        .where((MemberFee.member == member_id) & (MemberFee.year == year))
        .returning(MemberFee.id)
    )
    if not updated:
        await MemberFee.insert(MemberFee(member=member_id, year=year, paid=paid))


# --- seats ------------------------------------------------------------------------------


async def seats(body_id: int) -> list[Row]:
    return (
        await Seat.select(
            Seat.id,
            Seat.member.slug.as_alias("member"),
            Seat.member.name.as_alias("member_name"),
        )
        .where(Seat.body == body_id)
        .order_by(Seat.member.name)
    )


async def seated_member_ids(body_id: int) -> set[int]:
    return {row["member"] for row in await Seat.select(Seat.member).where(Seat.body == body_id)}


async def is_seated(body_id: int, member_id: int) -> bool:
    return await Seat.exists().where((Seat.body == body_id) & (Seat.member == member_id))


async def insert_seat(organisation_id: int, body_id: int, member_id: int) -> int:
    rows = await Seat.insert(Seat(organisation=organisation_id, body=body_id, member=member_id)).returning(Seat.id)
    return int(rows[0]["id"])


async def delete_seat(body_id: int, member_id: int) -> bool:
    # Mandates for the seat go with it (ON DELETE CASCADE).
    deleted = await Seat.delete().where((Seat.body == body_id) & (Seat.member == member_id)).returning(Seat.id)
    return bool(deleted)


# --- people (the organisation's directory) -----------------------------------------------


async def directory_person_ids(organisation_id: int) -> set[int]:
    rows = await DirectoryEntry.select(DirectoryEntry.person).where(DirectoryEntry.organisation == organisation_id)
    return {row["person"] for row in rows}


async def mandated_person_ids(organisation_id: int) -> set[int]:
    rows = await Mandate.select(Mandate.person).where(Mandate.body.organisation == organisation_id)
    return {row["person"] for row in rows}


async def staff_person_ids(organisation_id: int) -> set[int]:
    rows = await Staff.select(Staff.person).where(Staff.organisation == organisation_id)
    return {row["person"] for row in rows}


async def people(person_ids: set[int]) -> list[Row]:
    return await Person.select().where(Person.id.is_in(list(person_ids))).order_by(Person.full_name)


async def in_directory(organisation_id: int, person_id: int) -> bool:
    return await DirectoryEntry.exists().where(
        (DirectoryEntry.organisation == organisation_id) & (DirectoryEntry.person == person_id)
    )


async def insert_directory_entry(organisation_id: int, person_id: int) -> None:
    await DirectoryEntry.insert(DirectoryEntry(organisation=organisation_id, person=person_id))


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


async def mandates(body_id: int) -> list[Row]:
    return await Mandate.select(*_mandate_columns()).where(Mandate.body == body_id).order_by(Mandate.member.name)


async def mandate(body_id: int, mandate_id: int) -> Row | None:
    return (
        await Mandate.select(*_mandate_columns()).where((Mandate.body == body_id) & (Mandate.id == mandate_id)).first()
    )


async def meeting_in_session(body_id: int) -> Row | None:
    """A meeting of the body that is convened, open or suspended (its slug and status), if any."""
    from governance.meetings.tables import Meeting  # meetings build on organisations

    return (
        await Meeting.select(Meeting.slug, Meeting.status)
        .where((Meeting.body == body_id) & Meeting.status.is_in(IN_SESSION))
        .first()
    )


async def insert_mandate(values: Mapping[str, Any]) -> int:
    rows = await Mandate.insert(Mandate(**values)).returning(Mandate.id)
    return int(rows[0]["id"])


async def update_mandate(mandate_id: int, values: Mapping[str, Any]) -> None:
    await Mandate.update(_columns(values)).where(Mandate.id == mandate_id)


async def delete_mandate(body_id: int, mandate_id: int) -> bool:
    deleted = await Mandate.delete().where((Mandate.body == body_id) & (Mandate.id == mandate_id)).returning(Mandate.id)
    return bool(deleted)
