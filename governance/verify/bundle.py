"""Steps 1 and 2 of record format §8: the manifest's signature, then the files it lists and the
record's members, motions and keys; and :class:`Bundle`, what the checks have read so far."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from governance.verify.broken import TIME, Broken, is_int, need, sha256_hex
from governance.verify.canonical import CanonicalError, loads, loads_canonical
from governance.verify.note import Key

DECISIONS = ("adopted", "rejected")
DISPOSED = (*DECISIONS, "withdrawn", "postponed", "referred")
MOTION_STATUSES = ("proposed", "seconded", "debate", "voting", *DISPOSED)


@dataclass
class Event:
    height: int
    hash: str
    type: str
    at: str
    actor: int | None
    payload: dict[str, Any]


@dataclass
class PollEvents:
    """A poll's events of each interpreted type."""

    by_type: dict[str, list[Event]] = field(default_factory=dict)

    def all(self, kind: str) -> list[Event]:
        return self.by_type.get(kind, [])

    def one(self, kind: str, where: str, required: bool = True) -> Event | None:
        found = self.all(kind)
        need(len(found) <= 1, f"{where}: {len(found)} {kind} events")
        need(bool(found) or not required, f"{where}: no {kind} event")
        return found[0] if found else None


@dataclass
class Bundle:
    """The bundle as the checks have read it so far: step 2 fills in the record, its members,
    motions and keys; step 3 the events; step 4 the polls and each poll's events."""

    directory: Path
    say: Callable[[str], None]
    record: dict[str, Any] = field(default_factory=dict)
    # fingerprint -> when the organisation retired that key (None: current). A key signs
    # nothing dated after its retirement: a retired key may have leaked.
    retired: dict[str, str | None] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: list[Key] = field(default_factory=list)
    per_poll: dict[int, PollEvents] = field(default_factory=dict)
    polls: dict[int, dict[str, Any]] = field(default_factory=dict)
    motions: dict[int, dict[str, Any]] = field(default_factory=dict)

    def read(self, name: str) -> bytes:
        path = self.directory / name
        need(path.is_file(), f"{name}: missing from {self.directory}")
        return path.read_bytes()


# 1. The manifest's signature ---------------------------------------------------------------


def check_manifest(bundle: Bundle, expected_key: str | None) -> dict[str, Any]:
    raw = bundle.read("manifest.json")
    signature = bundle.read("manifest.sig")
    try:
        manifest = loads_canonical(raw)
    except CanonicalError as error:
        raise Broken(f"manifest.json: {error}") from error
    need(
        isinstance(manifest, dict) and manifest.get("format") == "governance-manifest/1",
        "manifest.json: not a governance-manifest/1",
    )
    assert isinstance(manifest, dict)
    key = manifest.get("key")
    need(isinstance(key, dict) and isinstance(key.get("public_key"), str), "manifest.json: no key")
    assert isinstance(key, dict)
    try:
        public = base64.b64decode(key["public_key"], validate=True)
        verifier = Ed25519PublicKey.from_public_bytes(public)
    except (binascii.Error, ValueError) as error:
        raise Broken("manifest.json: the key is not a base64 Ed25519 public key") from error
    fingerprint = sha256_hex(public)
    try:
        verifier.verify(signature, raw)
    except InvalidSignature as error:
        raise Broken(f"manifest.sig: not a valid signature by key {fingerprint}") from error
    need(
        key.get("fingerprint") == fingerprint,
        f"manifest.json: the key's fingerprint is not SHA-256 of its public key ({fingerprint})",
    )
    if expected_key is not None:
        need(
            expected_key.strip().lower() == fingerprint,
            f"manifest.sig: signed by key {fingerprint}, not by --key {expected_key}",
        )
        bundle.say(f"1. manifest.sig: valid Ed25519 signature by {key.get('name')}, key {fingerprint} (= --key)")
    else:
        bundle.say(f"1. manifest.sig: valid Ed25519 signature by {key.get('name')}, key {fingerprint}")
        bundle.say("   compare this fingerprint with the organisation's public keys page")
    return manifest


# 2. The files ------------------------------------------------------------------------------


def check_files(bundle: Bundle, manifest: dict[str, Any]) -> None:
    files = manifest.get("files")
    need(isinstance(files, dict) and "record.json" in files, "manifest.json: does not list record.json")
    assert isinstance(files, dict)
    for name, digest in sorted(files.items()):
        need(
            re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", name) is not None
            and name not in ("manifest.json", "manifest.sig"),
            f"manifest.json: {name!r} is not a file of the bundle",
        )
        need(sha256_hex(bundle.read(name)) == digest, f"{name}: SHA-256 differs from manifest")
    bundle.say(f"2. files: {', '.join(sorted(files))}: SHA-256 as in the manifest")
    try:
        record = loads(bundle.read("record.json"))
    except CanonicalError as error:
        raise Broken(f"record.json: {error}") from error
    need(
        isinstance(record, dict) and record.get("format") == "governance-record/1",
        "record.json: not a governance-record/1",
    )
    for part, kind in (
        ("meeting", dict),
        ("organisation", dict),
        ("members", list),
        ("events", list),
        ("polls", list),
        ("keys", list),
    ):
        need(isinstance(record.get(part), kind), f"record.json: {part} missing or not a {kind.__name__}")
    need(record["meeting"].get("slug") == manifest.get("meeting"), "record.json: the meeting is not the manifest's")
    bundle.record = record
    for member in record["members"]:
        need(
            isinstance(member, dict)
            and isinstance(member.get("slug"), str)
            and is_int(member.get("id"))
            and isinstance(member.get("votes"), bool),
            f"record.json: malformed member {member!r}",
        )
        bundle.members[member["slug"]] = member
    motions = record.get("motions", [])
    need(isinstance(motions, list), "record.json: motions not a list")
    for motion in motions:
        need(
            isinstance(motion, dict) and is_int(motion.get("id"), 1) and motion.get("status") in MOTION_STATUSES,
            f"record.json: malformed motion {motion!r:.80}",
        )
        need(motion["id"] not in bundle.motions, f"record.json: motion {motion['id']} listed twice")
        bundle.motions[motion["id"]] = motion
    for key in record["keys"]:
        try:
            public = base64.b64decode(key["public_key"], validate=True)
        except (binascii.Error, KeyError, TypeError) as error:
            raise Broken(f"record.json: key {key.get('name')!r} is not base64") from error
        need(
            len(public) == 32 and sha256_hex(public) == key.get("fingerprint"),
            f"record.json: key {key.get('fingerprint')} does not match its public key",
        )
        bundle.keys.append(Key(key["name"], public))
        retired = key.get("retired_at")
        need(
            retired is None or (isinstance(retired, str) and TIME.fullmatch(retired) is not None),
            f"record.json: key {key.get('fingerprint')} has a malformed retired_at",
        )
        bundle.retired[sha256_hex(public)] = retired
