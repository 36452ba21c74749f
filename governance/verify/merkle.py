"""The Merkle tree hash of RFC 9162 §2.1 (record format §5)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _tree(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaves already hashed as SHA-256(0x00 || leaf)."""
    if len(hashes) == 1:
        return hashes[0]
    split = 1 << ((len(hashes) - 1).bit_length() - 1)  # the largest power of two below n
    return _sha256(b"\x01" + _tree(hashes[:split]) + _tree(hashes[split:]))


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(leaves): SHA-256 of nothing for no leaves."""
    if not leaves:
        return _sha256(b"")
    return _tree([_sha256(b"\x00" + leaf) for leaf in leaves])
