"""The facts of the minutes, drafted from the record, never retyped (issue: minutes, point 1).

``gather`` reads what happened (meeting, attendance, quorum checks, agenda, motions as
finally voted, amendments, polls and their arithmetic, decisions, casting votes, recusals,
speakers, the log) and returns plain JSON-ready data. Times are UTC strings; the templates
show them in the meeting's time zone. The facts are locked: the secretary corrects them only
by correcting the record through its own actions, then drafting again.
"""

from __future__ import annotations

import json
from typing import Any

from governance.accounts.tables import Person
from governance.agenda import services as agenda
from governance.agenda.tables import AgendaItem, MotionText, Recusal, SpeakerRequest
from governance.db import reading
from governance.meetings import attendance
from governance.meetings.services import MeetingContext
from governance.meetings.tables import QuorumCheck
from governance.organisations.tables import Member
from governance.polls.tables import Poll, RollCallVote
from governance.polls.wording import election_round
from governance.record.canonical import timestamp
from governance.record.tables import MeetingEvent

Row = dict[str, Any]


def _when(value: Any) -> str | None:
    return timestamp(value) if value is not None else None


def _in_languages(row: Row, field: str) -> dict[str, str]:
    """``row``'s ``field`` in each language it has (``name_en``, ``name_fr``...)."""
    return {code: row[f"{field}_{code}"] for code in ("en", "fr", "es") if row.get(f"{field}_{code}")}


def _quorum(row: Row) -> Row:
    return {
        "at": _when(row["at"]),
        "convocation": row["convocation"],
        "present": row["present"],
        "remote": row["remote"],
        "represented": row["represented"],
        "counted": row["counted"],
        "total": row["total"],
        "required": row["required"],
        "met": row["met"],
    }


async def gather(context: MeetingContext) -> Row:
    statutes = context.statutes
    meeting_id, language = context.meeting["id"], statutes.authoritative_language.value if statutes else "en"
    register = await attendance.load_register(context)
    async with reading():
        events = (
            await MeetingEvent.select(MeetingEvent.kind, MeetingEvent.at, MeetingEvent.height, MeetingEvent.hash)
            .where(MeetingEvent.meeting == meeting_id)
            .order_by(MeetingEvent.height)
        )
        checks = await QuorumCheck.select().where(QuorumCheck.meeting == meeting_id).order_by(QuorumCheck.id)
        items = await AgendaItem.select().where(AgendaItem.meeting == meeting_id)
        recusals = await Recusal.select(Recusal.item, Recusal.reason, Recusal.member.name.as_alias("member")).where(
            Recusal.meeting == meeting_id
        )
        speakers = await SpeakerRequest.select(
            SpeakerRequest.item,
            SpeakerRequest.given_at,
            SpeakerRequest.ended_at,
            SpeakerRequest.person.full_name.as_alias("name"),
            SpeakerRequest.member.name.as_alias("member"),
        ).where((SpeakerRequest.meeting == meeting_id) & SpeakerRequest.given_at.is_not_null())
        polls = await Poll.select().where(Poll.meeting == meeting_id).order_by(Poll.id)
        secretary = (
            await Person.select(Person.full_name).where(Person.id == context.meeting["secretary"]).first()
            if context.meeting["secretary"]
            else None
        )
        member_names = {r["id"]: r["name"] for r in await Member.select(Member.id, Member.name)}
        # Roll calls name who voted how (secret ballots never do: they have no member).
        roll_polls = [p["id"] for p in polls if p["method"] == "roll_call"]
        roll_votes = (
            await RollCallVote.select(RollCallVote.poll, RollCallVote.member, RollCallVote.choice, RollCallVote.weight)
            .where(RollCallVote.poll.is_in(roll_polls))
            .order_by(RollCallVote.id)
            if roll_polls
            else []
        )
    opened = next((e["at"] for e in events if e["kind"] == "meeting_open"), None)
    closed = next((e["at"] for e in reversed(events) if e["kind"] == "meeting_closed"), None)
    opening = [c for c in checks if opened is not None and c["at"] <= opened]
    chair = context.chair
    motions = await agenda.list_motions(context)
    # The texts as moved (version 1): the story of an amended motion starts from them.
    original: dict[int, dict[str, str]] = {}
    if motions:
        async with reading():
            for text in await MotionText.select(MotionText.motion, MotionText.language, MotionText.text).where(
                MotionText.motion.is_in([m["id"] for m in motions]) & (MotionText.version == 1)
            ):
                original.setdefault(text["motion"], {})[text["language"]] = text["text"]
    by_item: dict[int, list[Row]] = {}
    for motion in motions:
        by_item.setdefault(motion["item"], []).append(motion)
    polls_by_motion: dict[int, list[Row]] = {}
    roll: dict[int, list[Row]] = {}
    for vote in roll_votes:
        roll.setdefault(vote["poll"], []).append(
            {"member": member_names.get(vote["member"], str(vote["member"])), "choice": vote["choice"],
             "weight": vote["weight"]}
        )  # fmt: skip
    for poll in polls:
        poll["roll"] = sorted(roll.get(poll["id"], []), key=lambda v: v["member"])
        polls_by_motion.setdefault(poll["motion"], []).append(poll)
    facts: Row = {
        "organisation": {
            "slug": context.organisation["slug"],
            "name": context.organisation[f"name_{language}"] or context.organisation["name_en"],
            "names": _in_languages(context.organisation, "name"),
        },
        "body": {
            "slug": context.body["slug"],
            "name": context.body.get(f"name_{language}") or context.body["name_en"],
            "names": _in_languages(context.body, "name"),
        },
        "meeting": {
            "slug": context.meeting["slug"],
            "title": context.meeting.get(f"title_{language}") or context.meeting["title_en"],
            "titles": _in_languages(context.meeting, "title"),
            "kind": context.meeting["kind"],
            "mode": context.meeting["mode"],
            "venue": context.meeting["venue"],
            "time_zone": context.meeting["time_zone"],
            "starts_at": _when(context.meeting["starts_at"]),
            "convened_at": _when(context.meeting["convened_at"]),
            "convocation": context.meeting["convocation"],
            "notice_days": statutes.notice_days if statutes else None,
            "notice_article": statutes.notice_article if statutes else None,
            "opened_at": _when(opened),
            "closed_at": _when(closed),
        },
        "language": language,
        "chair": (
            {
                "name": chair.get("person_name") or "",
                "member": member_names.get(chair["member"], ""),
                "office": chair["office"],
                "acting": chair.get("acting_office"),
            }
            if chair
            else None
        ),
        "secretary": {"name": secretary["full_name"]} if secretary else None,
        # Who signs, as the log froze the offices for this meeting (offices_fixed).
        "signatories": [
            {"office": office, "name": held["name"] if held else None, "acting": bool(held and held["acting"])}
            for office in (context.offices or {}).get("signatories", [])
            for held in [context.offices["offices"].get(office) if context.offices else None]
        ],
        "attendance": [
            {
                "member": line.slug,
                "name": line.name,
                "state": line.state,
                "votes": line.votes,
                "representative": line.representative,
                "proxy_to": line.proxy_to,
            }
            for line in register.lines
        ],
        "quorum": {
            "opening": _quorum(opening[-1]) if opening else None,
            "polls": [
                {"poll": p["id"], "counted": p["quorum_counted"], "required": p["quorum_required"]} for p in polls
            ],
        },
        "items": [
            {
                "number": item["number"],
                "title": item.get(f"title_{language}") or item["title_en"],
                "titles": _in_languages(item, "title"),
                "kind": item["kind"],
                "status": item["status"],
                "rapporteur": item["rapporteur"],
                "recusals": [
                    {"member": r["member"], "reason": r["reason"]} for r in recusals if r["item"] == item["id"]
                ],
                "speakers": [
                    {"name": s["name"], "member": s["member"], "from": _when(s["given_at"]), "to": _when(s["ended_at"])}
                    for s in speakers
                    if s["item"] == item["id"]
                ],
                "motions": [
                    _motion(m, language, polls_by_motion.get(m["id"], []), member_names, original.get(m["id"], {}))
                    for m in by_item.get(item["id"], [])
                ],
            }
            for item in sorted(items, key=lambda i: agenda.item_order(i["number"]))
        ],
        "decisions": [
            {"number": m["decision_number"], "text": agenda.text_in(m, m["authoritative_language"])}
            for m in sorted(motions, key=lambda m: m["decision_sequence"] or 0)
            if m["decision_number"]
        ],
        "annex": {
            "log_head": {"height": events[-1]["height"], "hash": events[-1]["hash"]} if events else None,
            "polls": [
                {"poll": p["id"], "merkle_root": p["merkle_root"], "participation_hash": p["participation_hash"]}
                for p in polls
                if p["status"] == "closed" and p["merkle_root"]
            ],
        },
    }
    return facts


