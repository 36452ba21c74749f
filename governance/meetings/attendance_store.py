"""Attendance's store: the only attendance module that reads or writes its tables (the
stays, excusals, proxies and quorum checks, and the seats, members and fees the register
reads). Writes run inside the caller's transaction (``governance.meetings.unit_of_work``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from governance import db
from governance.accounts.tables import Person
from governance.db import reading
from governance.meetings.attendance_model import ProxyStep, Revocation
from governance.meetings.attendance_rules import STEP_STAMP
from governance.meetings.quorum import QuorumResult
from governance.meetings.tables import Excusal, Meeting, Presence, Proxy, QuorumCheck
from governance.organisations.tables import Member, MemberFee, Seat

Row = dict[str, Any]

# The tables a register is read from: a write to one of them drops the cached registers.
REGISTER_TABLES = frozenset(
    table._meta.tablename for table in (Seat, Member, MemberFee, Presence, Excusal, Proxy, QuorumCheck, Meeting)
) | {db.ALL_TABLES, "rule_set"}


# --- the register ----------------------------------------------------------------------------


async def _last_check(meeting_id: int) -> Row | None:
    return await (
        QuorumCheck.select().where(QuorumCheck.meeting == meeting_id).order_by(QuorumCheck.id, ascending=False).first()
    )


async def last_check(meeting_id: int) -> Row | None:
    """The meeting's last quorum check (every change to the register records one)."""
    async with reading():
        return await _last_check(meeting_id)


@dataclass
class RegisterRows:
    seats: list[Row]  # id, slug, name, category; by name
    fees: dict[int, bool]  # member -> paid, for the year
    stays: list[Row]  # in order
    excused: set[int]
    proxies: list[Row]  # in order
    last_check: Row | None


async def register_rows(meeting_id: int, body_id: int, year: int, *, with_last_check: bool) -> RegisterRows:
    """What the register is computed from, read together (one snapshot)."""
    async with reading():
        seats = (
            await Seat.select(
                Seat.member.id.as_alias("id"),
                Seat.member.slug.as_alias("slug"),
                Seat.member.name.as_alias("name"),
                Seat.member.category.as_alias("category"),
            )
            .where(Seat.body == body_id)
            .order_by(Seat.member.name)
        )
        fees = {
            row["member"]: row["paid"]
            for row in await MemberFee.select(MemberFee.member, MemberFee.paid).where(
                MemberFee.member.is_in([s["id"] for s in seats] or [-1]) & (MemberFee.year == year)
            )
        }
        stays = (
            await Presence.select(
                Presence.member,
                Presence.person,
                Presence.mode,
                Presence.role,
                Presence.arrived_at,
                Presence.departed_at,
                Presence.person.full_name.as_alias("person_name"),
            )
            .where(Presence.meeting == meeting_id)
            .order_by(Presence.id)
        )
        excused = {row["member"] for row in await Excusal.select(Excusal.member).where(Excusal.meeting == meeting_id)}
        proxies = await Proxy.select().where(Proxy.meeting == meeting_id).order_by(Proxy.id)
        check = await _last_check(meeting_id) if with_last_check else None
    return RegisterRows(seats, fees, stays, excused, proxies, check)


async def record_quorum_check(
    meeting_id: int, *, at: dt.datetime, trigger: str, convocation: int, quorum: QuorumResult
) -> None:
    """One quorum check in the record (rule 4), in the caller's transaction."""
    await QuorumCheck.insert(
        QuorumCheck(
            meeting=meeting_id,
            at=at,
            trigger=trigger[:300],
            convocation=convocation,
            present=quorum.present,
            remote=quorum.remote,
            represented=quorum.represented,
            counted=quorum.counted,
            total=quorum.total,
            required=quorum.required,
            met=quorum.met,
        )
    )


async def quorum_checks(meeting_id: int) -> list[Row]:
    async with reading():
        return await QuorumCheck.select().where(QuorumCheck.meeting == meeting_id).order_by(QuorumCheck.id)


async def set_convocation(meeting_id: int, convocation: int) -> None:
    await Meeting.update({Meeting.convocation: convocation}).where(Meeting.id == meeting_id)


# --- members and their stays -------------------------------------------------------------------


async def seated_member(organisation_id: int, body_id: int, slug: str) -> Row | None:
    """The organisation's member with this code, if it has a seat in the body."""
    async with reading():
        row = await Member.select().where((Member.slug == slug) & (Member.organisation == organisation_id)).first()
        seated = row is not None and await Seat.exists().where((Seat.body == body_id) & (Seat.member == row["id"]))
    return row if seated else None


async def stays_of(meeting_id: int, member_id: int) -> list[Row]:
    return await (
        Presence.select().where((Presence.meeting == meeting_id) & (Presence.member == member_id)).order_by(Presence.id)
    )


async def open_stay(meeting_id: int, member_id: int) -> Row | None:
    """The member's stay with no departure yet."""
    return await (
        Presence.select()
        .where((Presence.meeting == meeting_id) & (Presence.member == member_id) & Presence.departed_at.is_null())
        .first()
    )


async def person_checked_in(meeting_id: int, person_id: int) -> bool:
    return await Presence.exists().where(
        (Presence.meeting == meeting_id) & (Presence.person == person_id) & Presence.departed_at.is_null()
    )


async def checked_in(meeting_id: int, member_id: int, *, present_only: bool = False) -> bool:
    """The member has an open stay (in the room only, with ``present_only``)."""
    where = (Presence.meeting == meeting_id) & (Presence.member == member_id) & Presence.departed_at.is_null()
    if present_only:
        where = where & (Presence.mode == "present")
    return await Presence.exists().where(where)


