"""Canonical JSON (record format §1).

The record holds no floats and only ASCII keys, so JCS (RFC 8785) is exactly Python's
``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` in UTF-8.
Integers are kept within ±(2**53 - 1), where JCS (which reads numbers as IEEE doubles)
and Python agree digit for digit.
"""

from __future__ import annotations

import json
from typing import Any

SAFE_INTEGER = 2**53 - 1


class CanonicalError(ValueError):
    """A value or a byte string that is not canonical JSON of the record."""


def _check(value: Any) -> None:
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        if abs(value) > SAFE_INTEGER:
            raise CanonicalError(f"integer {value} is beyond 2**53 - 1")
        return
    if isinstance(value, float):
        raise CanonicalError(f"a float ({value!r}): the record has none")
    if isinstance(value, list):
        for item in value:
            _check(item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise CanonicalError(f"object key {key!r} is not an ASCII string")
            _check(item)
        return
    raise CanonicalError(f"{type(value).__name__} is not a JSON value")


def dumps(value: Any) -> bytes:
    """The canonical bytes of ``value``."""
    _check(value)
    return _encode(value)


def _encode(value: Any) -> bytes:
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate
        raise CanonicalError("a string that is not valid Unicode") from error


def _no_float(text: str) -> Any:
    raise CanonicalError(f"a float ({text}): the record has none")


def _no_constant(text: str) -> Any:
    raise CanonicalError(f"{text} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise CanonicalError("an object repeats a key")
    return value


def loads(data: bytes | str) -> Any:
    """Parse JSON that may be laid out freely but holds no float, no repeated key, no big integer."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text, parse_float=_no_float, parse_constant=_no_constant, object_pairs_hook=_no_duplicates)
    except CanonicalError:
        raise
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise CanonicalError(f"not JSON ({error})") from error
    _check(value)
    return value


def loads_canonical(data: bytes) -> Any:
    """Parse bytes that must be exactly the canonical form of what they hold."""
    value = loads(data)  # checked already
    if _encode(value) != data:
        raise CanonicalError("not in canonical form (JCS)")
    return value
