"""The verifiable record on a real meeting: the Guangzhou Board meeting played through the
services, exported by `governance record export`, checked by the independent verifier; then
each forgery makes it fail with its own message. Also the log's guarantees in the database."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance import export
from governance.db import IntegrityViolation, writing
from governance.demo import simulate
from governance.record import canonical, keys
from governance.record.tables import MeetingEvent
from tests.support.record import SLUG, fails_with, forge, load, run


@pytest.fixture
async def bundle(demo, tmp_path) -> Path:
    played = await simulate.play(simulate.DEFAULT_SEED)
    assert played.played, played.message
    directory = tmp_path / "bundle"
    await export.export(SLUG, directory)
    return directory


def secret_poll(record: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in record["polls"] if p["method"] == "secret" and p["status"] == "closed")


def resort(poll: dict[str, Any]) -> None:
    poll["leaves"].sort(key=lambda leaf: hashlib.sha256(leaf.encode()).hexdigest())


async def test_the_played_meeting_exports_and_verifies(bundle, capsys):
    status, out = run(capsys, bundle)
    assert status == 0, out
    assert "OK: every check holds." in out
    assert "8. minutes: version 2" in out  # the played meeting's signed minutes travel too
    record = load(bundle)
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["log_head"]["height"] == len(record["events"])
    closed = [p for p in record["polls"] if p["status"] == "closed"]
    assert len(closed) >= 6 and all(p["checkpoint"] for p in closed)
    # Every event hash is the SHA-256 of its body, chained from the genesis.
    parent = canonical.GENESIS
    for height, event in enumerate(record["events"], start=1):
        body = json.loads(event["body"])
        assert (body["height"], body["parent"]) == (height, parent)
        assert hashlib.sha256(event["body"].encode()).hexdigest() == event["hash"]
        parent = event["hash"]
    # No event per secret ballot: the log has as many ballot-ish events as polls, no more.
    kinds = [json.loads(e["body"])["type"] for e in record["events"]]
    assert not [k for k in kinds if "ballot" in k or k == "vote_cast"]
    # The fingerprint can be pinned.
    fingerprint = manifest["key"]["fingerprint"]
    assert run(capsys, bundle, "--key", fingerprint)[0] == 0
    fails_with(capsys, f"manifest.sig: signed by key {fingerprint}, not by --key {'0' * 64}", bundle, "--key", "0" * 64)


async def test_a_voter_finds_their_receipt_and_a_made_up_code_fails(bundle, capsys):
    record = load(bundle)
    leaf = secret_poll(record)["leaves"][3]
    code = canonical.receipt_code(hashlib.sha256(leaf.encode()).hexdigest())
    status, out = run(capsys, bundle, "--receipt", code)
    assert status == 0 and code in out, out
    made_up = "AAAAA-AAAAA" if code != "AAAAA-AAAAA" else "BBBBB-BBBBB"
    fails_with(capsys, f"receipt {made_up}: not found", bundle, "--receipt", made_up)


async def test_ballots_added_removed_changed_or_inflated_are_caught(bundle, capsys):
    record = load(bundle)
    poll = secret_poll(record)
    n, pid = len(poll["leaves"]), poll["id"]

    added = json.loads(json.dumps(record))
    extra = json.loads(secret_poll(added)["leaves"][0])
    extra["nonce"] = "ab" * 16
    secret_poll(added)["leaves"].append(canonical.canonical(extra).decode())
    resort(secret_poll(added))
    await forge(bundle, added)
    fails_with(capsys, f"poll {pid}: {n + 1} ballots but {n} participants", bundle)

    removed = json.loads(json.dumps(record))
    secret_poll(removed)["leaves"].pop()
    await forge(bundle, removed)
    fails_with(capsys, f"poll {pid}: {n - 1} ballots but {n} participants", bundle)

    changed = json.loads(json.dumps(record))
    target = secret_poll(changed)
    leaf = json.loads(target["leaves"][0])
    leaf["choice"] = "no" if leaf["choice"] == "yes" else "yes"
    target["leaves"][0] = canonical.canonical(leaf).decode()
    resort(target)
    await forge(bundle, changed)
    fails_with(capsys, f"poll {pid}: Merkle root differs from poll_closed", bundle)

    inflated = json.loads(json.dumps(record))
    target = secret_poll(inflated)
    leaf = json.loads(target["leaves"][0])
    leaf["weight"] += 1
    target["leaves"][0] = canonical.canonical(leaf).decode()
    resort(target)
    await forge(bundle, inflated)
    status, out = run(capsys, bundle)
    assert status == 1 and f"FAILED: poll {pid}:" in out and "weight" in out, out


async def test_a_participant_added_is_caught(bundle, capsys):
    record = load(bundle)
    poll = secret_poll(record)
    outsider = next(m["slug"] for m in record["members"] if m["slug"] not in poll["participation"])
    poll["participation"] = sorted([*poll["participation"], outsider])
    await forge(bundle, record)
    status, out = run(capsys, bundle)
    assert status == 1 and f"FAILED: poll {poll['id']}:" in out, out


async def test_events_rewritten_dropped_or_reordered_are_caught(bundle, capsys):
    record = load(bundle)
    rewritten = json.loads(json.dumps(record))
    body = json.loads(rewritten["events"][9]["body"])
    body["actor"] = 999999
    rewritten["events"][9]["body"] = canonical.canonical(body).decode()
    await forge(bundle, rewritten)
    fails_with(capsys, "event 10: hash does not match its body", bundle)

    dropped = json.loads(json.dumps(record))
    del dropped["events"][4]
    await forge(bundle, dropped)
    fails_with(capsys, "event 6: found where height 5 belongs (events missing or out of order)", bundle)

    reordered = json.loads(json.dumps(record))
    events = reordered["events"]
    events[2], events[3] = events[3], events[2]
    await forge(bundle, reordered)
    fails_with(capsys, "event 4: found where height 3 belongs (events missing or out of order)", bundle)


async def test_a_changed_file_or_a_foreign_signature_is_caught(bundle, capsys):
    content = bytearray((bundle / "record.json").read_bytes())
    content[-10] = ord("0") if content[-10] != ord("0") else ord("1")
    (bundle / "record.json").write_bytes(bytes(content))
    fails_with(capsys, "record.json: SHA-256 differs from manifest", bundle)

    manifest = json.loads((bundle / "manifest.json").read_text())
    (bundle / "manifest.sig").write_bytes(Ed25519PrivateKey.generate().sign((bundle / "manifest.json").read_bytes()))
    fails_with(capsys, f"manifest.sig: not a valid signature by key {manifest['key']['fingerprint']}", bundle)


async def test_since_an_earlier_checkpoint(bundle, capsys, tmp_path):
    record = load(bundle)
    first = next(p for p in record["polls"] if p["checkpoint"])
    earlier = tmp_path / "earlier.txt"
    earlier.write_text(first["checkpoint"])
    status, out = run(capsys, bundle, "--since", earlier)
    assert status == 0, out
    # A checkpoint, validly signed by the organisation, of a log this record does not extend.
    signer = await keys.signer("metropolis")
    height = json.loads(record["events"][11]["body"])["height"]
    body = canonical.checkpoint_body(f"governance/metropolis/{SLUG}/poll/1", 3, b"\0" * 32, height, "ab" * 32)
    forged = tmp_path / "forged.txt"
    forged.write_text(canonical.signed_note(body, signer.name, signer.public_key, signer.sign(body.encode())))
    fails_with(capsys, f"--since: the log does not extend the checkpoint at height {height}", bundle, "--since", forged)


async def test_the_database_keeps_the_log_append_only(bundle):
    row = await MeetingEvent.select(MeetingEvent.id).first()
    for attempt in (
        MeetingEvent.update({MeetingEvent.kind: "rewritten"}).where(MeetingEvent.id == row["id"]),
        MeetingEvent.delete().where(MeetingEvent.id == row["id"]),
    ):
        with pytest.raises(Exception) as refused:  # each engine raises its own type
            async with writing():
                await attempt
        assert "append-only" in f"{refused.value} {refused.value.__cause__}"
    first = await MeetingEvent.select(MeetingEvent.meeting, MeetingEvent.height).first()
    with pytest.raises(IntegrityViolation):
        async with writing():
            await MeetingEvent.insert(
                MeetingEvent(meeting=first["meeting"], at=canonical_now(), kind="forged", height=first["height"])
            )


def mode_of(path: str) -> int:
    return Path(path).stat().st_mode & 0o777


def canonical_now():
    import datetime as dt

    return dt.datetime.now(dt.UTC)


async def test_keys_rotate_and_old_checkpoints_still_verify(bundle, capsys, rotating_keys):
    before = await keys.list_keys("metropolis")
    made = await keys.generate("metropolis")
    after = await keys.list_keys("metropolis")
    assert len(after) == len(before) + 1
    assert [k["fingerprint"] for k in after if k["retired_at"] is None] == [made["fingerprint"]]
    assert mode_of(made["path"]) == 0o600
    # The retired key's private file is gone: it can sign nothing again (it may have leaked).
    old = next(k for k in after if k["fingerprint"] == before[-1]["fingerprint"])
    assert old["retired_at"] is not None
    assert not keys._path("metropolis", old["fingerprint"]).exists()
    assert keys._path("metropolis", made["fingerprint"]).exists()
    # A new export is signed by the new key and lists the retired one: old checkpoints verify.
    directory = bundle.parent / "rotated"
    manifest = await export.export(SLUG, directory)
    assert manifest["key"]["fingerprint"] == made["fingerprint"]
    assert base64.b64decode(manifest["key"]["public_key"])
    status, out = run(capsys, directory)
    assert status == 0, out


async def test_minutes_signed_under_a_certificate_from_a_retired_key_fail(bundle, capsys):
    """Step 8: a retired organisation key (maybe leaked) certifies no minutes signature dated
    after its retirement, even when everything else (checkpoints, manifest) is in order."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    record = load(bundle)
    signatures = json.loads((bundle / "minutes-signatures.json").read_text())["signatures"]
    first_signature = min(s["signed_at"] for s in signatures)
    # Retired a microsecond before the first minutes signature (after every checkpoint).
    form = "%Y-%m-%dT%H:%M:%S.%fZ"
    retired = (dt.datetime.strptime(first_signature, form) - dt.timedelta(microseconds=1)).strftime(form)
    record["keys"][0]["retired_at"] = retired
    fresh = Ed25519PrivateKey.generate()
    public = fresh.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    fingerprint = hashlib.sha256(public).hexdigest()
    name = record["keys"][0]["name"]
    record["keys"].append({"name": name, "public_key": base64.b64encode(public).decode(), "fingerprint": fingerprint,
                           "created_at": retired, "retired_at": None})  # fmt: skip
    content = json.dumps(record, indent=1, ensure_ascii=False).encode()
    (bundle / "record.json").write_bytes(content)
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"]["record.json"] = hashlib.sha256(content).hexdigest()
    manifest["key"] = {"name": name, "public_key": base64.b64encode(public).decode(), "fingerprint": fingerprint}
    manifest_bytes = canonical.canonical(manifest)
    (bundle / "manifest.json").write_bytes(manifest_bytes)
    (bundle / "manifest.sig").write_bytes(fresh.sign(manifest_bytes))
    fails_with(
        capsys,
        f"minutes: signature as president: signed at {first_signature} under a certificate from a key retired at "
        f"{retired}",
        bundle, "--key", fingerprint,
    )  # fmt: skip