async def arrive(
    meeting_id: int, member_id: int, *, person: int, role: str, mode: str, at: dt.datetime, by: int
) -> None:
    """A stay opens; a proxy the member gave is revoked (rule 3: a grantor who arrives takes
    its vote back) and its apologies are withdrawn."""
    await Presence.insert(
        Presence(
            meeting=meeting_id, member=member_id, person=person, role=role, mode=mode, arrived_at=at, recorded_by=by
        )
    )
    await Proxy.update(
        {Proxy.revoked_at: at, Proxy.revoked_by: by, Proxy.revoked_reason: Revocation.grantor_arrived.value}
    ).where((Proxy.meeting == meeting_id) & (Proxy.grantor == member_id) & Proxy.revoked_at.is_null())
    await Excusal.delete().where((Excusal.meeting == meeting_id) & (Excusal.member == member_id))


async def undo_arrival(meeting_id: int, member_id: int, stay: Row) -> None:
    """The stay never happened: deleted, and the proxies its arrival revoked live again."""
    await Presence.delete().where(Presence.id == stay["id"])
    await Proxy.update({Proxy.revoked_at: None, Proxy.revoked_by: None, Proxy.revoked_reason: ""}).where(
        (Proxy.meeting == meeting_id)
        & (Proxy.grantor == member_id)
        & (Proxy.revoked_reason == Revocation.grantor_arrived.value)
        & (Proxy.revoked_at == stay["arrived_at"])
    )


async def vote_opened_since(meeting_id: int, at: dt.datetime) -> bool:
    """A poll's quorum check was recorded at or after ``at``."""
    return await QuorumCheck.exists().where(
        (QuorumCheck.meeting == meeting_id) & QuorumCheck.trigger.like("poll%") & (QuorumCheck.at >= at)
    )


async def depart(stay_id: int, at: dt.datetime) -> None:
    await Presence.update({Presence.departed_at: at}).where(Presence.id == stay_id)


async def excuse(meeting_id: int, member_id: int, *, reason: str, at: dt.datetime, by: int) -> None:
    """The member's apologies (replacing earlier ones)."""
    await Excusal.delete().where((Excusal.meeting == meeting_id) & (Excusal.member == member_id))
    await Excusal.insert(
        Excusal(meeting=meeting_id, member=member_id, reason=reason[:300], recorded_at=at, recorded_by=by)
    )


# --- proxies -------------------------------------------------------------------------------


def _named() -> tuple[Any, ...]:
    return (
        *Proxy.all_columns(),
        Proxy.grantor.slug.as_alias("grantor_slug"),
        Proxy.grantor.name.as_alias("grantor_name"),
        Proxy.holder.slug.as_alias("holder_slug"),
        Proxy.holder.name.as_alias("holder_name"),
    )


async def get_proxy(meeting_id: int, proxy_id: int) -> Row | None:
    """The proxy, with its members' codes and names."""
    async with reading():
        return await Proxy.select(*_named()).where((Proxy.id == proxy_id) & (Proxy.meeting == meeting_id)).first()


async def list_proxies(meeting_id: int) -> list[Row]:
    async with reading():
        return await Proxy.select(*_named()).where(Proxy.meeting == meeting_id).order_by(Proxy.id)


async def insert_proxy(values: Row) -> int:
    rows = await Proxy.insert(Proxy(**values)).returning(Proxy.id)
    proxy_id: int = rows[0]["id"]
    return proxy_id


async def stamp_proxy(proxy_id: int, step: ProxyStep, *, at: dt.datetime, by: int, reason: str = "") -> bool:
    """Record a proxy's step, if the proxy is still live and the step not taken meanwhile
    (no race with a twin step); False otherwise."""
    stamp = STEP_STAMP[step]
    at_column, by_column = Proxy._meta.get_column_by_name(f"{stamp}_at"), Proxy._meta.get_column_by_name(f"{stamp}_by")
    values: dict[Any, Any] = {at_column: at, by_column: by}
    where = (Proxy.id == proxy_id) & Proxy.revoked_at.is_null()
    if step == ProxyStep.revoke:
        values[Proxy.revoked_reason] = reason or Revocation.revoked.value
    else:
        where = where & at_column.is_null()
    if step == ProxyStep.accept_in_room:
        values[Proxy.accepted_in_room] = True
    return bool(await Proxy.update(values).where(where).returning(Proxy.id))


async def attach_proxy_form(
    proxy_id: int, *, sha256: str, name: str, content_type: str, size: int, at: dt.datetime, by: int
) -> bool:
    """The proxy's signed form, if it is live and has none yet; False otherwise."""
    updated = (
        await Proxy.update(
            {
                Proxy.form_sha256: sha256,
                Proxy.form_name: name,
                Proxy.form_content_type: content_type,
                Proxy.form_size: size,
                Proxy.form_uploaded_at: at,
                Proxy.form_uploaded_by: by,
            }
        )
        .where((Proxy.id == proxy_id) & Proxy.revoked_at.is_null() & (Proxy.form_sha256 == ""))
        .returning(Proxy.id)
    )
    return bool(updated)


async def proxy_with_people(proxy_id: int) -> tuple[Row, dict[int, str]]:
    """The proxy's row and the names of the people who took its steps (in the transaction)."""
    proxy = await Proxy.select().where(Proxy.id == proxy_id).first()
    assert proxy is not None
    people = {
        proxy[key] for key in ("grantor_confirmed_by", "accepted_by", "form_uploaded_by") if proxy[key] is not None
    }
    names = {
        row["id"]: row["full_name"]
        for row in await Person.select(Person.id, Person.full_name).where(Person.id.is_in(list(people) or [-1]))
    }
    return proxy, names
