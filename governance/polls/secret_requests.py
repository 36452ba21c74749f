"""Members ask for a secret ballot on a motion (rule set: ``secret_ballot_on_request_of``).

A request is made for a member by the person who speaks for it at this meeting: its
representative checked in, or the representative of the member holding its proxy. One
request per member per motion (a unique index is the last word; asking twice is answered
with the count, not counted twice). Each request is logged with the member. When the
requests reach the statutes' number, the next poll on the motion must be secret:
``governance.polls.secrecy_rules`` decides, ``open_poll`` refuses any other method.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from governance import clock
from governance.agenda import services as agenda
from governance.auth import Principal
from governance.db import reading
from governance.errors import Conflict, Forbidden
from governance.i18n import gettext as _
from governance.meetings import attendance
from governance.meetings.services import MeetingContext
from governance.organisations.statutes import Statutes
from governance.polls.secrecy_rules import Secrecy, SecretClauses, refusal, request_refusal, required_method
from governance.polls.tables import SecretBallotRequest
from governance.record import log

Row = dict[str, Any]
# A request makes sense until the motion is decided (or leaves the floor).
OPEN_MOTION = ("proposed", "seconded", "debate", "voting")


def clauses_of(statutes: Statutes | None) -> SecretClauses:
    """The statutes' secret-ballot clauses as plain values."""
    if statutes is None:
        return SecretClauses(for_elections=False, for_personal_matters=False, on_request_of=None, article="")
    return SecretClauses(
        for_elections=statutes.secret_ballot_for_elections,
        for_personal_matters=statutes.secret_ballot_for_personal_matters,
        on_request_of=statutes.secret_ballot_on_request_of,
        article=statutes.secret_ballot_article,
    )


@dataclass(frozen=True)
class RequestState:
    motion: int
    requests: int
    threshold: int | None
    members: list[str]  # slugs of the members who asked, in the order they asked
    secrecy: Secrecy
    recorded: bool = False  # this call added a request (False: it was already there)


async def count(motion_id: int) -> int:
    return await SecretBallotRequest.count().where(SecretBallotRequest.motion == motion_id)


async def required(context: MeetingContext, motion: Row) -> Secrecy:
    """What the statutes impose on the next poll on ``motion`` (inside or outside a transaction)."""
    return required_method(motion["decision_type"], clauses_of(context.statutes), await count(motion["id"]))


async def _state(context: MeetingContext, motion: Row, recorded: bool = False) -> RequestState:
    rows = (
        await SecretBallotRequest.select(SecretBallotRequest.member.slug.as_alias("slug"))
        .where(SecretBallotRequest.motion == motion["id"])
        .order_by(SecretBallotRequest.id)
    )
    clauses = clauses_of(context.statutes)
    return RequestState(
        motion=motion["id"],
        requests=len(rows),
        threshold=clauses.on_request_of,
        members=[r["slug"] for r in rows],
        secrecy=required_method(motion["decision_type"], clauses, len(rows)),
        recorded=recorded,
    )


async def list_requests(context: MeetingContext, motion_id: int) -> RequestState:
    motion = await agenda.get_motion(context, motion_id)
    async with reading():
        return await _state(context, motion)