def _motion(motion: Row, language: str, polls: list[Row], names: dict[int, str], moved: dict[str, str]) -> Row:
    return {
        "id": motion["id"],
        "kind": motion["kind"],
        "procedure": motion["procedure"],
        "amends": motion["amends"],
        "text": agenda.text_in(motion, motion["authoritative_language"]),
        "language": motion["authoritative_language"],
        # The final text in each language it has (the document shows its own language's), and
        # the text as moved when it was amended since.
        "texts": {t["language"]: t["text"] for t in motion["texts"]},
        "version": motion["version"],
        "moved": moved if motion["version"] != 1 else {},
        "status": motion["status"],
        "decision_number": motion["decision_number"],
        "mover": motion.get("mover_name"),
        "seconder": motion.get("seconder_name"),
        "note": motion["outcome_note"],
        "polls": [
            {
                "id": p["id"],
                "round": p["round"],
                "method": p["method"],
                "status": p["status"],
                "yes": p["yes"],
                "no": p["no"],
                "abstain": p["abstain"],
                "blank": p["blank"],
                "outcome": p["outcome"],
                "arithmetic": p["arithmetic"],
                "tellers": p["tellers"],
                "objection": p["objection"],
                "void_reason": p["void_reason"],
                "casting_vote": p["casting_vote"],
                "casting_vote_office": p["casting_vote_office"],
                "elected": [names.get(c, str(c)) for c in json.loads(p["elected"] or "[]")],
                "quorum": {"counted": p["quorum_counted"], "required": p["quorum_required"]},
                # The numbers the arithmetic is made of, so the minutes say it in their language.
                "threshold_numerator": p["threshold_numerator"],
                "threshold_denominator": p["threshold_denominator"],
                "strict": p["strict"],
                "base": p["base"],
                "tie_rule": p["tie_rule"],
                "present_weight": p["present_weight"],
                "represented_weight": p["represented_weight"],
                "members_weight": p["members_weight"],
                "electorate_size": p["electorate_size"],
                "motion_kind": motion["kind"],
                # An election round's facts (tally, elected, tie, next round), said in the minutes' language.
                "kind": p["kind"],
                "election": election_round(p, names),
                "roll": p.get("roll") or [],
            }
            for p in polls
        ],
    }
