"""Step 4, continued (rule 18): every motion adopted or rejected by a vote on it, recorded at that
point of the log, and the record's list of motions as the log leaves them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from governance.verify.broken import Broken, need
from governance.verify.bundle import DECISIONS, DISPOSED, MOTION_STATUSES, Bundle, Event


@dataclass(frozen=True)
class Cause:
    """A vote that decided a motion: the status it must take next in the log, and why."""

    motion: Any
    outcome: str
    why: str
    height: int


def motion_name(bundle: Bundle, motion_id: Any) -> str:
    """``motion 12 (item 4, Budget 2013)``: the record's motion list, else its motion_proposed."""
    listed = bundle.motions.get(motion_id)
    if listed is not None:
        kind = f", amendment to motion {listed.get('amends')}" if listed.get("kind") == "amendment" else ""
        return f"motion {motion_id} (item {listed.get('item')}, {listed.get('title')}{kind})"
    proposed = next(
        (e for e in bundle.events if e.type == "motion_proposed" and e.payload.get("motion") == motion_id), None
    )
    return f"motion {motion_id} (item {proposed.payload.get('item')})" if proposed else f"motion {motion_id}"


def check_decisions(bundle: Bundle) -> None:
    """Rule 18: a motion is adopted or rejected only by a vote on it, at that point of the log.

    Each poll_closed that decides its motion (and each casting_vote settling a tie, and each
    elected_unopposed the statutes allow) must be followed, with only its checkpoint between,
    by the motion_adopted or motion_rejected of that motion with that outcome; and no
    motion_adopted or motion_rejected stands without such a cause. Other statuses (withdrawn,
    postponed, referred: an amendment falling with its main motion, a procedural motion
    carried) need no vote. The record's list of motions says each one's final status, which
    must be the log's."""
    bundle.say("   decisions (each from a vote on the motion, at that point of the log):")
    status: dict[Any, str] = {}  # motion -> its status in the log so far
    elected: dict[Any, list[Any]] = {}  # election motion -> elected in its closed rounds so far
    cause: Cause | None = None  # a vote whose motion_adopted / motion_rejected is due next
    decided = 0
    for event in bundle.events:
        if cause is not None and event.type != "checkpoint":
            motion, outcome = cause.motion, cause.outcome
            need(
                event.type == f"motion_{outcome}" and event.payload.get("motion") == motion,
                f"{motion_name(bundle, motion)}: {cause.why} (event {cause.height}) {outcome} it, but the next event "
                f"({event.height}, {event.type}) does not record it {outcome}",
            )
            decision = event.payload.get("decision")
            said = f" as {decision}" if decision else ""
            bundle.say(f"     {motion_name(bundle, motion)}: {outcome}{said} by {cause.why} (event {event.height}) OK")
            status[motion] = outcome
            cause, decided = None, decided + 1
            continue
        payload = event.payload
        if event.type == "poll_closed":
            cause = decided_by(bundle.polls[payload["poll"]], payload, elected, event)
        elif event.type == "casting_vote":
            cause = settled_by(bundle.polls[payload["poll"]], payload, elected, event)
        elif event.type == "elected_unopposed":
            why = "an election unopposed, no vote held (the statutes allow it)"
            cause = Cause(payload.get("motion"), "adopted", why, event.height)
        elif event.type.startswith("motion_") and event.type[7:] in MOTION_STATUSES:
            motion, new = payload.get("motion"), event.type[7:]
            need(
                new not in DECISIONS,
                f"{motion_name(bundle, motion)} is recorded {new} (event {event.height}), but no vote decided it",
            )
            by = payload.get("by")
            need(
                by is None or status.get(by) in DISPOSED,
                f"{motion_name(bundle, motion)}: {new} (event {event.height}) by motion {by}, not yet disposed of",
            )
            status[motion] = new
        elif event.type == "agenda_adopted":
            motion = payload.get("motion")
            need(
                status.get(motion) == "adopted",
                f"the agenda is recorded adopted (event {event.height}), but {motion_name(bundle, motion)} "
                "was not adopted by a vote",
            )
            bundle.say(f"     the agenda adopted with {motion_name(bundle, motion)} OK")
    if cause is not None:
        raise Broken(f"{motion_name(bundle, cause.motion)}: {cause.why} (event {cause.height}) {cause.outcome} it, "
                     f"but the log ends without recording it {cause.outcome}")  # fmt: skip
    for motion_id, motion in sorted(bundle.motions.items()):
        logged = status.get(motion_id)
        if motion["status"] in DECISIONS or logged is not None:
            need(
                motion["status"] == logged or (logged is None and motion["status"] == "proposed"),
                f"{motion_name(bundle, motion_id)} is recorded {motion['status']}, "
                + ("but no vote decided it" if motion["status"] in DECISIONS and logged not in DECISIONS
                   else f"but the log leaves it {logged}"),
            )  # fmt: skip
    listed = f"; the {len(bundle.motions)} motion(s) of record.json as the log leaves them" if bundle.motions else ""
    bundle.say(f"     {decided} decision(s), none without a vote{listed} OK")


def decided_by(
    poll: dict[str, Any], closed: dict[str, Any], elected: dict[Any, list[Any]], event: Event
) -> Cause | None:
    """What a poll's close does to its motion (the result itself is checked in PollCheck):
    a motion's outcome; an election's, once a round elects or ends it (adopted when anyone
    was elected in any of its rounds, rejected when no one was)."""
    motion, outcome, why = poll["motion"], closed.get("outcome"), f"poll {poll['id']}"
    if poll["kind"] == "election":
        elected.setdefault(motion, []).extend(closed.get("elected") or [])
        if outcome not in ("elected", "not_elected"):
            return None  # another round, or a casting vote, to come
        outcome = "adopted" if elected[motion] else "rejected"
    elif outcome not in DECISIONS:
        return None  # a tie awaiting its casting vote, or a new round
    return Cause(motion, str(outcome), why, event.height)


def settled_by(poll: dict[str, Any], cast: dict[str, Any], elected: dict[Any, list[Any]], event: Event) -> Cause:
    motion, why = poll["motion"], f"the casting vote on poll {poll['id']}"
    if poll["kind"] == "election":
        elected.setdefault(motion, []).extend(str(cast.get("choice")).split(","))
        return Cause(motion, "adopted", why, event.height)
    outcome = cast.get("outcome")
    need(outcome in DECISIONS, f"poll {poll['id']}: casting vote records outcome {outcome!r}")
    return Cause(motion, str(outcome), why, event.height)
