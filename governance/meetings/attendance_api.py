"""Attendance, proxies and the live quorum: the JSON API (and the output models the meeting
room's pages reuse: the quorum, a proxy as its reader may see it)."""

from __future__ import annotations

from typing import Any, cast

from litestar import Controller, Request, get, post

from governance.accounts.guards import principal_of
from governance.i18n import gettext as _
from governance.meetings import attendance
from governance.meetings.attendance_schemas import (
    ArrivalIn,
    DepartureIn,
    ExcusalIn,
    MemberLineOut,
    MissingCode,
    PendingProxyOut,
    ProxyIn,
    ProxyOut,
    QuorumCheckOut,
    QuorumOut,
    RegisterOut,
    RevocationIn,
    UndoArrivalIn,
)
from governance.meetings.guards import chair_or_secretary, meeting_of, participant, secretary
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext, meeting_context
from governance.vocabulary import label

Req = Request[Any, Any, Any]


def quorum_out(register: attendance.Register) -> QuorumOut:
    statutes = register.context.statutes
    assert statutes is not None  # a register exists only under a rule set
    q = register.quorum
    convocation = register.context.meeting["convocation"]
    share = statutes.quorum_fraction(convocation)
    fraction = f"{share.numerator}/{share.denominator}"
    article = statutes.quorum_article_for(convocation)
    more = _("more than") if statutes.quorum_strict else _("at least")
    basis = _("{more} {fraction} {of}, counting {counts}").format(
        more=more,
        fraction=fraction,
        of=label(statutes.quorum_of),
        counts=label(statutes.quorum_counts),
    )
    return QuorumOut(
        convocation=convocation,
        present=q.present,
        remote=q.remote,
        represented=q.represented,
        counted=q.counted,
        total=q.total,
        required=q.required,
        met=q.met,
        basis=basis,
        article=article,
    )


def register_out(request: Req, register: attendance.Register) -> RegisterOut:
    return RegisterOut(
        quorum=quorum_out(register),
        members=[MemberLineOut(member=line.slug, **_line_fields(line)) for line in register.lines],
        proxies=[proxy_out(request, row, register.names) for row in register.proxies],
    )


def _line_fields(line: attendance.MemberLine) -> dict[str, Any]:
    fields = dict(line.__dict__)
    for key in ("id", "slug", "category", "no_vote_code", "no_vote_articles"):
        fields.pop(key)
    fields["no_vote_reason"] = line.no_vote_reason  # in the reader's language
    fields["proxy_missing"] = attendance.missing_sentences(line.proxy_missing)
    fields["holds_pending"] = [
        PendingProxyOut(grantor_name=name, missing=attendance.missing_sentences(codes))
        for name, codes in line.holds_pending
    ]
    return fields


def sees_instructions(context: MeetingContext, person_id: int, row: dict[str, Any]) -> bool:
    """Voting instructions are between the grantor and the holder (and the secretariat, which
    records the proxy): "vote in favour of the budget" told to the room would say how a
    member votes. Other members, observers and the chair (unless grantor, holder or
    secretariat) get ``None``."""
    if MeetingRole.secretary in context.roles:
        return True
    return any(
        m["office"] != "observer" and m["member"] in (row["grantor"], row["holder"])
        for m in context.mandates_for(person_id)
    )


def proxy_out(request: Req, row: dict[str, Any], names: dict[int, str] | None = None) -> ProxyOut:
    names = names or {}
    context = meeting_of(request)
    missing = attendance.proxy_missing(row)
    return ProxyOut(
        id=row["id"],
        grantor=row.get("grantor_slug", ""),
        grantor_name=row.get("grantor_name") or names.get(row["grantor"], ""),
        holder=row.get("holder_slug", ""),
        holder_name=row.get("holder_name") or names.get(row["holder"], ""),
        scope=row["scope"],
        items=row["items"],
        instructions=row["instructions"] if sees_instructions(context, principal_of(request).person_id, row) else None,
        accepted=row["accepted_at"] is not None,
        accepted_in_room=bool(row["accepted_in_room"]),
        validated=row["validated_at"] is not None,
        revoked=row["revoked_at"] is not None,
        revoked_reason=row["revoked_reason"],
        grantor_confirmed=row["grantor_confirmed_at"] is not None,
        form_sha256=row["form_sha256"] or None,
        missing=cast(list[MissingCode], missing),  # the enum's values, as the schema spells them
        missing_text=attendance.missing_sentences(missing),
        complete=row["revoked_at"] is None and not missing,
    )


async def fresh(request: Req) -> MeetingContext:
    """The meeting context again (after a change, its convocation may differ)."""
    return await meeting_context(meeting_of(request).meeting["slug"], principal_of(request))


