"""Writing to and reading the meeting log.

Services call :func:`append` inside the transaction of the change they record, so the
log and the state never disagree. (The hash chain, receipts and signatures over this
log are the record's next layer.)
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from governance.db import reading
from governance.record.tables import MeetingEvent


async def append(
    meeting_id: int, event_kind: str, actor: int | None, at: dt.datetime | None = None, /, **payload: Any
) -> None:
    """Log one event; ``payload`` holds plain values (ids, codes, numbers, short texts)."""
    await MeetingEvent.insert(
        MeetingEvent(
            meeting=meeting_id,
            at=at or dt.datetime.now(dt.UTC),
            actor=actor,
            kind=event_kind,
            payload=json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str),
        )
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
            .order_by(MeetingEvent.id)
        )
    for row in rows:
        row["payload"] = json.loads(row["payload"])
    return rows
