"""What the console, the projector and the tablets show of the agenda: the current item,
its motions (text in the reader's language, the authoritative one a tap away, and what
each amendment changes), recusals, the quorum for the item, and the speakers list."""

from __future__ import annotations

from typing import Any

from governance.agenda import rules, services, speakers
from governance.agenda.diff import word_diff
from governance.auth import Principal
from governance.i18n import current_language
from governance.meetings.attendance import Register
from governance.meetings.quorum import compute_quorum, rule_for
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext


async def agenda_rows(context: MeetingContext) -> dict[str, Any]:
    """What the agenda panel reads from the database: the same for every reader (a live
    update loads it once per change and worker, not once per open page)."""
    items = await services.list_items(context)
    current = next((item for item in items if item["status"] == "open"), None)
    rows: list[dict[str, Any]] = []
    recusals: list[dict[str, Any]] = []
    if current is not None:
        rows = await services.list_motions(context, current["id"])
        recusals = await services.list_recusals(context, current["id"])
    queue = await speakers.queue(context)
    return {"items": items, "current": current, "motions": rows, "recusals": recusals, "queue": queue}


async def agenda_panel(
    context: MeetingContext, principal: Principal, register: Register | None, facts: dict[str, Any] | None = None
) -> dict[str, Any]:
    if facts is None:
        facts = await agenda_rows(context)
    items, current = facts["items"], facts["current"]
    pending = [item for item in items if item["status"] == "pending"]
    language = current_language()
    motions: list[dict[str, Any]] = []
    recusals: list[dict[str, Any]] = []
    item_quorum = None
    if current is not None:
        rows, recusals = facts["motions"], facts["recusals"]
        by_id = {row["id"]: row for row in rows}
        for row in rows:
            entry = {
                **row,
                "text": services.text_in(row, language),
                "authoritative_text": services.text_in(row, row["authoritative_language"]),
                "translated": language != row["authoritative_language"],
                "diff": None,
            }
            if row["amends"] in by_id:
                main = by_id[row["amends"]]
                entry["diff"] = word_diff(services.text_in(main, language), services.text_in(row, language))
            motions.append(entry)
        if register is not None and context.statutes is not None:
            item_quorum = item_quorum_for(context, register, {r["member"] for r in recusals})
    my_member = services.member_of(context, principal)
    queue = facts["queue"]
    my_floor = speakers.mine(queue, principal.person_id)
    can_request_floor = (
        MeetingRole.representative in context.roles
        and context.meeting["status"] == "open"
        and current is not None
        and my_floor["waiting"] is None
        and not my_floor["speaking"]
    )
    return {
        "agenda_items": items,
        "current_item": current,
        "next_item": pending[0] if pending else None,
        "motions": motions,
        "recusals": recusals,
        "item_quorum": item_quorum,
        "drives": services.drives(context),
        "my_member": my_member,
        "agenda_adopted": context.meeting.get("agenda_adopted_at") is not None,
        "speakers": queue,
        "my_floor": my_floor,
        "can_request_floor": can_request_floor,
    }


def item_quorum_for(context: MeetingContext, register: Register, recused: set[int]) -> Any:
    """The quorum for the current item: recused members leave it unless the statutes keep them."""
    if context.statutes is None:
        return register.quorum
    recused = set(rules.quorum_excludes(recused, context.statutes.recused_count_for_quorum))
    if not recused:
        return register.quorum
    seated = {line.id for line in register.lines} - recused
    represented = {line.id for line in register.lines if line.state == "represented"} - recused
    attending = {m: mode for m, mode in register.attending.items() if m not in recused}
    return compute_quorum(
        rule_for(context.statutes, context.meeting["convocation"]),
        seated=seated,
        voters=register.voters - recused,
        attending=attending,
        represented=represented,
    )
