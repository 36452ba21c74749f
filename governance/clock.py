"""The time the services record: real time, except while the demo replays history.

`governance demo --simulate` plays the 2012 Board meeting through the same services the
pages use; under :func:`replaying` the clock starts at the meeting and advances a few seconds
at each reading, so the replayed record and minutes read like the meeting they replay
(arrivals at 09:0x, the vote at 10:xx) instead of today's date. Nothing else sets it.
Signatures and certificates always use real time (their validity depends on it).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator


class _Replay:
    def __init__(self, start: dt.datetime, step: dt.timedelta) -> None:
        self.at, self.step = start, step

    def tick(self) -> dt.datetime:
        self.at += self.step
        return self.at


_replay: contextvars.ContextVar[_Replay | None] = contextvars.ContextVar("replay", default=None)


def now() -> dt.datetime:
    replay = _replay.get()
    return replay.tick() if replay is not None else dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def replaying(start: dt.datetime, step: dt.timedelta = dt.timedelta(seconds=5)) -> Iterator[None]:
    token = _replay.set(_Replay(start.astimezone(dt.UTC), step))
    try:
        yield
    finally:
        _replay.reset(token)