async def request(context: MeetingContext, principal: Principal, motion_id: int, member_slug: str) -> RequestState:
    """Ask, for ``member_slug``, that the vote on the motion be secret."""
    clauses = clauses_of(context.statutes)
    refused = request_refusal(clauses)
    if refused:
        raise Conflict(refused)
    if context.meeting["status"] != "open":
        raise Conflict(_("The meeting is not in session."))

    async def ask() -> RequestState:
        motion = await agenda.get_motion(context, motion_id)
        if motion["status"] not in OPEN_MOTION:
            raise Conflict(_("This motion is no longer before the meeting."))
        register = await attendance.load_register(context)
        line = register.line(member_slug)
        if line.id not in register.voters:
            raise Forbidden(_("{member} has no vote at this meeting.").format(member=line.name))
        if line.id in register.attending:
            speaker = register.representatives.get(line.id)
        elif line.id in register.represented_by:
            speaker = register.representatives.get(register.represented_by[line.id])
        else:
            raise Forbidden(_("{member} is neither present nor represented.").format(member=line.name))
        if speaker != principal.person_id:
            raise Forbidden(_("You do not speak for {member} at this meeting.").format(member=line.name))
        recused = {r["member"] for r in await agenda.list_recusals(context, motion["item"])}
        if line.id in recused:
            raise Forbidden(
                _("{member} is recused on this item ({article}).").format(
                    member=line.name, article=context.statutes.recusal_article if context.statutes else ""
                )
            )
        already = (
            await SecretBallotRequest.select(SecretBallotRequest.id)
            .where((SecretBallotRequest.motion == motion_id) & (SecretBallotRequest.member == line.id))
            .first()
        )
        if already is not None:  # asked twice (a retry, a second tap): counted once
            return await _state(context, motion)
        at = clock.now()
        await SecretBallotRequest.insert(
            SecretBallotRequest(
                meeting=context.meeting["id"],
                motion=motion_id,
                member=line.id,
                requested_by=principal.person_id,
                requested_at=at,
            )
        )
        state = await _state(context, motion, recorded=True)
        await log.append(
            context.meeting["id"],
            "secret_ballot_requested",
            principal.person_id,
            at,
            motion=motion_id,
            member=member_slug,
            requests=state.requests,
            threshold=state.threshold,
        )
        return state

    return await agenda.change(context, ask)


# --- what the meeting pages show ----------------------------------------------------------


async def rows_for(context: MeetingContext, motions: Iterable[Row]) -> dict[int, list[str]]:
    """Who asked, per motion still before the meeting (read once per change, for every reader).
    No statement at all when the statutes provide for no request or no motion is open."""
    ids = [m["id"] for m in motions if m["status"] in OPEN_MOTION]
    if not ids or clauses_of(context.statutes).on_request_of is None:
        return {}
    rows = (
        await SecretBallotRequest.select(SecretBallotRequest.motion, SecretBallotRequest.member.slug.as_alias("slug"))
        .where(SecretBallotRequest.motion.is_in(ids))
        .order_by(SecretBallotRequest.id)
    )
    asked: dict[int, list[str]] = {}
    for row in rows:
        asked.setdefault(row["motion"], []).append(row["slug"])
    return asked


def spoken_for(register: attendance.Register | None, person_id: int | None) -> list[tuple[str, str]]:
    """(slug, name) of the voting members this person speaks for: checked in for, or by proxy."""
    if register is None or person_id is None:
        return []
    mine: list[tuple[str, str]] = []
    for line in register.lines:
        if line.id not in register.voters:
            continue
        if line.id in register.attending:
            speaker = register.representatives.get(line.id)
        elif line.id in register.represented_by:
            speaker = register.representatives.get(register.represented_by[line.id])
        else:
            continue
        if speaker == person_id:
            mine.append((line.slug, line.name))
    return mine


def panel(
    context: MeetingContext,
    principal: Principal,
    register: attendance.Register | None,
    motions: Iterable[Row],
    asked: dict[int, list[str]],
) -> dict[str, Any]:
    """Per open motion: the requests so far, the method the statutes impose (with the sentence),
    and the members this reader may still ask for."""
    clauses = clauses_of(context.statutes)
    mine = spoken_for(register, principal.person_id) if context.meeting["status"] == "open" else []
    shown: dict[int, dict[str, Any]] = {}
    for motion in motions:
        if motion["status"] not in OPEN_MOTION:
            continue
        members = asked.get(motion["id"], [])
        secrecy = required_method(motion["decision_type"], clauses, len(members))
        shown[motion["id"]] = {
            "requests": len(members),
            "threshold": clauses.on_request_of,
            "forced": secrecy.method,
            "sentence": refusal(secrecy, clauses.article) if secrecy.method else "",
            "may_ask": [(slug, name) for slug, name in mine if slug not in members]
            if clauses.on_request_of is not None
            else [],
        }
    return {"secret_requests": shown}
