"""Signed notes, checkpoints and receipt codes (record format §5 and §6).

A checkpoint is a C2SP signed note (https://c2sp.org/signed-note) whose text is a C2SP
tlog checkpoint (https://c2sp.org/tlog-checkpoint) with one extension line,
``log <height> <b64 event hash>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIGNATURE_LINE = "\u2014 "  # an em dash and a space
ED25519_TYPE = b"\x01"


class NoteError(ValueError):
    """A note or checkpoint that does not parse or verify."""


@dataclass(frozen=True)
class Key:
    name: str
    public_key: bytes  # raw 32 bytes

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.public_key).hexdigest()

    @property
    def key_id(self) -> bytes:
        return hashlib.sha256(self.name.encode("utf-8") + b"\n" + ED25519_TYPE + self.public_key).digest()[:4]


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: str  # hex
    log_height: int
    log_hash: str  # hex
    signed_by: Key


def b64_32(text: str, what: str) -> bytes:
    """Strict standard base64 of exactly 32 bytes."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise NoteError(f"{what} is not base64") from error
    if len(raw) != 32 or base64.b64encode(raw).decode() != text:
        raise NoteError(f"{what} is not the base64 of 32 bytes")
    return raw


def _decimal(text: str, what: str) -> int:
    if not (text.isascii() and text.isdigit()) or str(int(text)) != text:
        raise NoteError(f"{what} is not a decimal number")
    return int(text)


def verify_note(text: str, keys: list[Key]) -> tuple[str, Key]:
    """(the note body, the key whose signature verifies); signatures by other keys are ignored."""
    cut = text.rfind("\n\n")
    if cut < 0 or not text.endswith("\n"):
        raise NoteError("not a signed note (no blank line before the signatures)")
    body, signatures = text[: cut + 1], text[cut + 2 :].splitlines()
    by_name: dict[str, list[Key]] = {}
    for key in keys:
        by_name.setdefault(key.name, []).append(key)
    for line in signatures:
        if not line.startswith(SIGNATURE_LINE) or line.count(" ") != 2:
            raise NoteError(f"malformed signature line {line!r}")
        name, blob = line[len(SIGNATURE_LINE) :].split(" ")
        try:
            raw = base64.b64decode(blob, validate=True)
        except (binascii.Error, ValueError) as error:
            raise NoteError("a signature is not base64") from error
        for key in by_name.get(name, []):
            if raw[:4] == key.key_id and len(raw) == 68:
                try:
                    Ed25519PublicKey.from_public_bytes(key.public_key).verify(raw[4:], body.encode("utf-8"))
                except InvalidSignature:
                    continue
                return body, key
    raise NoteError("no valid signature by a listed key")


def parse_checkpoint(text: str, keys: list[Key]) -> Checkpoint:
    body, key = verify_note(text, keys)
    lines = body.split("\n")[:-1]
    if len(lines) < 4:
        raise NoteError("a checkpoint has an origin, a size, a root and a log line")
    origin, size, root = lines[0], _decimal(lines[1], "the size"), b64_32(lines[2], "the root")
    logs = [line for line in lines[3:] if line.startswith("log ")]
    if not origin or len(logs) != 1 or len(logs[0].split(" ")) != 3:
        raise NoteError("a checkpoint has an origin and exactly one 'log <height> <hash>' line")
    _, height, event_hash = logs[0].split(" ")
    return Checkpoint(
        origin, size, root.hex(), _decimal(height, "the log height"), b64_32(event_hash, "the log hash").hex(), key
    )


def receipt_code(leaf: bytes) -> str:
    """The code shown to the voter: the first 50 bits of the receipt, in base32, as ABCDE-FGHIJ."""
    code = base64.b32encode(hashlib.sha256(leaf).digest()).decode("ascii")[:10]
    return f"{code[:5]}-{code[5:]}"


def normalise_code(code: str) -> str:
    letters = "".join(code.split()).replace("-", "").upper()
    return f"{letters[:5]}-{letters[5:]}"
