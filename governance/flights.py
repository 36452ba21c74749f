"""One load at a time per key: the per-process caches' defence against a thundering herd.

When a cache is cold (after a change), a thousand tablets asking at once would each load
the same rows. ``load_once`` lets the first caller load and the others wait for its result.
Only a load started at the cache's current *generation* (bumped whenever this process
writes a table the cache comes from) is shared, so nobody receives rows read before a
write it has seen. A caller whose loader was cancelled (its client left) loads itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

V = TypeVar("V")



async def load_once(
    flights: dict[Hashable, tuple[int, asyncio.Future[V]]],
    key: Hashable,
    generation: int,
    load: Callable[[], Awaitable[V]],
) -> V:
    """``load()``'s result, shared with every concurrent caller of the same key and generation."""
    flight = flights.get(key)
    if flight is not None and flight[0] == generation:
        try:
            return await asyncio.shield(flight[1])
        except asyncio.CancelledError:
            if not flight[1].cancelled():
                raise  # this request was cancelled
            # The loading request was cancelled: load here instead.
    future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
    flights[key] = (generation, future)
    try:
        value = await load()
    except Exception as exc:
        future.set_exception(exc)
        future.exception()  # retrieved: no "never retrieved" warning when nobody waits
        raise
    except BaseException:
        future.cancel()
        raise
    else:
        future.set_result(value)
        return value
    finally:
        if flights.get(key, (None, None))[1] is future:
            del flights[key]
