"""Step 3 of record format §8: the log, each event's body hashed and chained to its parent from
height 1 up to the manifest's log_head; then each poll's events gathered for step 4."""

from __future__ import annotations

from collections import Counter
from typing import Any

from governance.verify.broken import TIME, Broken, is_int, need, sha256_hex, short
from governance.verify.bundle import Bundle, Event, PollEvents
from governance.verify.canonical import CanonicalError, dumps, loads

ZERO_HASH = "0" * 64
BODY_KEYS = {"meeting", "height", "parent", "type", "at", "actor", "payload"}
POLL_EVENTS = (
    "electorate_fixed",
    "poll_opened",
    "poll_closed",
    "poll_voided",
    "consent_objection",
    "casting_vote",
    "checkpoint",
)


# 3. The chain ------------------------------------------------------------------------------


def check_chain(bundle: Bundle, manifest: dict[str, Any]) -> None:
    meeting = manifest["meeting"]
    parent = ZERO_HASH
    for position, entry in enumerate(bundle.record["events"], start=1):
        need(
            isinstance(entry, dict) and isinstance(entry.get("body"), str) and isinstance(entry.get("hash"), str),
            f"events[{position}]: not a {{body, hash}} object",
        )
        body = entry["body"].encode("utf-8")
        try:
            value = loads(body)
        except CanonicalError as error:
            raise Broken(f"events[{position}]: body is not JSON of the record ({error})") from error
        height = value.get("height") if isinstance(value, dict) else None
        name = f"event {height}" if is_int(height, 1) else f"events[{position}]"
        need(sha256_hex(body) == entry["hash"], f"{name}: hash does not match its body")
        need(dumps(value) == body, f"{name}: body is not canonical JSON")
        need(
            isinstance(value, dict) and set(value) == BODY_KEYS,
            f"{name}: body keys are not {', '.join(sorted(BODY_KEYS))}",
        )
        need(height == position, f"{name}: found where height {position} belongs (events missing or out of order)")
        assert isinstance(height, int)
        need(value["parent"] == parent, f"{name}: parent is not the hash of event {position - 1}")
        need(value["meeting"] == meeting, f"{name}: names meeting {value['meeting']!r}, not {meeting!r}")
        need(
            isinstance(value["type"], str)
            and isinstance(value["payload"], dict)
            and (value["actor"] is None or is_int(value["actor"])),
            f"{name}: malformed type, actor or payload",
        )
        need(
            isinstance(value["at"], str) and TIME.fullmatch(value["at"]) is not None,
            f"{name}: time {value['at']!r} is not of the form 2012-11-15T02:00:00.000000Z",
        )
        bundle.events.append(Event(height, entry["hash"], value["type"], value["at"], value["actor"], value["payload"]))
        parent = entry["hash"]
    head = manifest.get("log_head")
    last = (len(bundle.events), parent) if bundle.events else (0, ZERO_HASH)
    need(
        isinstance(head, dict) and (head.get("height"), head.get("hash")) == last,
        f"log: head {last[0]} {short(last[1])} differs from the manifest's log_head",
    )
    kinds = Counter(event.type for event in bundle.events)
    bundle.say(f"3. log: {len(bundle.events)} events chained from height 1, head {last[0]} {short(last[1])}")
    bundle.say("   " + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())))


def index_polls(bundle: Bundle) -> None:
    for poll in bundle.record["polls"]:
        need(isinstance(poll, dict) and is_int(poll.get("id"), 1), f"record.json: malformed poll {poll!r:.60}")
        need(poll["id"] not in bundle.polls, f"record.json: poll {poll['id']} listed twice")
        bundle.polls[poll["id"]] = poll
        bundle.per_poll[poll["id"]] = PollEvents()
    for event in bundle.events:
        if event.type in POLL_EVENTS:
            poll_id = event.payload.get("poll")
            need(
                poll_id in bundle.polls,
                f"event {event.height}: {event.type} names poll {poll_id!r}, which record.json does not list",
            )
            assert isinstance(poll_id, int)
            bundle.per_poll[poll_id].by_type.setdefault(event.type, []).append(event)
