"""Writing to and reading the meeting log.

Services call :func:`append` inside the transaction of the change they record, so the
log and the state never disagree. Each event is chained to the previous one of its meeting
(docs/record-format.md §2): appends are serialised per meeting by a row lock on the meeting
on PostgreSQL (SQLite has one writer), the unique index on (meeting, height) is the last
word, and the database refuses any UPDATE or DELETE of a log row.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from governance import clock, db
from governance.db import reading
from governance.meetings.tables import Meeting
from governance.record.canonical import GENESIS, event_body, sha256_hex
from governance.record.tables import MeetingEvent

Row = dict[str, Any]


async def append(
    meeting_id: int, event_kind: str, actor: int | None, at: dt.datetime | None = None, /, **payload: Any
) -> Row:
    """Log one event; ``payload`` holds plain values (ids, codes, numbers, short texts).

    Must run inside a writing transaction. Returns {"height", "hash"} of the new event."""
    at = at or clock.now()
    # Plain JSON values only: anything else (a date, a Decimal) is written as its string.
    plain = json.loads(json.dumps(payload, default=str))
    meeting = await db.lock(Meeting.select(Meeting.slug).where(Meeting.id == meeting_id), "UPDATE").first()
    if meeting is None:
        raise LookupError(f"no meeting {meeting_id} to log an event of")
    last = (
        await MeetingEvent.select(MeetingEvent.height, MeetingEvent.hash)
        .where(MeetingEvent.meeting == meeting_id)
        .order_by(MeetingEvent.height, ascending=False)
        .first()
    )
    height, parent = (last["height"] + 1, last["hash"]) if last else (1, GENESIS)
    body = event_body(meeting["slug"], height, parent, event_kind, at, actor, plain)
    digest = sha256_hex(body)
    await MeetingEvent.insert(
        MeetingEvent(
            meeting=meeting_id,
            at=at,
            actor=actor,
            kind=event_kind,
            payload=json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
            height=height,
            parent=parent,
            body=body.decode(),
            hash=digest,
        )
    )
    return {"height": height, "hash": digest}


async def head(meeting_id: int) -> Row | None:
    """The log head: {"height", "hash"} of the last event, or None."""
    async with reading():
        return (
            await MeetingEvent.select(MeetingEvent.height, MeetingEvent.hash)
            .where(MeetingEvent.meeting == meeting_id)
            .order_by(MeetingEvent.height, ascending=False)
            .first()
        )


async def events(meeting_id: int) -> list[dict[str, Any]]:
    async with reading():
        rows = (
            await MeetingEvent.select(
                MeetingEvent.id,
                MeetingEvent.at,
                MeetingEvent.kind,
                MeetingEvent.payload,
                MeetingEvent.actor,
                MeetingEvent.actor.full_name.as_alias("actor_name"),
            )
            .where(MeetingEvent.meeting == meeting_id)
            .order_by(MeetingEvent.height)
        )
    for row in rows:
        row["payload"] = json.loads(row["payload"])
    return rows