class AttendanceApi(Controller):
    path = "/api/v1/meetings/{slug:str}"
    tags = ["attendance"]
    guards = [participant]

    @get("/register", summary="Attendance register, proxies and the quorum now")
    async def get_register(self, request: Req) -> RegisterOut:
        return register_out(request, await attendance.load_register(meeting_of(request)))

    @post("/arrivals", summary="Register an arrival (the secretariat, or self check-in where allowed)")
    async def arrive(self, request: Req, data: ArrivalIn) -> QuorumOut:
        await attendance.check_in(
            meeting_of(request),
            principal_of(request),
            data.member,
            person_id=data.person_id,
            mode=data.mode,
            at=data.at,
        )
        return quorum_out(await attendance.load_register(await fresh(request)))

    @post(
        "/arrivals/undo",
        status_code=200,
        summary="Undo an arrival recorded by mistake (within a minute; logged, the quorum recomputed)",
    )
    async def undo_arrival(self, request: Req, data: UndoArrivalIn) -> QuorumOut:
        await attendance.undo_arrival(meeting_of(request), principal_of(request), data.member)
        return quorum_out(await attendance.load_register(await fresh(request)))

    @post("/departures", summary="Register a departure")
    async def depart(self, request: Req, data: DepartureIn) -> QuorumOut:
        await attendance.depart(meeting_of(request), principal_of(request), data.member, at=data.at)
        return quorum_out(await attendance.load_register(await fresh(request)))

    @post("/excusals", guards=[secretary], summary="Record a member's apologies")
    async def excuse(self, request: Req, data: ExcusalIn) -> QuorumOut:
        await attendance.excuse(meeting_of(request), principal_of(request), data.member, data.reason)
        return quorum_out(await attendance.load_register(await fresh(request)))

    @get("/proxies")
    async def list_proxies(self, request: Req) -> list[ProxyOut]:
        return [proxy_out(request, row) for row in await attendance.list_proxies(meeting_of(request))]

    @post("/proxies", summary="Give a member's proxy to another member")
    async def give_proxy(self, request: Req, data: ProxyIn) -> ProxyOut:
        row = await attendance.give_proxy(
            meeting_of(request),
            principal_of(request),
            grantor_slug=data.grantor,
            holder_slug=data.holder,
            scope=data.scope,
            items=data.items,
            instructions=data.instructions,
        )
        return proxy_out(request, row)

    @post("/proxies/{proxy_id:int}/accept", status_code=200, summary="The holder's representative accepts the proxy")
    async def accept_proxy(self, request: Req, proxy_id: int) -> ProxyOut:
        return proxy_out(request, await attendance.accept_proxy(meeting_of(request), principal_of(request), proxy_id))

    @post(
        "/proxies/{proxy_id:int}/accept-in-room",
        status_code=200,
        guards=[secretary],
        summary="The secretariat records that the holder, present, accepted the proxy in the room",
    )
    async def accept_in_room(self, request: Req, proxy_id: int) -> ProxyOut:
        return proxy_out(request, await attendance.accept_in_room(meeting_of(request), principal_of(request), proxy_id))

    @post(
        "/proxies/{proxy_id:int}/confirm",
        status_code=200,
        summary="The grantor's representative confirms a proxy recorded for it by the secretariat",
    )
    async def confirm_proxy(self, request: Req, proxy_id: int) -> ProxyOut:
        return proxy_out(request, await attendance.confirm_proxy(meeting_of(request), principal_of(request), proxy_id))

    @post("/proxies/{proxy_id:int}/validate", status_code=200, guards=[secretary], summary="The secretariat validates")
    async def validate_proxy(self, request: Req, proxy_id: int) -> ProxyOut:
        return proxy_out(request, await attendance.validate_proxy(meeting_of(request), principal_of(request), proxy_id))

    @post("/proxies/{proxy_id:int}/revoke", status_code=200, summary="Revoke a proxy")
    async def revoke_proxy(self, request: Req, proxy_id: int, data: RevocationIn | None = None) -> ProxyOut:
        reason = data.reason if data else ""
        return proxy_out(
            request, await attendance.revoke_proxy(meeting_of(request), principal_of(request), proxy_id, reason)
        )

    @post(
        "/second-convocation",
        status_code=200,
        guards=[chair_or_secretary],
        summary="Move to the second convocation (its own quorum)",
    )
    async def second_convocation(self, request: Req) -> QuorumOut:
        await attendance.second_convocation(meeting_of(request), principal_of(request))
        return quorum_out(await attendance.load_register(await fresh(request)))

    @get("/quorum-checks", summary="Every quorum check, in order")
    async def quorum_checks(self, request: Req) -> list[QuorumCheckOut]:
        context = meeting_of(request)
        register = await attendance.load_register(context)
        by_slug = {line.slug: line.name for line in register.lines}
        return [
            QuorumCheckOut(description=attendance.describe_trigger(row["trigger"], by_slug), **_check_fields(row))
            for row in await attendance.quorum_checks(context)
        ]


def _check_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("id", "meeting")}
