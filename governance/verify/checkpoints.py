"""Steps 5 to 7 of record format §8: each closed poll's signed checkpoint, a voter's receipt
among the ballots, and an earlier checkpoint the log must extend."""

from __future__ import annotations

from pathlib import Path

from governance.verify.broken import Broken, need, short
from governance.verify.bundle import Bundle
from governance.verify.note import NoteError, normalise_code, parse_checkpoint, receipt_code


def check_checkpoints(bundle: Bundle) -> None:
    organisation = bundle.record["organisation"].get("slug")
    meeting = bundle.record["meeting"]["slug"]
    bundle.say("5. checkpoints:")
    for poll_id in sorted(bundle.polls):
        where = f"poll {poll_id}: checkpoint"
        poll, events = bundle.polls[poll_id], bundle.per_poll[poll_id]
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
        assert isinstance(text, str)
        need(written.payload.get("note") == text, f"{where}: event {written.height} holds another note")
        need(written.height == closed.height + 1, f"{where}: event {written.height} does not follow poll_closed")
        try:
            checkpoint = parse_checkpoint(text, bundle.keys)
        except NoteError as error:
            raise Broken(f"{where}: {error}") from error
        origin = f"governance/{organisation}/{meeting}/poll/{poll_id}"
        need(checkpoint.origin == origin, f"{where}: origin {checkpoint.origin!r} is not {origin!r}")
        need(
            checkpoint.size == len(poll["leaves"]),
            f"{where}: size {checkpoint.size} is not the poll's {len(poll['leaves'])} ballots",
        )
        need(checkpoint.root == closed.payload.get("merkle_root"), f"{where}: root differs from the poll's")
        named = bundle.events[checkpoint.log_height - 1] if 1 <= checkpoint.log_height <= len(bundle.events) else None
        need(
            named is not None and named.hash == checkpoint.log_hash,
            f"{where}: log line names height {checkpoint.log_height} with a hash this chain does not have",
        )
        need(checkpoint.log_height == closed.height, f"{where}: log line does not name the poll's poll_closed")
        retired = bundle.retired.get(checkpoint.signed_by.fingerprint)
        need(
            retired is None or written.at <= retired,
            f"{where}: signed at {written.at} by key {short(checkpoint.signed_by.fingerprint)}, retired at {retired}",
        )
        bundle.say(
            f"   poll {poll_id}: signed by {checkpoint.signed_by.name} (key "
            f"{short(checkpoint.signed_by.fingerprint)}), size {checkpoint.size}, log {checkpoint.log_height}"
            " OK"
        )


def find_receipt(bundle: Bundle, code: str) -> None:
    wanted = normalise_code(code)
    for poll_id in sorted(bundle.polls):
        poll = bundle.polls[poll_id]
        for leaf in poll["leaves"]:
            if receipt_code(leaf.encode("utf-8")) == wanted:
                note = "" if poll.get("status") == "closed" else f" (poll {poll.get('status')}: not counted)"
                bundle.say(f"6. receipt {wanted}: found in poll {poll_id}, ballot {leaf}{note}")
                return
    raise Broken(f"receipt {wanted}: not found")


def check_since(bundle: Bundle, path: Path) -> None:
    need(path.is_file(), f"--since: {path} is not a file")
    try:
        checkpoint = parse_checkpoint(path.read_text(encoding="utf-8"), bundle.keys)
    except (NoteError, UnicodeDecodeError) as error:
        raise Broken(f"--since: {error}") from error
    prefix = f"governance/{bundle.record['organisation'].get('slug')}/{bundle.record['meeting']['slug']}/"
    need(checkpoint.origin.startswith(prefix), f"--since: the checkpoint is for {checkpoint.origin}, not {prefix}")
    height = checkpoint.log_height
    need(
        1 <= height <= len(bundle.events) and bundle.events[height - 1].hash == checkpoint.log_hash,
        f"--since: the log does not extend the checkpoint at height {height}",
    )
    bundle.say(f"7. --since: the log extends the checkpoint at height {height} ({checkpoint.origin})")
