"""The checks of record format §8, in order; the first that fails raises :class:`Broken`."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from governance.verify import merkle, rules
from governance.verify.canonical import CanonicalError, dumps, loads, loads_canonical
from governance.verify.note import Key, NoteError, normalise_code, parse_checkpoint, receipt_code

ZERO_HASH = "0" * 64
HEX64 = re.compile(r"[0-9a-f]{64}")
NONCE = re.compile(r"[0-9a-f]{32}")
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
BODY_KEYS = {"meeting", "height", "parent", "type", "at", "actor", "payload"}
POLL_EVENTS = (
    "electorate_fixed",
    "poll_opened",
    "poll_closed",
    "poll_voided",
    "consent_objection",
    "casting_vote",
    "checkpoint",
)
# What poll_opened freezes, compared with the record's poll of the same name.
FROZEN = ("motion", "round", "method", "kind", "options", "seats", "majority", "tie_rule", "electorate_hash")
# The counts of poll_closed that the record's poll result repeats.
RESULT_KEYS = ("yes", "no", "abstain", "blank", "tally", "elected", "tellers", "outcome", "arithmetic")
MOTION_CHOICES = ("yes", "no", "abstain", "blank")
DECISIONS = ("adopted", "rejected")
DISPOSED = (*DECISIONS, "withdrawn", "postponed", "referred")
MOTION_STATUSES = ("proposed", "seconded", "debate", "voting", *DISPOSED)


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


@dataclass
class Event:
    height: int
    hash: str
    type: str
    at: str
    actor: int | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class Cause:
    """A vote that decided a motion: the status it must take next in the log, and why."""

    motion: Any
    outcome: str
    why: str
    height: int


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


class Verifier:
    def __init__(self, directory: Path, say: Callable[[str], None]) -> None:
        self.directory = directory
        self.say = say
        self.record: dict[str, Any] = {}
        # fingerprint -> when the organisation retired that key (None: current). A key signs
        # nothing dated after its retirement: a retired key may have leaked.
        self.retired: dict[str, str | None] = {}
        self.events: list[Event] = []
        self.members: dict[str, dict[str, Any]] = {}
        self.keys: list[Key] = []
        self.per_poll: dict[int, PollEvents] = {}
        self.polls: dict[int, dict[str, Any]] = {}
        self.motions: dict[int, dict[str, Any]] = {}
        self._proxy_states: dict[tuple[str, str], list[tuple[int, Any]]] | None = None

    # -- files ---------------------------------------------------------------------------------

    def read(self, name: str) -> bytes:
        path = self.directory / name
        need(path.is_file(), f"{name}: missing from {self.directory}")
        return path.read_bytes()

    # 1. The manifest's signature ---------------------------------------------------------------

    def check_manifest(self, expected_key: str | None) -> dict[str, Any]:
        raw = self.read("manifest.json")
        signature = self.read("manifest.sig")
        try:
            manifest = loads_canonical(raw)
        except CanonicalError as error:
            raise Broken(f"manifest.json: {error}") from error
        need(
            isinstance(manifest, dict) and manifest.get("format") == "governance-manifest/1",
            "manifest.json: not a governance-manifest/1",
        )
        key = manifest.get("key")
        need(isinstance(key, dict) and isinstance(key.get("public_key"), str), "manifest.json: no key")
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
            self.say(f"1. manifest.sig: valid Ed25519 signature by {key.get('name')}, key {fingerprint} (= --key)")
        else:
            self.say(f"1. manifest.sig: valid Ed25519 signature by {key.get('name')}, key {fingerprint}")
            self.say("   compare this fingerprint with the organisation's public keys page")
        return manifest

    # 2. The files ------------------------------------------------------------------------------

    def check_files(self, manifest: dict[str, Any]) -> None:
        files = manifest.get("files")
        need(isinstance(files, dict) and "record.json" in files, "manifest.json: does not list record.json")
        for name, digest in sorted(files.items()):
            need(
                re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", name) is not None
                and name not in ("manifest.json", "manifest.sig"),
                f"manifest.json: {name!r} is not a file of the bundle",
            )
            need(sha256_hex(self.read(name)) == digest, f"{name}: SHA-256 differs from manifest")
        self.say(f"2. files: {', '.join(sorted(files))}: SHA-256 as in the manifest")
        try:
            record = loads(self.read("record.json"))
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
        self.record = record
        for member in record["members"]:
            need(
                isinstance(member, dict)
                and isinstance(member.get("slug"), str)
                and is_int(member.get("id"))
                and isinstance(member.get("votes"), bool),
                f"record.json: malformed member {member!r}",
            )
            self.members[member["slug"]] = member
        motions = record.get("motions", [])
        need(isinstance(motions, list), "record.json: motions not a list")
        for motion in motions:
            need(
                isinstance(motion, dict) and is_int(motion.get("id"), 1) and motion.get("status") in MOTION_STATUSES,
                f"record.json: malformed motion {motion!r:.80}",
            )
            need(motion["id"] not in self.motions, f"record.json: motion {motion['id']} listed twice")
            self.motions[motion["id"]] = motion
        for key in record["keys"]:
            try:
                public = base64.b64decode(key["public_key"], validate=True)
            except (binascii.Error, KeyError, TypeError) as error:
                raise Broken(f"record.json: key {key.get('name')!r} is not base64") from error
            need(
                len(public) == 32 and sha256_hex(public) == key.get("fingerprint"),
                f"record.json: key {key.get('fingerprint')} does not match its public key",
            )
            self.keys.append(Key(key["name"], public))
            retired = key.get("retired_at")
            need(
                retired is None or (isinstance(retired, str) and TIME.fullmatch(retired) is not None),
                f"record.json: key {key.get('fingerprint')} has a malformed retired_at",
            )
            self.retired[sha256_hex(public)] = retired

    # 3. The chain ------------------------------------------------------------------------------

    def check_chain(self, manifest: dict[str, Any]) -> None:
        meeting = manifest["meeting"]
        parent = ZERO_HASH
        for position, entry in enumerate(self.record["events"], start=1):
            need(
                isinstance(entry, dict) and isinstance(entry.get("body"), str) and isinstance(entry.get("hash"), str),
                f"events[{position}]: not a {{body, hash}} object",
            )
            body = entry["body"].encode("utf-8")
            try:
                value = loads(body)
            except CanonicalError as error:
                raise Broken(f"events[{position}]: body is not JSON of the record ({error})") from error
            height = value.get("height") if isinstance(value, dict) else None
            name = f"event {height}" if is_int(height, 1) else f"events[{position}]"
            need(sha256_hex(body) == entry["hash"], f"{name}: hash does not match its body")
            need(dumps(value) == body, f"{name}: body is not canonical JSON")
            need(
                isinstance(value, dict) and set(value) == BODY_KEYS,
                f"{name}: body keys are not {', '.join(sorted(BODY_KEYS))}",
            )
            need(height == position, f"{name}: found where height {position} belongs (events missing or out of order)")
            need(value["parent"] == parent, f"{name}: parent is not the hash of event {position - 1}")
            need(value["meeting"] == meeting, f"{name}: names meeting {value['meeting']!r}, not {meeting!r}")
            need(
                isinstance(value["type"], str)
                and isinstance(value["payload"], dict)
                and (value["actor"] is None or is_int(value["actor"])),
                f"{name}: malformed type, actor or payload",
            )
            need(
                isinstance(value["at"], str) and TIME.fullmatch(value["at"]) is not None,
                f"{name}: time {value['at']!r} is not of the form 2012-11-15T02:00:00.000000Z",
            )
            self.events.append(
                Event(height, entry["hash"], value["type"], value["at"], value["actor"], value["payload"])
            )
            parent = entry["hash"]
        head = manifest.get("log_head")
        last = (len(self.events), parent) if self.events else (0, ZERO_HASH)
        need(
            isinstance(head, dict) and (head.get("height"), head.get("hash")) == last,
            f"log: head {last[0]} {short(last[1])} differs from the manifest's log_head",
        )
        kinds = Counter(event.type for event in self.events)
        self.say(f"3. log: {len(self.events)} events chained from height 1, head {last[0]} {short(last[1])}")
        self.say("   " + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())))

    # 4. The polls ------------------------------------------------------------------------------

    def index_polls(self) -> None:
        for poll in self.record["polls"]:
            need(isinstance(poll, dict) and is_int(poll.get("id"), 1), f"record.json: malformed poll {poll!r:.60}")
            need(poll["id"] not in self.polls, f"record.json: poll {poll['id']} listed twice")
            self.polls[poll["id"]] = poll
            self.per_poll[poll["id"]] = PollEvents()
        for event in self.events:
            if event.type in POLL_EVENTS:
                poll_id = event.payload.get("poll")
                need(
                    poll_id in self.polls,
                    f"event {event.height}: {event.type} names poll {poll_id!r}, which record.json does not list",
                )
                self.per_poll[poll_id].by_type.setdefault(event.type, []).append(event)

    def proxy_states(self) -> dict[tuple[str, str], list[tuple[int, Any]]]:
        """(grantor, holder) -> [(height, the proxy's state)] from the attendance events that
        record a proxy step with its state (``proxy``); empty for a record written before."""
        if self._proxy_states is None:
            states: dict[tuple[str, str], list[tuple[int, Any]]] = {}
            for event in self.events:
                change = event.payload.get("change") if event.type == "attendance" else None
                if isinstance(change, str) and change.startswith("proxy-") and "proxy" in event.payload:
                    _kind, _sep, pair = change.partition(":")
                    grantor, _sep, holder = pair.partition(":")
                    states.setdefault((grantor, holder), []).append((event.height, event.payload["proxy"]))
            self._proxy_states = states
        return self._proxy_states

    def check_proxy_consent(self, where: str, grantor: str, holder: str, before: int) -> None:
        """A proxy that carries a vote was, at its last recorded step before the electorate was
        fixed, complete: the grantor's signed form (by its SHA-256) or its own confirmation,
        the holder's acceptance, the validation, not revoked. Records whose attendance events
        carry no proxy states (written before they existed) are not checked here."""
        states = self.proxy_states()
        if not states:
            return
        earlier = [state for height, state in states.get((grantor, holder), []) if height < before]
        need(bool(earlier), f"{where}: the proxy of {grantor} to {holder} has no recorded step before the vote")
        state = earlier[-1]
        form = state.get("form") if isinstance(state, dict) else None
        need(
            isinstance(state, dict)
            and (
                (isinstance(form, dict) and isinstance(form.get("sha256"), str) and len(form["sha256"]) == 64)
                or isinstance(state.get("grantor_confirmed"), dict)
            )
            and isinstance(state.get("accepted"), dict)
            and state.get("validated") is True
            and state.get("revoked") is not True
            and state.get("missing") == [],
            f"{where}: the proxy of {grantor} to {holder} carries a vote without the grantor's signed form or "
            "confirmation, the holder's acceptance and the validation",
        )

    def check_polls(self) -> None:
        self.say("4. polls:")
        for poll_id in sorted(self.polls):
            PollCheck(self, self.polls[poll_id], self.per_poll[poll_id]).run()

    # 4, continued. The decisions ---------------------------------------------------------------

    def motion_name(self, motion_id: Any) -> str:
        """``motion 12 (item 4, Budget 2013)``: the record's motion list, else its motion_proposed."""
        listed = self.motions.get(motion_id)
        if listed is not None:
            kind = f", amendment to motion {listed.get('amends')}" if listed.get("kind") == "amendment" else ""
            return f"motion {motion_id} (item {listed.get('item')}, {listed.get('title')}{kind})"
        proposed = next(
            (e for e in self.events if e.type == "motion_proposed" and e.payload.get("motion") == motion_id), None
        )
        return f"motion {motion_id} (item {proposed.payload.get('item')})" if proposed else f"motion {motion_id}"

    def check_decisions(self) -> None:
        """Rule 18: a motion is adopted or rejected only by a vote on it, at that point of the log.

        Each poll_closed that decides its motion (and each casting_vote settling a tie, and each
        elected_unopposed the statutes allow) must be followed, with only its checkpoint between,
        by the motion_adopted or motion_rejected of that motion with that outcome; and no
        motion_adopted or motion_rejected stands without such a cause. Other statuses (withdrawn,
        postponed, referred: an amendment falling with its main motion, a procedural motion
        carried) need no vote. The record's list of motions says each one's final status, which
        must be the log's."""
        self.say("   decisions (each from a vote on the motion, at that point of the log):")
        status: dict[Any, str] = {}  # motion -> its status in the log so far
        elected: dict[Any, list[Any]] = {}  # election motion -> elected in its closed rounds so far
        cause: Cause | None = None  # a vote whose motion_adopted / motion_rejected is due next
        decided = 0
        for event in self.events:
            if cause is not None and event.type != "checkpoint":
                motion, outcome = cause.motion, cause.outcome
                need(
                    event.type == f"motion_{outcome}"
                    and event.payload.get("motion") == motion,
                    f"{self.motion_name(motion)}: {cause.why} (event {cause.height}) {outcome} it, but the next event "
                    f"({event.height}, {event.type}) does not record it {outcome}",
                )
                decision = event.payload.get("decision")
                said = f" as {decision}" if decision else ""
                self.say(f"     {self.motion_name(motion)}: {outcome}{said} by {cause.why} (event {event.height}) OK")
                status[motion] = outcome
                cause, decided = None, decided + 1
                continue
            payload = event.payload
            if event.type == "poll_closed":
                cause = self.decided_by(self.polls[payload["poll"]], payload, elected, event)
            elif event.type == "casting_vote":
                cause = self.settled_by(self.polls[payload["poll"]], payload, elected, event)
            elif event.type == "elected_unopposed":
                why = "an election unopposed, no vote held (the statutes allow it)"
                cause = Cause(payload.get("motion"), "adopted", why, event.height)
            elif event.type.startswith("motion_") and event.type[7:] in MOTION_STATUSES:
                motion, new = payload.get("motion"), event.type[7:]
                need(
                    new not in DECISIONS,
                    f"{self.motion_name(motion)} is recorded {new} (event {event.height}), but no vote decided it",
                )
                by = payload.get("by")
                need(
                    by is None or status.get(by) in DISPOSED,
                    f"{self.motion_name(motion)}: {new} (event {event.height}) by motion {by}, not yet disposed of",
                )
                status[motion] = new
            elif event.type == "agenda_adopted":
                motion = payload.get("motion")
                need(
                    status.get(motion) == "adopted",
                    f"the agenda is recorded adopted (event {event.height}), but {self.motion_name(motion)} "
                    "was not adopted by a vote",
                )
                self.say(f"     the agenda adopted with {self.motion_name(motion)} OK")
        if cause is not None:
            raise Broken(f"{self.motion_name(cause.motion)}: {cause.why} (event {cause.height}) {cause.outcome} it, "
                         f"but the log ends without recording it {cause.outcome}")  # fmt: skip
        for motion_id, motion in sorted(self.motions.items()):
            logged = status.get(motion_id)
            if motion["status"] in DECISIONS or logged is not None:
                need(
                    motion["status"] == logged or (logged is None and motion["status"] == "proposed"),
                    f"{self.motion_name(motion_id)} is recorded {motion['status']}, "
                    + ("but no vote decided it" if motion["status"] in DECISIONS and logged not in DECISIONS
                       else f"but the log leaves it {logged}"),
                )  # fmt: skip
        listed = f"; the {len(self.motions)} motion(s) of record.json as the log leaves them" if self.motions else ""
        self.say(f"     {decided} decision(s), none without a vote{listed} OK")

    def decided_by(
        self, poll: dict[str, Any], closed: dict[str, Any], elected: dict[Any, list[Any]], event: Event
    ) -> Cause | None:
        """What a poll's close does to its motion (the result itself is checked in PollCheck):
        a motion's outcome; an election's, once a round elects or ends it (adopted when anyone
        was elected in any of its rounds, rejected when no one was)."""
        motion, outcome, why = poll["motion"], closed.get("outcome"), f"poll {poll['id']}"
        if poll["kind"] == "election":
            elected.setdefault(motion, []).extend(closed.get("elected") or [])
            if outcome not in ("elected", "not_elected"):
                return None  # another round, or a casting vote, to come
            outcome = "adopted" if elected[motion] else "rejected"
        elif outcome not in DECISIONS:
            return None  # a tie awaiting its casting vote, or a new round
        return Cause(motion, str(outcome), why, event.height)

    def settled_by(
        self, poll: dict[str, Any], cast: dict[str, Any], elected: dict[Any, list[Any]], event: Event
    ) -> Cause:
        motion, why = poll["motion"], f"the casting vote on poll {poll['id']}"
        if poll["kind"] == "election":
            elected.setdefault(motion, []).extend(str(cast.get("choice")).split(","))
            return Cause(motion, "adopted", why, event.height)
        outcome = cast.get("outcome")
        need(outcome in DECISIONS, f"poll {poll['id']}: casting vote records outcome {outcome!r}")
        return Cause(motion, str(outcome), why, event.height)

    # 5. The checkpoints ------------------------------------------------------------------------

    def check_checkpoints(self) -> None:
        organisation = self.record["organisation"].get("slug")
        meeting = self.record["meeting"]["slug"]
        self.say("5. checkpoints:")
        for poll_id in sorted(self.polls):
            where = f"poll {poll_id}: checkpoint"
            poll, events = self.polls[poll_id], self.per_poll[poll_id]
            closed = events.one("poll_closed", where, required=False)
            written = events.one("checkpoint", where, required=closed is not None)
            if closed is None:
                need(written is None and poll.get("checkpoint") is None, f"{where}: but the poll was never closed")
                continue
            assert written is not None
            text = poll.get("checkpoint")
            need(
                text is not None or written.payload.get("note") is not None,
                f"{where}: not signed (the server had no signing key when the poll closed)",
            )
            need(isinstance(text, str), f"{where}: missing from record.json")
            need(written.payload.get("note") == text, f"{where}: event {written.height} holds another note")
            need(written.height == closed.height + 1, f"{where}: event {written.height} does not follow poll_closed")
            try:
                checkpoint = parse_checkpoint(text, self.keys)
            except NoteError as error:
                raise Broken(f"{where}: {error}") from error
            origin = f"governance/{organisation}/{meeting}/poll/{poll_id}"
            need(checkpoint.origin == origin, f"{where}: origin {checkpoint.origin!r} is not {origin!r}")
            need(
                checkpoint.size == len(poll["leaves"]),
                f"{where}: size {checkpoint.size} is not the poll's {len(poll['leaves'])} ballots",
            )
            need(checkpoint.root == closed.payload.get("merkle_root"), f"{where}: root differs from the poll's")
            named = self.events[checkpoint.log_height - 1] if 1 <= checkpoint.log_height <= len(self.events) else None
            need(
                named is not None and named.hash == checkpoint.log_hash,
                f"{where}: log line names height {checkpoint.log_height} with a hash this chain does not have",
            )
            need(checkpoint.log_height == closed.height, f"{where}: log line does not name the poll's poll_closed")
            retired = self.retired.get(checkpoint.signed_by.fingerprint)
            need(
                retired is None or written.at <= retired,
                f"{where}: signed at {written.at} by key {short(checkpoint.signed_by.fingerprint)}, "
                f"retired at {retired}",
            )
            self.say(
                f"   poll {poll_id}: signed by {checkpoint.signed_by.name} (key "
                f"{short(checkpoint.signed_by.fingerprint)}), size {checkpoint.size}, log {checkpoint.log_height}"
                " OK"
            )

    # 6. A receipt ------------------------------------------------------------------------------

    def find_receipt(self, code: str) -> None:
        wanted = normalise_code(code)
        for poll_id in sorted(self.polls):
            poll = self.polls[poll_id]
            for leaf in poll["leaves"]:
                if receipt_code(leaf.encode("utf-8")) == wanted:
                    note = "" if poll.get("status") == "closed" else f" (poll {poll.get('status')}: not counted)"
                    self.say(f"6. receipt {wanted}: found in poll {poll_id}, ballot {leaf}{note}")
                    return
        raise Broken(f"receipt {wanted}: not found")

    # 8. The minutes, when the bundle carries them ------------------------------------------------

    def check_minutes(self, manifest: dict[str, Any]) -> None:
        from governance.verify import minutes

        names = set(manifest.get("files", {}))
        if "minutes.json" not in names:
            return
        files = {name: self.read(name) for name in names if name.startswith("minutes")}
        rule_set = self.record.get("rule_set") or {}
        offices = [o.strip() for o in (rule_set.get("minutes_signatories") or "").split(",") if o.strip()]
        signed = {e.payload.get("hash") for e in self.events if e.type == "minutes_signed"}
        # Who holds each office for this meeting: the last offices_fixed event (convening, opening).
        fixed = [e.payload for e in self.events if e.type == "offices_fixed"]
        recorded = fixed[-1] if fixed else None
        if recorded is not None and isinstance(recorded.get("signatories"), list) and recorded["signatories"]:
            offices = [str(o) for o in recorded["signatories"]]
        try:
            minutes.check(
                files,
                meeting=self.record["meeting"]["slug"],
                organisation_keys=[k.public_key for k in self.keys],
                retired_at={k.public_key: self.retired.get(k.fingerprint) for k in self.keys},
                recorded=recorded,
                required_offices=offices,
                signed_hashes={h for h in signed if isinstance(h, str)},
                poll_roots={pid: p.get("merkle_root") for pid, p in self.polls.items()},
                say=self.say,
            )
        except minutes.MinutesBroken as error:
            raise Broken(str(error)) from error

    # 7. An earlier checkpoint ------------------------------------------------------------------

    def check_since(self, path: Path) -> None:
        need(path.is_file(), f"--since: {path} is not a file")
        try:
            checkpoint = parse_checkpoint(path.read_text(encoding="utf-8"), self.keys)
        except (NoteError, UnicodeDecodeError) as error:
            raise Broken(f"--since: {error}") from error
        prefix = f"governance/{self.record['organisation'].get('slug')}/{self.record['meeting']['slug']}/"
        need(checkpoint.origin.startswith(prefix), f"--since: the checkpoint is for {checkpoint.origin}, not {prefix}")
        height = checkpoint.log_height
        need(
            1 <= height <= len(self.events) and self.events[height - 1].hash == checkpoint.log_hash,
            f"--since: the log does not extend the checkpoint at height {height}",
        )
        self.say(f"7. --since: the log extends the checkpoint at height {height} ({checkpoint.origin})")


class PollCheck:
    """Section 4 for one poll: the electorate, the ballots, the tree and the result."""

    def __init__(self, verifier: Verifier, poll: dict[str, Any], events: PollEvents) -> None:
        self.v = verifier
        self.poll = poll
        self.events = events
        self.where = f"poll {poll['id']}"
        self.electors: dict[str, dict[str, Any]] = {}
        self.turnout = rules.Turnout(0, 0, 0)
        self.fixed_height = 0  # the electorate_fixed event's height

    def run(self) -> None:
        poll, where = self.poll, self.where
        # The result is read only once the status says the poll was counted: a void poll and a
        # poll still open at the export have none (and no ballots published).
        for part, kind in (("electorate", list), ("participation", list), ("leaves", list)):
            need(isinstance(poll.get(part), kind), f"{where}: {part} missing or not a {kind.__name__}")
        opened = self.events.one("poll_opened", where)
        fixed = self.events.one("electorate_fixed", where)
        assert opened is not None and fixed is not None
        need(fixed.height == opened.height - 1, f"{where}: electorate_fixed is not the event just before poll_opened")
        for name in FROZEN:
            need(poll.get(name) == opened.payload.get(name), f"{where}: {name} differs from poll_opened")
        self.majority = self.check_frozen_rules()
        self.fixed_height = fixed.height
        self.check_electorate(fixed.payload, opened.payload)
        status = poll.get("status")
        closed = self.events.one("poll_closed", where, required=False)
        voided = self.events.one("poll_voided", where, required=False)
        objection = self.events.all("consent_objection")
        kind = f"{poll['method']}, {poll['kind']}"
        heading = f"   poll {poll['id']} (motion {poll.get('motion')}, round {poll['round']}, {kind})"
        if status in ("void", "open"):
            need(
                not poll["leaves"] and poll.get("result") is None,
                f"{where}: {status}, yet record.json gives it ballots or a result",
            )
            need(closed is None and not objection, f"{where}: {status} but closed in the log")
            need(not self.events.all("casting_vote"), f"{where}: {status}, yet a casting vote settles it")
        if status == "void":
            need(voided is not None, f"{where}: void without a poll_voided event")
            assert voided is not None
            need(opened.height < voided.height, f"{where}: poll_voided comes before poll_opened")
            self.v.say(f"{heading}: void ({voided.payload.get('reason')}); its ballots never count")
            return
        need(voided is None, f"{where}: status {status!r} but a poll_voided event")
        if status == "open":
            self.v.say(
                f"{heading}: open at export ({len(poll['participation'])} of {len(self.electors)} voted), not counted"
            )
            return
        need(status == "closed", f"{where}: unknown status {status!r}")
        need(isinstance(poll.get("result"), dict), f"{where}: result missing or not a dict")
        if objection:
            need(
                poll["method"] == "unanimous_consent"
                and not self.events.all("casting_vote")
                and closed is None
                and not poll["leaves"]
                and poll["result"].get("outcome") == "objection",
                f"{where}: an objection must end a call for unanimous consent with outcome 'objection'",
            )
            self.v.say(f"{heading}: objection by {objection[0].payload.get('member')}, no consent OK")
            return
        need(closed is not None, f"{where}: closed without a poll_closed event")
        assert closed is not None
        need(opened.height < closed.height, f"{where}: poll_closed comes before poll_opened")
        self.check_ballots(closed.payload)
        summary = self.check_result(closed.payload)
        self.v.say(f"{heading}: {len(poll['leaves'])} ballots, root {short(poll['merkle_root'])}, {summary} OK")

    def check_frozen_rules(self) -> rules.Majority:
        poll, where = self.poll, self.where
        majority = poll.get("majority")
        need(
            isinstance(majority, dict)
            and is_int(majority.get("numerator"), 1)
            and is_int(majority.get("denominator"), 1)
            and majority["numerator"] <= majority["denominator"]
            and isinstance(majority.get("strict"), bool)
            and majority.get("base") in rules.BASES,
            f"{where}: malformed majority {majority!r}",
        )
        need(poll.get("tie_rule") in rules.TIE_RULES, f"{where}: unknown tie rule {poll.get('tie_rule')!r}")
        need(
            poll.get("method") in ("roll_call", "secret", "show_of_hands", "unanimous_consent"),
            f"{where}: unknown method {poll.get('method')!r}",
        )
        need(is_int(poll.get("seats"), 1) and is_int(poll.get("round"), 1), f"{where}: malformed seats or round")
        if poll.get("kind") == "election":
            options = poll.get("options")
            need(
                isinstance(options, dict)
                and options.get("method") in rules.ELECTION_METHODS
                and isinstance(options.get("candidates"), list)
                and all(is_int(c) for c in options["candidates"])
                and poll["method"] in ("roll_call", "secret"),
                f"{where}: malformed election options",
            )
        else:
            need(
                poll.get("kind") == "motion"
                and isinstance(poll.get("options"), list)
                and set(poll["options"]) <= set(MOTION_CHOICES),
                f"{where}: malformed motion options",
            )
        return rules.Majority(
            Fraction(majority["numerator"], majority["denominator"]), majority["strict"], majority["base"]
        )

    # §3 ----------------------------------------------------------------------------------------

    def check_electorate(self, fixed: dict[str, Any], opened: dict[str, Any]) -> None:
        poll, where = self.poll, self.where
        electorate = poll["electorate"]
        for elector in electorate:
            need(
                isinstance(elector, dict)
                and set(elector) == {"member", "weight", "proxy_holder"}
                and isinstance(elector["member"], str)
                and is_int(elector["weight"], 1)
                and (elector["proxy_holder"] is None or isinstance(elector["proxy_holder"], str)),
                f"{where}: malformed elector {elector!r}",
            )
        slugs = [elector["member"] for elector in electorate]
        need(slugs == sorted(set(slugs)), f"{where}: electors are not sorted by member, or one is repeated")
        digest = sha256_hex(dumps(electorate))
        need(digest == poll.get("electorate_hash"), f"{where}: electorate hash differs from the listed electorate")
        need(opened.get("electorate") == len(electorate), f"{where}: poll_opened counts another number of electors")
        need(
            fixed.get("electorate") == electorate and fixed.get("electorate_hash") == digest,
            f"{where}: electorate differs from electorate_fixed",
        )
        try:
            attending = set(fixed["attending"])
            recused = set(fixed["recused"])
            proxies = {(grantor, holder) for grantor, holder in fixed["proxies"]}
        except (KeyError, TypeError, ValueError) as error:
            raise Broken(f"{where}: electorate_fixed lacks attending, proxies or recused lists") from error
        grantors = {grantor for grantor, _ in proxies}
        voters, members_weight = self.frozen_rights(fixed, recused, electorate)
        for elector in electorate:
            member, holder = elector["member"], elector["proxy_holder"]
            need(member in voters, f"{where}: elector {member} has no right to vote")
            need(member not in recused, f"{where}: recused member {member} is an elector")
            if member in attending:
                need(holder is None, f"{where}: elector {member} attends but names a proxy holder")
                continue
            need(
                holder is not None and (member, holder) in proxies,
                f"{where}: elector {member} neither attends nor is represented by a listed proxy",
            )
            need(holder in attending, f"{where}: proxy holder {holder} of {member} does not attend")
            need(holder not in grantors, f"{where}: proxy holder {holder} of {member} is itself represented")
            self.v.check_proxy_consent(where, member, holder, self.fixed_height)
        for member in sorted(attending - recused):
            need(
                member not in voters or member in slugs,
                f"{where}: {member} attends with the right to vote, not recused, but is not an elector",
            )
        self.electors = {elector["member"]: elector for elector in electorate}
        present = sum(e["weight"] for e in electorate if e["proxy_holder"] is None)
        represented = sum(e["weight"] for e in electorate if e["proxy_holder"] is not None)
        need(
            members_weight >= present + represented and members_weight >= len(voters - recused),
            f"{where}: all members weigh {members_weight}, fewer than the electorate or the voters",
        )
        self.turnout = rules.Turnout(present, represented, members_weight)

    def frozen_rights(self, fixed: dict[str, Any], recused: set[str], electorate: list[Any]) -> tuple[set[str], int]:
        """Who had the right to vote when the poll opened, and the weight of all members then.

        Read from electorate_fixed (``voters``, ``members_weight``), never from today's member
        data: a fee marked unpaid after the meeting does not change who could vote at it. A
        record from before those fields existed falls back on the members' rights at export."""
        where, voters, weight = self.where, fixed.get("voters"), fixed.get("members_weight")
        if voters is not None or weight is not None:
            need(
                isinstance(voters, list)
                and all(isinstance(v, str) for v in voters)
                and voters == sorted(set(voters))
                and is_int(weight),
                f"{where}: electorate_fixed's voters or members_weight malformed",
            )
            assert isinstance(weight, int)
            return set(voters), weight
        members = self.v.members
        for member in fixed["attending"]:
            need(member in members, f"{where}: attending {member} is not a member of the record")
        electors = {e["member"]: e["weight"] for e in electorate if isinstance(e, dict)}
        # All members: those with the right to vote, less the recused, by weight (the elector's,
        # else the member's own "weight", 1 when the record gives none).
        total = sum(
            electors.get(slug, m.get("weight", 1)) for slug, m in members.items() if m["votes"] and slug not in recused
        )
        return {slug for slug, m in members.items() if m["votes"]}, total

    # §4, §5 ------------------------------------------------------------------------------------

    def check_ballots(self, closed: dict[str, Any]) -> None:
        poll, where = self.poll, self.where
        leaves, participation = poll["leaves"], poll["participation"]
        need(len(leaves) == len(participation), f"{where}: {len(leaves)} ballots but {len(participation)} participants")
        need(
            all(isinstance(p, str) for p in participation) and participation == sorted(set(participation)),
            f"{where}: participation is not sorted, or repeats a member",
        )
        for member in participation:
            need(member in self.electors, f"{where}: participant {member} is not an elector")
        self.ballots = [self.parse_leaf(number, leaf) for number, leaf in enumerate(leaves, start=1)]
        cast = sum(ballot["weight"] for ballot in self.ballots)
        expected = sum(self.electors[member]["weight"] for member in participation)
        need(cast == expected, f"{where}: total ballot weight {cast} differs from participants' weight {expected}")
        if poll["method"] == "roll_call":
            voters = [ballot["member"] for ballot in self.ballots]
            need(sorted(voters) == participation, f"{where}: the roll-call ballots' members are not the participants")
            for number, ballot in enumerate(self.ballots, start=1):
                need(
                    ballot["weight"] == self.electors[ballot["member"]]["weight"],
                    f"{where}: ballot {number} does not carry {ballot['member']}'s weight",
                )
        else:
            weights = {elector["weight"] for elector in self.electors.values()}
            for number, ballot in enumerate(self.ballots, start=1):
                need(
                    ballot["weight"] in weights,
                    f"{where}: ballot {number} weighs {ballot['weight']}, no elector's weight",
                )
            need(
                Counter(b["weight"] for b in self.ballots)
                == Counter(self.electors[m]["weight"] for m in participation),
                f"{where}: the ballots' weights are not the participants' weights",
            )
        receipts = [sha256_hex(leaf.encode("utf-8")) for leaf in leaves]
        for number in range(1, len(receipts)):
            need(receipts[number - 1] != receipts[number], f"{where}: ballot {number + 1} repeats ballot {number}")
            need(receipts[number - 1] < receipts[number], f"{where}: ballot {number + 1} is out of receipt order")
        root = merkle.root([leaf.encode("utf-8") for leaf in leaves]).hex()
        need(root == closed.get("merkle_root"), f"{where}: Merkle root differs from poll_closed")
        need(root == poll.get("merkle_root"), f"{where}: Merkle root differs from record.json")
        need(
            closed.get("ballots") == len(leaves),
            f"{where}: {len(leaves)} ballots but poll_closed says {closed.get('ballots')}",
        )
        need(
            sha256_hex(dumps(participation)) == closed.get("participation_hash"),
            f"{where}: participation hash differs from poll_closed",
        )

    def parse_leaf(self, number: int, leaf: Any) -> dict[str, Any]:
        poll, name = self.poll, f"{self.where}: ballot {number}"
        need(isinstance(leaf, str), f"{name} is not a string")
        try:
            ballot = loads_canonical(leaf.encode("utf-8"))
        except CanonicalError as error:
            raise Broken(f"{name} does not parse: {error}") from error
        keys = {"poll", "choice", "weight", "nonce"} | ({"member"} if poll["method"] == "roll_call" else set())
        need(isinstance(ballot, dict) and set(ballot) == keys, f"{name} has keys other than {', '.join(sorted(keys))}")
        need(ballot["poll"] == poll["id"], f"{name} is for poll {ballot['poll']}")
        need(is_int(ballot["weight"], 1), f"{name} has no valid weight")
        need(
            isinstance(ballot["nonce"], str) and NONCE.fullmatch(ballot["nonce"]) is not None,
            f"{name} has no 32-hex-digit nonce",
        )
        need(
            poll["method"] != "roll_call" or ballot["member"] in self.electors,
            f"{name} names {ballot.get('member')!r}, not an elector",
        )
        need(poll["method"] in ("roll_call", "secret"), f"{name}: a {poll['method']} has no ballots")
        choice = ballot["choice"]
        need(isinstance(choice, str), f"{name} has no valid choice")
        if poll["kind"] == "motion":
            need(choice in poll["options"], f"{name}: choice {choice!r} is not an option")
            return ballot
        if choice in ("blank", "abstain"):
            ballot["marks"] = () if choice == "blank" else None
            return ballot
        parts = choice.split(",")
        need(all(p.isascii() and p.isdigit() and str(int(p)) == p for p in parts), f"{name}: malformed choice")
        marks = tuple(int(p) for p in parts)
        need(list(marks) == sorted(set(marks)), f"{name}: candidates not ascending, or repeated")
        need(len(marks) <= poll["seats"], f"{name} marks more candidates than seats")
        need(set(marks) <= set(poll["options"]["candidates"]), f"{name} marks someone who is not a candidate")
        ballot["marks"] = marks
        return ballot

    def check_result(self, closed: dict[str, Any]) -> str:
        poll, where, result = self.poll, self.where, self.poll["result"]
        for key in RESULT_KEYS:
            if key in result:
                need(closed.get(key) == result[key], f"{where}: result {key} differs from poll_closed")
        if poll["kind"] == "election":
            return self.check_election(result)
        if poll["method"] == "unanimous_consent":
            need(
                not poll["leaves"] and result.get("outcome") == "adopted",
                f"{where}: unanimous consent without objection is adopted, with no ballots",
            )
            return "no objection: adopted (recomputed)"
        if poll["method"] == "show_of_hands":
            need(not poll["leaves"], f"{where}: a show of hands has no ballots")
            counts = {choice: result.get(choice) for choice in ("yes", "no", "abstain")}
            need(all(is_int(n) for n in counts.values()), f"{where}: the tellers' counts are missing")
            electorate = self.turnout.present + self.turnout.represented
            need(
                sum(counts.values()) <= electorate,
                f"{where}: the tellers count {sum(counts.values())} hands, "
                f"more than the electorate's {electorate} votes",
            )
            counts["blank"] = 0
        else:
            counts = {
                choice: sum(b["weight"] for b in self.ballots if b["choice"] == choice) for choice in MOTION_CHOICES
            }
        for choice in MOTION_CHOICES:
            need(
                result.get(choice, 0) == counts[choice],
                f"{where}: recorded {choice} {result.get(choice)}, recomputed {counts[choice]}",
            )
        chair = result.get("chair")
        chair_vote = (
            next((b["choice"] for b in self.ballots if b.get("member") == chair), None)
            if (poll["method"] == "roll_call" and chair)
            else None
        )
        outcome, arithmetic = rules.motion_outcome(
            self.majority,
            poll["tie_rule"],
            self.turnout,
            yes=counts["yes"],
            no=counts["no"],
            abstain=counts["abstain"],
            secret=poll["method"] == "secret",
            chair_vote=chair_vote,
        )
        recorded = result.get("outcome")
        if outcome == "tie_lot":
            # The server draws the lot as it closes the poll: the outcome it records is the lot drawn.
            need(recorded in DECISIONS, f"{where}: a tie decided by lot, but outcome {recorded!r}")
            lot = "yes" if recorded == "adopted" else "no"
            outcome, arithmetic = rules.motion_outcome(
                self.majority, poll["tie_rule"], self.turnout, yes=counts["yes"], no=counts["no"],
                abstain=counts["abstain"], secret=poll["method"] == "secret", chair_vote=chair_vote, lot=lot,
            )  # fmt: skip
            need(recorded == outcome, f"{where}: recorded outcome {recorded!r}, recomputed {outcome!r} ({arithmetic})")
        else:
            need(recorded == outcome, f"{where}: recorded outcome {recorded!r}, recomputed {outcome!r} ({arithmetic})")
        summary = f"{arithmetic}, blank {counts['blank']} -> {recorded} (recomputed)"

        def settles(choice: str) -> str:
            # The tie re-decided with the casting vote given, by the same rules.
            return rules.motion_outcome(
                self.majority, poll["tie_rule"], self.turnout, yes=counts["yes"], no=counts["no"],
                abstain=counts["abstain"], secret=poll["method"] == "secret", chair_vote=chair_vote,
                casting_vote=choice,
            )[0]  # fmt: skip

        return summary + self.check_casting_vote(outcome, lambda choice: choice in ("yes", "no"), settles)

    def check_election(self, result: dict[str, Any]) -> str:
        poll, where = self.poll, self.where
        candidates = poll["options"]["candidates"]
        counted = rules.election_round(
            method=poll["options"]["method"],
            round_number=poll["round"],
            seats=poll["seats"],
            majority=self.majority,
            candidates=candidates,
            ballots=[(ballot["marks"], ballot["weight"]) for ballot in self.ballots],
            turnout=self.turnout,
        )
        for key, value in (
            ("abstain", counted.abstain),
            ("blank", counted.blank),
            ("tally", {str(c): n for c, n in counted.votes.items()}),
        ):
            need(result.get(key) == value, f"{where}: recorded {key} {result.get(key)}, recomputed {value}")
        outcome = counted.outcome if counted.outcome != "tie" else rules.election_tie_outcome(poll["tie_rule"])
        recorded, elected = result.get("outcome"), result.get("elected")
        need(recorded == outcome, f"{where}: recorded outcome {recorded!r}, recomputed {outcome!r}")
        need(isinstance(elected, list) and all(is_int(c) for c in elected), f"{where}: malformed elected list")
        if counted.outcome == "tie" and poll["tie_rule"] == "lot":
            drawn = set(elected) - set(counted.elected)
            need(
                set(counted.elected) <= set(elected) and drawn <= set(counted.tied) and len(elected) == poll["seats"],
                f"{where}: elected {elected} is not {counted.elected} completed by lot among {counted.tied}",
            )
        else:
            need(
                sorted(elected) == sorted(counted.elected),
                f"{where}: recorded elected {elected}, recomputed {counted.elected}",
            )
        seats_left = poll["seats"] - len(counted.elected)

        def valid(choice: str) -> bool:
            chosen = choice.split(",")
            return len(set(chosen)) == len(chosen) == seats_left and {str(c) for c in counted.tied} >= set(chosen)

        names = {member["id"]: member["slug"] for member in self.v.members.values()}
        tally = ", ".join(f"{names.get(c, c)} {n}" for c, n in counted.votes.items())
        said = ", ".join(str(names.get(c, c)) for c in elected) or "no one"
        summary = f"{counted.arithmetic}; {tally} -> {recorded}: {said} (recomputed)"
        return summary + self.check_casting_vote(outcome, valid, lambda _choice: "elected")

    def check_casting_vote(self, outcome: str, valid: Callable[[str], bool], settles: Callable[[str], str]) -> str:
        cast = self.events.one("casting_vote", self.where, required=False)
        if cast is None:
            return ""
        need(outcome == "tie_casting_vote", f"{self.where}: a casting vote (event {cast.height}) where none is due")
        choice = cast.payload.get("choice")
        need(isinstance(choice, str) and valid(choice), f"{self.where}: casting vote {choice!r} is not a valid choice")
        office = cast.payload.get("office")
        need(isinstance(office, str) and office != "", f"{self.where}: casting vote by no named office")
        closed = self.events.one("poll_closed", self.where)
        assert closed is not None
        need(closed.height < cast.height, f"{self.where}: casting vote (event {cast.height}) before the poll closed")
        need(
            cast.payload.get("outcome") == settles(choice),
            f"{self.where}: casting vote {choice} records outcome {cast.payload.get('outcome')!r}",
        )
        return f"; casting vote ({cast.payload.get('office')}): {choice} -> {cast.payload.get('outcome')}"


@dataclass(frozen=True)
class Verified:
    """What a verified bundle was signed with, for the caller to pin: the manifest's key and the
    organisation the record names (whose published keys page lists the keys to trust)."""

    fingerprint: str
    organisation_slug: str
    organisation_name: str
    pinned: bool  # checked against a --key given by the caller


def verify(
    directory: Path,
    *,
    receipt: str | None = None,
    since: Path | None = None,
    key: str | None = None,
    say: Callable[[str], None] = print,
) -> Verified:
    """Run every check in the order of §8; raise :class:`Broken` at the first failure."""
    verifier = Verifier(directory, say)
    manifest = verifier.check_manifest(key)
    verifier.check_files(manifest)
    fingerprint = manifest["key"]["fingerprint"]
    need(
        fingerprint in verifier.retired,
        f"manifest.sig: key {short(fingerprint)} is not among the organisation's keys in record.json",
    )
    exported, retired = manifest.get("exported_at"), verifier.retired[fingerprint]
    need(
        retired is None or (isinstance(exported, str) and exported <= retired),
        f"manifest.sig: exported at {exported} with key {short(fingerprint)}, retired at {retired}",
    )
    verifier.check_chain(manifest)
    verifier.index_polls()
    verifier.check_polls()
    verifier.check_decisions()
    verifier.check_checkpoints()
    verifier.check_minutes(manifest)
    if receipt is not None:
        verifier.find_receipt(receipt)
    if since is not None:
        verifier.check_since(since)
    organisation = verifier.record["organisation"]
    return Verified(fingerprint, str(organisation.get("slug")), str(organisation.get("name")), key is not None)
