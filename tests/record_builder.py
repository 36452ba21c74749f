"""Builds an exported meeting record from scratch, per docs/record-format.md, for the verifier's tests.

Deliberately written apart from ``governance.verify`` (its own canonical JSON, Merkle tree,
notes and receipt codes), so the tests compare two readings of the specification. Outcomes
are given by the caller (hand-computed in the tests) or, for the benchmark, by the plain
rule "more yes than no wins".
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

SIMPLE = {"numerator": 1, "denominator": 2, "strict": True, "base": "cast_excluding_abstentions"}


def jcs(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1, straight from the definition."""
    if not leaves:
        return sha(b"")
    if len(leaves) == 1:
        return sha(b"\x00" + leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return sha(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign_note(text: str, name: str, key: Ed25519PrivateKey) -> str:
    key_id = sha(name.encode() + b"\n\x01" + raw_public(key))[:4]
    signature = key.sign(text.encode())
    return f"{text}\n\u2014 {name} {base64.b64encode(key_id + signature).decode()}\n"


def checkpoint_note(
    origin: str, size: int, root_hex: str, height: int, hash_hex: str, name: str, key: Ed25519PrivateKey
) -> str:
    body = (
        f"{origin}\n{size}\n{base64.b64encode(bytes.fromhex(root_hex)).decode()}\n"
        f"log {height} {base64.b64encode(bytes.fromhex(hash_hex)).decode()}\n"
    )
    return sign_note(body, name, key)


def receipt_code(leaf: str) -> str:
    code = base64.b32encode(sha(leaf.encode())).decode()[:10]
    return f"{code[:5]}-{code[5:]}"


def seal(directory: Path, key: Ed25519PrivateKey, name: str) -> None:
    """(Re)write manifest.json and manifest.sig for the record.json in ``directory``."""
    record_bytes = (directory / "record.json").read_bytes()
    record = json.loads(record_bytes)
    events = record["events"]
    head = {"height": len(events), "hash": events[-1]["hash"] if events else "0" * 64}
    public = raw_public(key)
    manifest = jcs(
        {
            "format": "governance-manifest/1",
            "meeting": record["meeting"]["slug"],
            "files": {"record.json": hashlib.sha256(record_bytes).hexdigest()},
            "log_head": head,
            "key": {
                "name": name,
                "public_key": base64.b64encode(public).decode(),
                "fingerprint": hashlib.sha256(public).hexdigest(),
            },
            "exported_at": "2012-11-15T09:00:00.000000Z",
        }
    )
    (directory / "manifest.json").write_bytes(manifest)
    (directory / "manifest.sig").write_bytes(key.sign(manifest))


@dataclass
class RecordBuilder:
    members: dict[str, bool]  # slug -> has the right to vote
    weights: dict[str, int] = field(default_factory=dict)
    organisation: str = "uclg"
    meeting: str = "guangzhou-2012"
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    events: list[dict[str, str]] = field(default_factory=list)
    polls: list[dict[str, Any]] = field(default_factory=list)
    attending: set[str] = field(default_factory=set)
    proxies: set[tuple[str, str]] = field(default_factory=set)
    clock: dt.datetime = dt.datetime(2012, 11, 15, 2, 0, tzinfo=dt.UTC)
    elected: dict[int, list[int]] = field(default_factory=dict)  # election motion -> elected so far
    frozen_rights: bool = True  # electorate_fixed names the voters (False: a record from before it did)

    @property
    def key_name(self) -> str:
        return f"governance/{self.organisation}"

    def member_id(self, slug: str) -> int:
        return sorted(self.members).index(slug) + 1

    def append(self, kind: str, payload: dict[str, Any], actor: int | None = 1) -> tuple[int, str]:
        self.clock += dt.timedelta(seconds=1)
        height = len(self.events) + 1
        body = jcs(
            {
                "meeting": self.meeting,
                "height": height,
                "parent": self.events[-1]["hash"] if self.events else "0" * 64,
                "type": kind,
                "at": self.clock.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "actor": actor,
                "payload": payload,
            }
        )
        digest = hashlib.sha256(body).hexdigest()
        self.events.append({"body": body.decode("utf-8"), "hash": digest})
        return height, digest

    def arrive(self, slug: str) -> None:
        self.attending.add(slug)
        self.append(
            "attendance",
            {
                "change": f"arrival:{slug}",
                "counted": len(self.attending),
                "required": 3,
                "met": len(self.attending) >= 3,
                "convocation": 1,
            },
        )

    def proxy(self, grantor: str, holder: str, consent: str | None = None) -> None:
        """A proxy that counts. ``consent`` writes the proxy's state into the event, as the
        server does since issue 17: "form" (the grantor's signed form), "confirmed" (the
        grantor's own confirmation) or "none" (neither: a proxy that should not have counted).
        Without it, the event is as a record written before proxy states existed."""
        self.proxies.add((grantor, holder))
        payload: dict[str, Any] = {
            "change": f"proxy-validated:{grantor}:{holder}",
            "counted": len(self.attending),
            "required": 3,
            "met": True,
            "convocation": 1,
        }
        if consent is not None:
            step = {"at": "2012-11-15T01:00:00+00:00", "by": 7, "by_name": "A representative"}
            form = {"sha256": "ab" * 32, "name": "proxy.pdf", "content_type": "application/pdf", "size": 1000}
            payload["proxy"] = {
                "id": len(self.proxies),
                "form": form if consent == "form" else None,
                "grantor_confirmed": step if consent == "confirmed" else None,
                "accepted": {**step, "in_room": False},
                "validated": True,
                "revoked": False,
                "missing": ["grantor"] if consent == "none" else [],
            }
        self.append("attendance", payload)

    def poll(
        self,
        *,
        method: str,
        votes: dict[str, str],
        outcome: str | None = None,
        kind: str = "motion",
        options: Any = None,
        seats: int = 1,
        majority: dict[str, Any] | None = None,
        tie_rule: str = "fails",
        recused: tuple[str, ...] = (),
        result: dict[str, Any] | None = None,
        motion: int | None = None,
        round_number: int = 1,
        decide: bool = True,
        status: str = "closed",
        reason: str = "motion taken back to debate",
    ) -> dict[str, Any]:
        """Freeze an electorate, cast ``votes`` (member -> choice), close, count and checkpoint;
        then, as the server does when the close decides the motion, ``decide`` it. A ``status``
        "open" stops after the ``votes`` are cast (the export of a poll still open), "void" voids it."""
        poll_id = len(self.polls) + 1
        electorate = []
        holders = {grantor: holder for grantor, holder in self.proxies}
        for slug in sorted(self.members):
            if not self.members[slug] or slug in recused:
                continue
            weight = self.weights.get(slug, 1)
            if slug in self.attending:
                electorate.append({"member": slug, "weight": weight, "proxy_holder": None})
            elif slug in holders and holders[slug] in self.attending:
                electorate.append({"member": slug, "weight": weight, "proxy_holder": holders[slug]})
        electorate_hash = hashlib.sha256(jcs(electorate)).hexdigest()
        if options is None:
            options = ["yes", "no", "abstain"] if kind == "motion" else []
        majority = majority or SIMPLE
        fixed = {
            "poll": poll_id,
            "attending": sorted(self.attending),
            "proxies": sorted([g, h] for g, h in self.proxies),
            "recused": sorted(recused),
            "electorate": electorate,
            "electorate_hash": electorate_hash,
        }
        if self.frozen_rights:
            fixed["voters"] = sorted(slug for slug, votes in self.members.items() if votes)
            fixed["members_weight"] = sum(
                self.weights.get(slug, 1) for slug, votes in self.members.items() if votes and slug not in recused
            )
        self.append("electorate_fixed", fixed)
        frozen = {
            "motion": motion or poll_id,
            "round": round_number,
            "method": method,
            "kind": kind,
            "options": options,
            "seats": seats,
            "majority": majority,
            "tie_rule": tie_rule,
        }
        self.append(
            "poll_opened",
            {
                "poll": poll_id,
                **frozen,
                "quorum": {"counted": 5, "required": 3},
                "electorate_hash": electorate_hash,
                "electorate": len(electorate),
            },
        )
        weight_of = {e["member"]: e["weight"] for e in electorate}
        leaves = []
        for member, choice in votes.items():
            leaf = {"poll": poll_id, "choice": choice, "weight": weight_of[member], "nonce": secrets.token_hex(16)}
            if method == "roll_call":
                leaf["member"] = member
            leaves.append(jcs(leaf).decode())
        leaves.sort(key=lambda leaf: hashlib.sha256(leaf.encode()).hexdigest())
        participation = sorted(votes)
        if status != "closed":
            if status == "void":
                self.append("poll_voided", {"poll": poll_id, "reason": reason})
            poll = {
                "id": poll_id,
                **frozen,
                "status": status,
                "electorate": electorate,
                "electorate_hash": electorate_hash,
                "participation": participation,
                "leaves": [],
                "merkle_root": None,
                "result": None,
                "checkpoint": None,
            }
            self.polls.append(poll)
            return poll
        totals: dict[str, int] = {}
        for member, choice in votes.items():
            totals[choice] = totals.get(choice, 0) + weight_of[member]
        if result is None:
            result = {c: totals.get(c, 0) for c in ("yes", "no", "abstain", "blank")}
            if outcome is None:
                outcome = "adopted" if result["yes"] > result["no"] else "rejected"
            result["outcome"] = outcome
            result["arithmetic"] = f"yes {result['yes']}, no {result['no']}: {outcome}"
        root = mth([leaf.encode() for leaf in leaves]).hex()
        closed_height, closed_hash = self.append(
            "poll_closed",
            {
                "poll": poll_id,
                "ballots": len(leaves),
                "merkle_root": root,
                "participation_hash": hashlib.sha256(jcs(participation)).hexdigest(),
                **result,
            },
        )
        origin = f"governance/{self.organisation}/{self.meeting}/poll/{poll_id}"
        note = checkpoint_note(origin, len(leaves), root, closed_height, closed_hash, self.key_name, self.key)
        self.append("checkpoint", {"poll": poll_id, "note": note})
        poll = {
            "id": poll_id,
            **frozen,
            "status": "closed",
            "electorate": electorate,
            "electorate_hash": electorate_hash,
            "participation": participation,
            "leaves": leaves,
            "merkle_root": root,
            "result": result,
            "checkpoint": note,
        }
        self.polls.append(poll)
        if decide:
            motion_id, outcome = frozen["motion"], result["outcome"]
            if kind == "election" and outcome in ("elected", "not_elected"):
                self.elected.setdefault(motion_id, []).extend(result.get("elected", []))
                self.decide(motion_id, "adopted" if self.elected[motion_id] else "rejected")
            elif kind == "election":
                self.elected.setdefault(motion_id, []).extend(result.get("elected", []))
            elif outcome in ("adopted", "rejected"):
                self.decide(motion_id, outcome)
        return poll

    def decide(self, motion: int, outcome: str) -> None:
        """The motion's new status, logged as the server does right after the vote that decided it."""
        self.append(f"motion_{outcome}", {"motion": motion, "note": None, "decision": None})

    def record(self) -> dict[str, Any]:
        public = raw_public(self.key)
        return {
            "format": "governance-record/1",
            "meeting": {"slug": self.meeting, "title": "World Council, Guangzhou"},
            "organisation": {"slug": self.organisation, "name": "United Cities"},
            "rule_set": {"name": "statutes 2010"},
            "members": [
                {"id": self.member_id(slug), "slug": slug, "name": slug.title(), "votes": votes}
                for slug, votes in sorted(self.members.items())
            ],
            "events": self.events,
            "polls": self.polls,
            "keys": [
                {
                    "name": self.key_name,
                    "public_key": base64.b64encode(public).decode(),
                    "fingerprint": hashlib.sha256(public).hexdigest(),
                    "created_at": "2012-01-01T00:00:00.000000Z",
                    "retired_at": None,
                }
            ],
        }

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "record.json").write_text(json.dumps(self.record(), indent=1, ensure_ascii=False) + "\n")
        seal(directory, self.key, self.key_name)
        return directory
