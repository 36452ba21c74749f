"""Voiding an open poll when something it froze changes (DOMAIN rule 5).

Kept apart from ``services`` so that the agenda (recusals, a motion taken back to debate)
can void a poll without importing the poll engine, which itself depends on the agenda.
Must run inside the caller's writing transaction.
"""

from __future__ import annotations

from governance import clock
from governance.polls import store
from governance.record import log


async def void_open_polls(meeting_id: int, motion_id: int, actor: int | None, reason: str) -> list[int]:
    """Void the motion's open poll, if any; its ballots stay in the record but never count."""
    at = clock.now()
    voided = await store.void_open(motion_id, at, actor, reason)
    for poll_id in voided:
        await log.append(meeting_id, "poll_voided", actor, at, poll=poll_id, motion=motion_id, reason=reason)
    return voided


async def void_open_polls_on_item(meeting_id: int, item_id: int, actor: int | None, reason: str) -> list[int]:
    from governance.agenda.tables import Motion

    motions = await Motion.select(Motion.id).where(Motion.item == item_id)
    voided: list[int] = []
    for motion in motions:
        voided += await void_open_polls(meeting_id, motion["id"], actor, reason)
    return voided
