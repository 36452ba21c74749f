"""Export a meeting's verifiable record as a signed bundle (docs/record-format.md §7).

``record.json`` holds the log's exact hashed bodies, the members, and every poll with its
electorate, participation, leaves, commitments and result; ``manifest.json`` the SHA-256 of
each file, the log head and the signing key; ``manifest.sig`` the organisation key's
Ed25519 signature of the manifest's bytes. ``governance verify`` checks all of it offline.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

from governance.agenda.tables import Motion
from governance.db import reading
from governance.errors import Conflict, NotFound
from governance.i18n import gettext as _
from governance.meetings import attendance
from governance.meetings.services import MeetingContext, meeting_context
from governance.meetings.tables import Meeting
from governance.organisations.tables import Member
from governance.polls import services as polls
from governance.polls.tables import Participation, Poll, PollElector
from governance.record import canonical, keys
from governance.record.tables import MeetingEvent

Row = dict[str, Any]
FORMAT = "governance-record/1"
COMMITMENT_KEYS = ("poll", "ballots", "participation_hash", "merkle_root")


async def resolve(meeting: str) -> MeetingContext:
    """A meeting by id or slug."""
    slug = meeting
    if meeting.isdigit():
        async with reading():
            row = await Meeting.select(Meeting.slug).where(Meeting.id == int(meeting)).first()
        if row is None:
            raise NotFound(_("No such meeting."))
        slug = row["slug"]
    return await meeting_context(slug, None)


async def record(context: MeetingContext) -> Row:
    meeting_id = context.meeting["id"]
    async with reading():
        events = (
            await MeetingEvent.select(MeetingEvent.kind, MeetingEvent.payload, MeetingEvent.body, MeetingEvent.hash)
            .where(MeetingEvent.meeting == meeting_id)
            .order_by(MeetingEvent.height)
        )
        poll_rows = await Poll.select().where(Poll.meeting == meeting_id).order_by(Poll.id)
        motions = await (
            Motion.select(
                Motion.id, Motion.item.number.as_alias("item"), Motion.item.title_en.as_alias("title"), Motion.kind,
                Motion.amends, Motion.status, Motion.decision_number.as_alias("decision"),
            )
            .where(Motion.meeting == meeting_id)
            .order_by(Motion.id)
        )  # fmt: skip
    closed_payloads: dict[int, Row] = {}
    for event in events:
        if event["kind"] == "poll_closed":
            payload = json.loads(event["payload"])
            closed_payloads[payload["poll"]] = payload
    register = await attendance.load_register(context) if context.statutes else None
    weighted = context.statutes is not None and context.statutes.weighted_votes
    members = await _members(register, weighted)
    return {
        "format": FORMAT,
        "meeting": {
            "slug": context.meeting["slug"],
            "title": context.meeting["title_en"],
            "body": context.body["slug"],
            "time_zone": context.meeting["time_zone"],
            "starts_at": canonical.timestamp(context.meeting["starts_at"]),
            "status": context.meeting["status"],
        },
        "organisation": {"slug": context.organisation["slug"], "name": context.organisation["name_en"]},
        "rule_set": _rule_set(context.rule_set),
        "members": members,
        "motions": motions,
        "events": [{"body": event["body"], "hash": event["hash"]} for event in events],
        "polls": [await _poll(row, closed_payloads.get(row["id"])) for row in poll_rows],
        "keys": [_key(key) for key in await keys.list_keys(context.organisation["slug"])],
    }


def _key(key: Row) -> Row:
    retired = key["retired_at"]
    return {
        **key,
        "created_at": canonical.timestamp(key["created_at"]),
        "retired_at": canonical.timestamp(retired) if retired else None,
    }


async def _members(register: Any, weighted: bool) -> list[Row]:
    if register is None:
        return []
    ids = [line.id for line in register.lines]
    async with reading():
        weights = {
            r["id"]: r["vote_weight"]
            for r in await Member.select(Member.id, Member.vote_weight).where(Member.id.is_in(ids or [-1]))
        }
    return [
        {"id": line.id, "slug": line.slug, "name": line.name, "votes": line.votes,
         "weight": weights.get(line.id, 1) if weighted else 1}
        for line in sorted(register.lines, key=lambda line: line.slug)
    ]  # fmt: skip


def _rule_set(rules: Row | None) -> Row | None:
    if rules is None:
        return None
    wanted = ("version", "title", "tie_rule", "casting_vote_office", "election_method", "proxy_max_per_holder",
              "blank_ballots_distinct", "ballots_changeable", "weighted_votes", "voting_categories",
              "minutes_signatories", "authoritative_language")  # fmt: skip
    return {key: rules.get(key) for key in wanted}


async def _poll(row: Row, closed: Row | None) -> Row:
    async with reading():
        electors = await PollElector.select(
            PollElector.member.slug.as_alias("member"),
            PollElector.weight,
            PollElector.proxy_holder.slug.as_alias("proxy_holder"),
        ).where(PollElector.poll == row["id"])
        participation = sorted(
            r["slug"]
            for r in await Participation.select(Participation.member.slug.as_alias("slug")).where(
                Participation.poll == row["id"]
            )
        )
    leaves = [polls.leaf_bytes(row, leaf).decode() for leaf in await polls.leaves(row)]
    result = None
    if row["outcome"] == "objection":
        result = {"outcome": "objection", "arithmetic": row["arithmetic"]}
    elif closed is not None:
        result = {k: v for k, v in closed.items() if k not in COMMITMENT_KEYS}
    return {
        "id": row["id"],
        "round": row["round"],
        "motion": row["motion"],
        "method": row["method"],
        "kind": row["kind"],
        "options": json.loads(row["options"]),
        "seats": row["seats"],
        "status": row["status"],
        "majority": {
            "numerator": row["threshold_numerator"],
            "denominator": row["threshold_denominator"],
            "strict": row["strict"],
            "base": row["base"],
        },
        "tie_rule": row["tie_rule"],
        "electorate": sorted(electors, key=lambda e: e["member"]),
        "electorate_hash": row["electorate_hash"],
        "participation": participation,
        "leaves": leaves if row["status"] == "closed" else [],
        "merkle_root": row["merkle_root"],
        "result": result,
        "checkpoint": row["checkpoint"],
    }


async def export(meeting: str, out: Path) -> Row:
    """Write record.json, manifest.json and manifest.sig into ``out``; returns the manifest."""
    context = await resolve(meeting)
    signer = await keys.signer(context.organisation["slug"])
    if signer is None:
        message = _("{organisation} has no signing key on this server: run `governance keys generate {organisation}`.")
        raise Conflict(message.format(organisation=context.organisation["slug"]))
    data = await record(context)
    record_bytes = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode() + b"\n"
    head = data["events"][-1] if data["events"] else None
    manifest = {
        "format": "governance-manifest/1",
        "meeting": context.meeting["slug"],
        "files": {"record.json": canonical.sha256_hex(record_bytes)},
        "log_head": {"height": len(data["events"]), "hash": head["hash"] if head else canonical.GENESIS},
        "key": {
            "name": signer.name,
            "public_key": base64.b64encode(signer.public_key).decode(),
            "fingerprint": signer.fingerprint,
        },
        "exported_at": canonical.timestamp(dt.datetime.now(dt.UTC)),
    }
    files = {"record.json": record_bytes, **await _minutes_files(context)}
    manifest["files"] = {name: canonical.sha256_hex(content) for name, content in files.items()}
    manifest_bytes = canonical.canonical(manifest)
    _write(out, {**files, "manifest.json": manifest_bytes, "manifest.sig": signer.sign(manifest_bytes)})
    return manifest


async def _minutes_files(context: MeetingContext) -> dict[str, bytes]:
    """The latest signed (or published) minutes: their exact content, signatures, signed PDF."""
    from governance.minutes import services as minutes

    done = [v for v in await minutes.versions(context) if v["status"] in ("signed", "published")]
    if not done:
        return {}
    version = await minutes.get_version(context, done[-1]["version"])
    signatures = [
        {
            "office": s["office"],
            "person": s["person"],
            "acting": bool(s["acting"]),
            "name": s["name"],
            "fingerprint": s["fingerprint"],
            "signature": s["signature"],
            "certificate": s["certificate"],
            "signed_at": canonical.timestamp(s["signed_at"]),
            "pdf_sha256": s["pdf_sha256"],
        }
        for s in await minutes.signatures(context, version["version"], with_certificates=True)
    ]
    files = {
        "minutes.json": version["content"].encode(),
        "minutes-signatures.json": json.dumps(
            {"version": version["version"], "status": version["status"], "signatures": signatures},
            ensure_ascii=False, indent=1, sort_keys=True,
        ).encode(),
    }  # fmt: skip
    if version["pdf"]:
        files["minutes.pdf"] = bytes(version["pdf"])
    return files


def _write(out: Path, files: dict[str, bytes]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (out / name).write_bytes(content)
