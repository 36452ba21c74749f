"""What every check shares: :class:`Broken`, the first thing that does not hold, ``need`` to raise it."""

from __future__ import annotations

import hashlib
import re
from typing import Any

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


class Broken(Exception):
    """The first thing that does not hold."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def short(hex_hash: str) -> str:
    return hex_hash[:16] + "…"


def need(condition: bool, message: str) -> None:
    if not condition:
        raise Broken(message)


def is_int(value: Any, least: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least
