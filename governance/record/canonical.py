"""The byte strings the record hashes and signs (docs/record-format.md §1, §5, §6).

Plain functions over plain data, shared by the log, the poll engine and the exporter. The
independent verifier (``governance.verify``) re-implements them on purpose and imports
nothing from here.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

GENESIS = "0" * 64


def _no_floats(value: Any) -> None:
    if isinstance(value, float):
        raise ValueError("the record holds no floating-point numbers")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise ValueError(f"record keys are ASCII strings (got {key!r})")
            _no_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _no_floats(item)


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) for values without floats and with ASCII keys: sorted keys, no spaces, UTF-8."""
    _no_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def timestamp(at: dt.datetime) -> str:
    """RFC 3339, UTC, six fractional digits."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- the log -----------------------------------------------------------------------------


def event_body(
    meeting: str, height: int, parent: str, kind: str, at: dt.datetime, actor: int | None, payload: dict[str, Any]
) -> bytes:
    return canonical(
        {
            "meeting": meeting,
            "height": height,
            "parent": parent,
            "type": kind,
            "at": timestamp(at),
            "actor": actor,
            "payload": payload,
        }
    )


# --- electorate, participation, ballots ----------------------------------------------------


def electorate_hash(electors: Sequence[dict[str, Any]]) -> str:
    """Electors are {"member": slug, "weight": int, "proxy_holder": slug | None}, hashed sorted by member."""
    return sha256_hex(canonical(sorted(electors, key=lambda e: e["member"])))


def participation_hash(members: Sequence[str]) -> str:
    return sha256_hex(canonical(sorted(members)))


def nonce_for(key: bytes, poll_id: int, token: str) -> str:
    """16 bytes derived from the token only the voter's tablet holds: a retry gets the same receipt."""
    return hmac.new(key, f"{poll_id}:{token}".encode(), hashlib.sha256).digest()[:16].hex()


def leaf(poll_id: int, choice: str, weight: int, nonce: str, member: str | None = None) -> bytes:
    value: dict[str, Any] = {"poll": poll_id, "choice": choice, "weight": weight, "nonce": nonce}
    if member is not None:
        value["member"] = member
    return canonical(value)


def receipt_of(leaf_bytes: bytes) -> str:
    return sha256_hex(leaf_bytes)


def receipt_code(receipt: str) -> str:
    """The first 50 bits of the receipt in base32, shown as ABCDE-FGHIJ."""
    code = base64.b32encode(bytes.fromhex(receipt)).decode()[:10]
    return f"{code[:5]}-{code[5:]}"


# --- the Merkle tree (RFC 9162 §2.1) -------------------------------------------------------


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = [hashlib.sha256(b"\x00" + item).digest() for item in leaves]
    return _root(level)


def _root(hashes: list[bytes]) -> bytes:
    # The split at the largest power of two below n, as the RFC defines it.
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return hashlib.sha256(b"\x01" + _root(hashes[:k]) + _root(hashes[k:])).digest()


# --- checkpoints (C2SP signed note over a tlog checkpoint) -----------------------------------


def checkpoint_body(origin: str, size: int, root: bytes, height: int, event_hash: str) -> str:
    b64 = base64.b64encode
    return f"{origin}\n{size}\n{b64(root).decode()}\nlog {height} {b64(bytes.fromhex(event_hash)).decode()}\n"


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + b"\x01" + public_key).digest()[:4]


def signed_note(body: str, name: str, public_key: bytes, signature: bytes) -> str:
    line = base64.b64encode(key_id(name, public_key) + signature).decode()
    return f"{body}\n\u2014 {name} {line}\n"
