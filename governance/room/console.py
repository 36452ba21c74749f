"""What the chair's console offers, decided by the agenda's own rules: an action the rules
would refuse is shown disabled with the refusal's words, never offered to fail on a tap."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from governance.agenda import rules
from governance.agenda.model import ON_FLOOR, Item, ItemStatus

# Bases over which a member who does not vote still counts in the total (a non-vote is a no).
NON_VOTERS_COUNT_AGAINST = frozenset({"present", "present_or_represented", "all_members"})


def take_up_refusals(
    meeting_status: str,
    items: Iterable[Mapping[str, Any]],
    current: Mapping[str, Any] | None,
    motions: Iterable[Mapping[str, Any]],
    *,
    agenda_adopted: bool,
) -> dict[int, str]:
    """Why each pending item cannot be taken up now, by item id (absent: it can). The same
    checks as ``agenda.items.open_item``: in session, pending, the agenda adopted first, and
    the current item closable (taking up another closes it)."""
    refused: dict[int, str] = {}
    on_floor = sum(1 for m in motions if m["status"] in ON_FLOOR) if current is not None else 0
    for row in items:
        if row["status"] != ItemStatus.pending:
            continue
        try:
            rules.in_session(meeting_status)
            rules.take_up(Item.from_row(row), agenda_adopted=agenda_adopted)
            if current is not None:
                rules.closable(Item.from_row(current), on_floor, ItemStatus.closed)
        except rules.Refusal as refusal:
            refused[int(row["id"])] = refusal.message
    return refused


def non_voters_against(poll: Mapping[str, Any] | None, voted: int, size: int) -> int:
    """How many of the electorate have not voted in an open roll-call or secret poll whose
    majority base counts them (0 when the base counts only votes cast)."""
    if poll is None or poll["status"] != "open" or poll["method"] not in ("roll_call", "secret"):
        return 0
    if poll.get("base") not in NON_VOTERS_COUNT_AGAINST:
        return 0
    return max(0, size - voted)
