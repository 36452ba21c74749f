"""One unit of work for a change to a meeting: the meeting row locked, one transaction,
live pages told after the commit.

Every change to a meeting (its register, its agenda, its votes) goes through :func:`change`,
so that concurrent desks and consoles take turns on the same meeting (on PostgreSQL; SQLite
writes are already serialised in-process and it has no row locks), and no live page is
told of a change that may still roll back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from governance import db
from governance.db import writing
from governance.meetings import live
from governance.meetings.tables import Meeting

if TYPE_CHECKING:
    from governance.meetings.services import MeetingContext

T = TypeVar("T")


async def lock_meeting(meeting_id: int) -> None:
    """Take the meeting's row lock for the rest of the transaction (PostgreSQL)."""
    await db.take_lock(Meeting.select(Meeting.id).where(Meeting.id == meeting_id))


async def change(context: MeetingContext, work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` atomically with the meeting locked; then live pages refresh."""
    meeting_id: int = context.meeting["id"]
    async with writing():
        await lock_meeting(meeting_id)
        result = await work()
    live.meeting_changed(meeting_id)
    return result
