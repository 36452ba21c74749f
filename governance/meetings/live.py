"""Live updates: one channel per meeting, server-sent events to every open page.

What travels on the channel is only "meeting N changed" (small, idempotent); each
stream then renders the current snapshot, sends it at once on connect, and re-sends it
every ``REFRESH`` seconds, which doubles as keep-alive and heals any lost event
(litestar#4894). Each process subscribes once per meeting (``_Hub``) and wakes its
streams; what they read alike is loaded once per change (``shared``), not once per page.
Publishing never raises into a service: a failed publish is logged (litestar#5008 kills
the publisher on the first failure otherwise).

Backends: in-process memory with SQLite (one process), PostgreSQL LISTEN/NOTIFY when
several workers share a PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import anyio
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.response import ServerSentEventMessage

from governance.accounts import sessions
from governance.i18n import gettext as _
from governance.settings import Settings

log = logging.getLogger("governance.live")
# A snapshot that fails (the database restarting) is retried every RENDER_RETRY seconds;
# after RENDER_GIVE_UP seconds of failures the stream ends and the browser reconnects.
RENDER_RETRY = 2.0
RENDER_GIVE_UP = 60.0
REFRESH = 15.0

_plugin: ChannelsPlugin | None = None


def make_plugin(settings: Settings) -> ChannelsPlugin:
    global _plugin
    if settings.is_sqlite:
        backend: object = MemoryChannelsBackend()
    else:
        backend = ReconnectingAsyncPgBackend(dsn=settings.database_url)
    _plugin = ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True)  # type: ignore[arg-type]
    if _wake_every_stream not in sessions.revocation_observers:
        sessions.revocation_observers.append(_wake_every_stream)
    return _plugin


def _wake_every_stream() -> None:
    """A session ended here: every stream of this process checks its own at once (the others'
    streams check at their next update, at most ``REFRESH`` seconds away)."""
    for hub in list(_hubs.values()):
        hub.generation += 1  # what ``shared`` memoised (the live sessions) is read afresh
        for changed in hub.streams:
            changed.set()


try:  # asyncpg comes with piccolo[postgres]; SQLite-only installs use the memory backend.
    from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend as _AsyncPgBase
except ImportError:  # pragma: no cover
    _AsyncPgBase = object  # type: ignore[assignment, misc]


class ReconnectingAsyncPgBackend(_AsyncPgBase):  # type: ignore[misc, valid-type]
    """Litestar's LISTEN/NOTIFY backend, made to survive a database restart.

    Upstream, the one LISTEN connection is opened at start-up and never again: after a
    PostgreSQL restart (or a dropped connection) every stream of the process stays silent
    for good, and new streams fail to subscribe. A failing publish raises into the
    plugin's publish worker and kills it (litestar#5008), so after one NOTIFY during an
    outage nothing is ever published again. Here:

    * a watchdog notices the lost connection (termination callback, ``is_closed()``, and a
      periodic ``SELECT 1``), reconnects with back-off and LISTENs again on every channel;
    * on reconnecting it delivers a "changed" event on every channel, because
      notifications sent meanwhile are lost: each stream re-renders its snapshot;
    * subscribing while the connection is down is remembered, not refused;
    * a publish that fails is logged and dropped (the periodic refresh heals it).
    """

    WATCH_INTERVAL = 1.0  # how often the watchdog looks at the connection (seconds)
    PING_EVERY = 10  # ... and every this many looks, asks it a question (half-open sockets)
    PING_TIMEOUT = 5.0
    RETRY_MAX = 5.0  # back-off ceiling between reconnection attempts

    def __init__(self, dsn: str) -> None:
        super().__init__(dsn=dsn)
        self._watchdog: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()

    async def on_startup(self) -> None:
        await super().on_startup()
        self._lost = asyncio.Event()
        self._listener_conn.add_termination_listener(self._on_termination)
        self._watchdog = asyncio.create_task(self._watch())

    async def on_shutdown(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
            self._watchdog = None
        with contextlib.suppress(Exception):
            await super().on_shutdown()

    def _on_termination(self, _connection: object) -> None:
        self._lost.set()

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        try:
            await asyncio.wait_for(super().publish(data, channels), timeout=self.PING_TIMEOUT)
        except Exception:
            log.warning("live update not published (database unreachable?)", exc_info=True)

    async def subscribe(self, channels: Iterable[str]) -> None:
        async with self._listener_lock:
            for name in set(channels) - self._subscribed_channels:
                self._subscribed_channels.add(name)  # LISTENed again on reconnect if this fails
                if self._listener_conn.is_closed():
                    continue
                try:
                    await self._listener_conn.add_listener(name, self._listener)  # type: ignore[arg-type]
                except Exception:
                    log.warning("LISTEN %s failed; retried on reconnect", name, exc_info=True)
                    self._lost.set()

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        async with self._listener_lock:
            for name in set(channels) & self._subscribed_channels:
                self._subscribed_channels.discard(name)
                if self._listener_conn.is_closed():
                    continue
                with contextlib.suppress(Exception):
                    await self._listener_conn.remove_listener(name, self._listener)  # type: ignore[arg-type]

    async def _healthy(self, ping: bool) -> bool:
        connection = self._listener_conn
        if self._lost.is_set() or connection.is_closed():
            return False
        if not ping:
            return True
        try:
            async with self._listener_lock:
                await asyncio.wait_for(connection.execute("SELECT 1"), timeout=self.PING_TIMEOUT)
        except Exception:
            return False
        return True

    async def _watch(self) -> None:
        looks = 0
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), timeout=self.WATCH_INTERVAL)
            looks += 1
            if await self._healthy(ping=looks % self.PING_EVERY == 0):
                continue
            log.warning("live updates: LISTEN connection lost; reconnecting")
            await self._reconnect()

    async def _reconnect(self) -> None:
        delay = 0.2
        while True:
            try:
                async with self._listener_lock:
                    with contextlib.suppress(Exception):
                        # Not our own termination callback: it would flag the new connection lost.
                        self._listener_conn.remove_termination_listener(self._on_termination)
                        self._listener_conn.terminate()
                    connection = await asyncio.wait_for(self._connect(), timeout=self.PING_TIMEOUT)
                    for name in self._subscribed_channels:
                        await connection.add_listener(name, self._listener)
                    connection.add_termination_listener(self._on_termination)
                    self._listener_conn = connection
                    self._lost.clear()
                    # Whatever was notified while we were away is lost: every stream renders again.
                    if self._queue is not None:
                        for name in self._subscribed_channels:
                            self._queue.put_nowait((name, b"reconnected"))
                log.warning("live updates: LISTEN connection restored")
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.debug("live updates: reconnect failed; retrying in %.1fs", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.RETRY_MAX)


def ended_notice() -> str:
    return '<p class="banner" role="alert">{}</p>'.format(
        _("Your session has ended or you no longer have a role in this meeting: reload the page to sign in again.")
    )


def channel(meeting_id: int) -> str:
    return f"meeting_{meeting_id}"


# Changes within this many seconds make one notification: a vote burst of a thousand
# ballots publishes a few dozen NOTIFYs, not a thousand (each stream renders a snapshot
# per notification it receives). The first change after a quiet moment is published at
# once (a poll closing reaches the tablets without waiting), unless it is announced from
# inside a writing transaction, which must commit first: then after COALESCE, or as soon
# as the change is announced again once committed.
COALESCE = 0.05
# meeting -> (the loop that will publish, its timer, when it is due)
_pending: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.TimerHandle, float]] = {}
_published: dict[int, float] = {}  # meeting -> when it was last published (loop time)


def meeting_changed(meeting_id: int) -> None:
    """Tell every live page of the meeting to refresh (after the change committed)."""
    if _plugin is None:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no event loop (a CLI): nobody is listening here
        return
    from governance.db import in_writing  # here: the database layer does not need live updates

    now = loop.time()
    last = _published.get(meeting_id, float("-inf"))
    due = now + COALESCE if in_writing() else max(now, last + COALESCE)
    pending = _pending.get(meeting_id)
    if pending is not None and pending[0] is loop:
        if pending[2] <= due:
            return  # already on its way, as soon or sooner
        pending[1].cancel()
    _pending[meeting_id] = (loop, loop.call_at(due, _publish, meeting_id), due)


def _publish(meeting_id: int) -> None:
    pending = _pending.pop(meeting_id, None)
    if pending is not None:
        _published[meeting_id] = pending[0].time()
    if _plugin is None:
        return
    try:
        _plugin.publish(b"changed", channels=[channel(meeting_id)])
    except Exception:  # the app may not be serving (tests without lifespan)
        log.debug("live update for meeting %s not published", meeting_id, exc_info=True)


class _Hub:
    """One subscription per meeting and process, however many pages are open: each
    notification bumps the meeting's generation once, then wakes every stream. What the
    streams load alike (``shared``) is loaded once per generation, not once per stream: a
    poll closing in front of a thousand tablets is read from the database once per worker.
    """

    def __init__(self, meeting_id: int) -> None:
        self.meeting_id = meeting_id
        self.generation = 0
        self.streams: set[asyncio.Event] = set()
        self.shared: dict[Any, asyncio.Future[Any]] = {}
        self.shared_key: tuple[int, int] = (0, 0)
        self.subscriber: Any = None
        self.listener: asyncio.Task[None] | None = None
        self.ready: asyncio.Future[None] = asyncio.ensure_future(self._subscribe())

    async def _subscribe(self) -> None:
        assert _plugin is not None
        self.subscriber = await _plugin.subscribe([channel(self.meeting_id)])
        self.listener = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        async for _event in self.subscriber.iter_events():
            self.generation += 1
            for changed in self.streams:
                changed.set()

    async def close(self) -> None:
        if self.listener is not None:
            self.listener.cancel()
        # Shielded: a client disconnect must not cancel the unsubscribe halfway, which
        # breaks delivery for the whole process (seen with the PostgreSQL backends).
        with anyio.CancelScope(shield=True):
            with contextlib.suppress(Exception):
                await self.ready
            if self.subscriber is not None and _plugin is not None:
                with contextlib.suppress(Exception):
                    await _plugin.unsubscribe(self.subscriber)


_hubs: dict[int, _Hub] = {}


async def shared(meeting_id: int, key: Any, load: Callable[[], Awaitable[Any]]) -> Any:
    """``load()``'s result, loaded once per change of the meeting (and at most ``REFRESH``
    seconds old) for every live stream of this process that asks with the same ``key``.
    Outside a live stream (no hub) it simply loads. The result is shared: read-only."""
    hub = _hubs.get(meeting_id)
    if hub is None:
        return await load()
    # The periodic refresh heals a lost notification: it must read afresh, not the memo.
    current = (hub.generation, int(time.monotonic() // REFRESH))
    if hub.shared_key != current:
        hub.shared, hub.shared_key = {}, current
    future = hub.shared.get(key)
    if future is None or (future.done() and (future.cancelled() or future.exception() is not None)):
        future = hub.shared[key] = asyncio.ensure_future(load())
    return await asyncio.shield(future)


# The last event of a stream whose reader may no longer see the meeting (session revoked or
# expired, person deactivated, role lost): the page's ``sse-close="ended"`` stops reconnecting.
ENDED = "ended"


async def stream(
    meeting_id: int,
    render: Callable[[], Awaitable[list[ServerSentEventMessage] | None]],
    refresh: float = REFRESH,
    ended: Callable[[], str] = ended_notice,
) -> AsyncIterator[ServerSentEventMessage]:
    """Snapshots of a meeting: now, after every change, and every ``refresh`` seconds.

    ``render`` returns None when the reader may no longer follow the meeting: the stream then
    sends one ``ended`` event and closes.

    Each snapshot carries a version (its id); a part whose version this stream already
    sent is not sent again, so a burst of votes that leaves a page's parts unchanged costs
    one small comment rather than the whole markup."""
    changed = asyncio.Event()
    if _plugin is None:
        raise RuntimeError("live updates are not configured")
    hub = _hubs.get(meeting_id)
    if hub is None:
        hub = _hubs[meeting_id] = _Hub(meeting_id)
    hub.streams.add(changed)
    sent: dict[str | None, str | int | None] = {}  # event name -> version last sent on this stream
    try:
        await asyncio.shield(hub.ready)
        failing_since: float | None = None
        while True:
            wait = refresh
            try:
                messages = await render()
            except Exception:
                # A database outage must not cut every open page off: keep the stream, say
                # nothing new, and try again soon. Only a snapshot failing for RENDER_GIVE_UP
                # seconds ends the stream (the browser reconnects) rather than loop forever.
                now = time.monotonic()
                if failing_since is None:
                    failing_since = now
                    log.warning("live snapshot of meeting %s failed; retrying", meeting_id, exc_info=True)
                elif now - failing_since > RENDER_GIVE_UP:
                    log.exception("live snapshot of meeting %s keeps failing; ending the stream", meeting_id)
                    return
                messages, wait = [], min(refresh, RENDER_RETRY)
            else:
                failing_since = None
                if messages is None:
                    yield ServerSentEventMessage(event=ENDED, data=ended())
                    return
            fresh = [m for m in messages if m.id is None or sent.get(m.event) != m.id]
            for message in fresh:
                sent[message.event] = message.id
                yield message
            if not fresh:
                yield ServerSentEventMessage(comment="unchanged")  # keep-alive
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout=wait)
            changed.clear()  # a burst of changes makes one snapshot
    finally:
        hub.streams.discard(changed)
        if not hub.streams and _hubs.get(meeting_id) is hub:
            del _hubs[meeting_id]
            await hub.close()
