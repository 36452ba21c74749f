"""What the chair's console offers, decided by the agenda's own rules: an action the rules
would refuse is shown disabled with the refusal's words, never offered to fail on a tap."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from governance.agenda import rules
from governance.agenda.model import ON_FLOOR, Item, ItemStatus, Motion, MotionStatus

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


# The moves the console offers the chair on a motion (outcomes come only from votes).
CHAIR_MOVES = (MotionStatus.debate, MotionStatus.voting, MotionStatus.postponed, MotionStatus.referred)


def motion_refusals(
    meeting_status: str,
    motions: Iterable[Mapping[str, Any]],
    *,
    person: int,
    secretary: bool,
    drives: bool,
    seconding_required: bool,
    motions_article: str,
) -> dict[str, str]:
    """Why the chair cannot move a motion of the current item to a status now, keyed
    ``"<motion id>:<status>"`` (absent: it can, or the move is no chair's move at all). The
    same checks as ``agenda.motions._move``, for moves the motion's status allows."""
    decoded = [Motion.from_row(m) for m in motions]
    refused: dict[str, str] = {}
    for motion in decoded:
        for target in CHAIR_MOVES:
            try:
                rules.transition(
                    motion,
                    target,
                    by_vote=False,
                    person=person,
                    secretary=secretary,
                    drives=drives,
                    seconding_required=seconding_required,
                    motions_article=motions_article,
                )
            except rules.NotAllowed:
                continue  # not the chair's to offer at all
            except rules.Refusal as refusal:
                if (motion.status, target) in rules.MOTION_TRANSITIONS:
                    refused[f"{motion.id}:{target}"] = refusal.message
                continue
            try:
                if rules.needs_the_floor(target):
                    rules.in_session(meeting_status)
                if target == MotionStatus.voting:
                    rules.amendments_voted_first(rules.pending_amendments(motion.id, decoded))
            except rules.Refusal as refusal:
                refused[f"{motion.id}:{target}"] = refusal.message
    return refused


def non_voters_against(poll: Mapping[str, Any] | None, voted: int, size: int) -> int:
    """How many of the electorate have not voted in an open roll-call or secret poll whose
    majority base counts them (0 when the base counts only votes cast)."""
    if poll is None or poll["status"] != "open" or poll["method"] not in ("roll_call", "secret"):
        return 0
    if poll.get("base") not in NON_VOTERS_COUNT_AGAINST:
        return 0
    return max(0, size - voted)
