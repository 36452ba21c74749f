"""Attendance's register as it stands, read for a meeting (and cached per process): the
seats, voting rights, stays, excusals, proxies and the quorum; and the quorum on an item."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from governance import db
from governance.errors import Conflict
from governance.flights import load_once
from governance.i18n import gettext as _
from governance.meetings import attendance_rules as rules
from governance.meetings import attendance_store as store
from governance.meetings.attendance_model import Register
from governance.meetings.quorum import QuorumResult, rule_for
from governance.meetings.services import MeetingContext
from governance.organisations.statutes import Statutes

Row = dict[str, Any]


def meeting_year(context: MeetingContext) -> int:
    year: int = context.meeting["starts_at"].astimezone(ZoneInfo(context.meeting["time_zone"])).year
    return year


# The register is cached per process, keyed by the meeting's last quorum check: every
# change to the register (arrival, departure, excusal, proxy step, second convocation)
# records a quorum check in the same transaction, in whichever worker makes it, so a
# register loaded for the last check a request sees is the register now. The seats,
# members and fees behind it change in the back office: a write to them in this process
# drops the cache, and an entry lives only as long as the meeting's cached surroundings
# (CONTEXT_SECONDS) so that another worker's change to them is seen as soon as the rest of
# the context. A thousand tablets asking at once after a change make one load, not 1000.
# Never used inside a writing transaction (what it reads there may not be committed).
@dataclass
class _CachedRegister:
    key: tuple[Any, ...]
    body: Row  # the context's cached rows it was loaded with (compared by identity)
    statutes: Statutes
    register: Register


_registers: dict[int, _CachedRegister] = {}
_register_flights: dict[Any, tuple[int, asyncio.Future[Register]]] = {}
_register_generation = 0


def _forget_registers(table: str) -> None:
    global _register_generation
    if table in store.REGISTER_TABLES:
        _register_generation += 1
        _registers.clear()


db.on_write(_forget_registers)


async def load_register(context: MeetingContext) -> Register:
    """The register as it stands: seats, voting rights, stays, excusals, proxies, quorum."""
    statutes = context.statutes
    if statutes is None:
        raise Conflict(_("The meeting is not convened yet: its rules are not fixed."))
    if db.in_writing():
        return await _load_register(context, None, fresh=True)
    meeting_id = context.meeting["id"]
    last_check = await store.last_check(meeting_id)
    key = (
        meeting_id,
        last_check["id"] if last_check else None,
        context.meeting["convocation"],
        meeting_year(context),
        id(context.body),
        id(statutes),
    )
    cached = _registers.get(meeting_id)
    if cached is not None and cached.key == key and cached.body is context.body and cached.statutes is statutes:
        return replace(cached.register, context=context)
    generation = _register_generation
    register = await load_once(
        _register_flights, key, generation, lambda: _load_register(context, last_check, fresh=False)
    )
    if generation == _register_generation:  # nothing this process wrote meanwhile
        if len(_registers) > 64:
            _registers.clear()
        _registers[meeting_id] = _CachedRegister(key, context.body, statutes, register)
    # Shared with concurrent readers: the rows are theirs alike, the context is each one's.
    return replace(register, context=context)


async def _load_register(context: MeetingContext, last_check: Row | None, *, fresh: bool) -> Register:
    statutes = context.statutes
    assert statutes is not None
    rows = await store.register_rows(
        context.meeting["id"], context.body["id"], meeting_year(context), with_last_check=fresh
    )
    tally = rules.tally(
        seats=rows.seats,
        fees=rows.fees,
        stays=rows.stays,
        excused=rows.excused,
        proxies=rows.proxies,
        rule=rule_for(statutes, context.meeting["convocation"]),
        voting_categories=statutes.voting_categories,
        arrears_remove_vote=statutes.arrears_remove_vote,
        holder_must_vote=statutes.proxy_holder_must_be_member,
        year=meeting_year(context),
        articles={
            "voting_categories_article": statutes.voting_categories_article,
            "arrears_article": statutes.arrears_article,
        },
    )
    return Register(
        context,
        tally.lines,
        tally.quorum,
        rows.proxies,
        tally.names,
        tally.voters,
        tally.attending,
        rows.last_check if fresh else last_check,
        representatives=tally.representatives,
        represented_by=tally.represented_by,
        by_id={line.id: line for line in tally.lines},
        names_by_slug={line.slug: line.name for line in tally.lines},
    )


def item_quorum(context: MeetingContext, register: Register, recused: Collection[int]) -> QuorumResult:
    """The quorum for an item: recused members leave it unless the statutes keep them."""
    statutes = context.statutes
    if not recused or statutes is None:
        return register.quorum
    return rules.item_quorum(
        rule_for(statutes, context.meeting["convocation"]),
        register.quorum,
        seated=register.by_id.keys() if register.by_id else [line.id for line in register.lines],
        voters=register.voters,
        attending=register.attending,
        represented_by=register.represented_by,
        recused=recused,
        recused_count=statutes.recused_count_for_quorum,
    )
