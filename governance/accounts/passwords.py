"""Password hashing with argon2id (argon2-cffi), off the event loop.

Hashing is deliberately slow and CPU-bound: it runs in worker threads, at most one per
core, so a login rush cannot stall the event loop (ballots and live updates share it).
"""

from __future__ import annotations

import contextlib
import os
from functools import cache

import anyio
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from governance.settings import get_settings

_limiter: anyio.CapacityLimiter | None = None


def _capacity() -> anyio.CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(max(1, os.cpu_count() or 1))
    return _limiter


@cache
def hasher() -> PasswordHasher:
    if get_settings().argon2_profile == "fast":
        # Tests only: same algorithm (argon2id), cheap parameters.
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


# A real hash to verify against when the e-mail is unknown, so that "no such account"
# costs the same time as "wrong password" (no account enumeration by timing).
@cache
def _dummy_hash() -> str:
    return hasher().hash("not a password of anyone")


def hash_password_sync(password: str) -> str:
    return hasher().hash(password)


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(hasher().hash, password, limiter=_capacity())


def _verify(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    """(matches, new hash if the parameters changed)."""
    if not stored_hash:
        with contextlib.suppress(VerificationError, InvalidHashError):
            hasher().verify(_dummy_hash(), password)
        return False, None
    try:
        hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if hasher().check_needs_rehash(stored_hash):
        return True, hasher().hash(password)
    return True, None


async def verify_password(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    return await anyio.to_thread.run_sync(_verify, stored_hash, password, limiter=_capacity())
