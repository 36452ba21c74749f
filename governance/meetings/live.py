"""Live updates: one channel per meeting, server-sent events to every open page.

What travels on the channel is only "meeting N changed" (small, idempotent); each
stream then renders the current snapshot itself, sends it at once on connect, and
re-sends it every ``REFRESH`` seconds, which doubles as keep-alive and heals any lost
event (litestar#4894). Publishing never raises into a service: a failed publish is
logged (litestar#5008 kills the publisher on the first failure otherwise).

Backends: in-process memory with SQLite (one process), PostgreSQL LISTEN/NOTIFY when
several workers share a PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import anyio
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.response import ServerSentEventMessage

from governance.settings import Settings

log = logging.getLogger("governance.live")
REFRESH = 15.0

_plugin: ChannelsPlugin | None = None


def make_plugin(settings: Settings) -> ChannelsPlugin:
    global _plugin
    if settings.is_sqlite:
        backend: object = MemoryChannelsBackend()
    else:
        from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend

        backend = AsyncPgChannelsBackend(dsn=settings.database_url)
    _plugin = ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True)  # type: ignore[arg-type]
    return _plugin


def channel(meeting_id: int) -> str:
    return f"meeting_{meeting_id}"


# Changes within this many seconds make one notification: a vote burst of a thousand
# ballots publishes a few dozen NOTIFYs, not a thousand (each stream renders a snapshot
# per notification it receives).
COALESCE = 0.05
_pending: dict[int, asyncio.AbstractEventLoop] = {}  # meeting -> the loop that will publish


def meeting_changed(meeting_id: int) -> None:
    """Tell every live page of the meeting to refresh (after the change committed)."""
    if _plugin is None:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no event loop (a CLI): nobody is listening here
        return
    if _pending.get(meeting_id) is loop:
        return  # already on its way
    _pending[meeting_id] = loop
    loop.call_later(COALESCE, _publish, meeting_id)


def _publish(meeting_id: int) -> None:
    _pending.pop(meeting_id, None)
    if _plugin is None:
        return
    try:
        _plugin.publish(b"changed", channels=[channel(meeting_id)])
    except Exception:  # the app may not be serving (tests without lifespan)
        log.debug("live update for meeting %s not published", meeting_id, exc_info=True)


async def stream(
    meeting_id: int, render: Callable[[], Awaitable[list[ServerSentEventMessage]]], refresh: float = REFRESH
) -> AsyncIterator[ServerSentEventMessage]:
    """Snapshots of a meeting: now, after every change, and every ``refresh`` seconds.

    Each snapshot carries a version (its id); a part whose version this stream already
    sent is not sent again, so a burst of votes that leaves a page's parts unchanged costs
    one small comment rather than the whole markup."""
    changed = asyncio.Event()
    if _plugin is None:
        raise RuntimeError("live updates are not configured")
    subscriber = await _plugin.subscribe([channel(meeting_id)])

    async def listen() -> None:
        async for _event in subscriber.iter_events():
            changed.set()

    listener = asyncio.create_task(listen())
    sent: dict[str | None, str | int | None] = {}  # event name -> version last sent on this stream
    try:
        while True:
            try:
                messages = await render()
            except Exception:
                # End this stream (the browser reconnects) rather than kill the worker's loop.
                log.exception("live snapshot of meeting %s failed", meeting_id)
                return
            fresh = [m for m in messages if m.id is None or sent.get(m.event) != m.id]
            for message in fresh:
                sent[message.event] = message.id
                yield message
            if not fresh:
                yield ServerSentEventMessage(comment="unchanged")  # keep-alive
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout=refresh)
            changed.clear()  # a burst of changes makes one snapshot
    finally:
        listener.cancel()
        # Shielded: a client disconnect must not cancel the unsubscribe halfway, which
        # breaks delivery for the whole process (seen with the PostgreSQL backends).
        with anyio.CancelScope(shield=True):
            with contextlib.suppress(Exception):
                await _plugin.unsubscribe(subscriber)
