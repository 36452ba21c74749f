"""Issue 15, item 4, on real databases through the HTTP API: the verifier re-decides every
motion. Void polls and a poll open at the export verify; a decision without a vote fails naming
the motion; a tie settled by a casting vote verifies, and fails once that vote is removed; a
fee marked unpaid after the meeting leaves its record valid (rights are those frozen at each
opening)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from governance import export
from governance.agenda.tables import Motion
from governance.db import writing
from governance.meetings.tables import Meeting
from governance.organisations import services as orgs
from governance.organisations.tables import Member
from governance.record import log
from tests.record_builder import jcs
from tests.support.polls import API, VOTERS, voter
from tests.support.polls import cast_ballot as _cast
from tests.support.polls import move_motion as _motion
from tests.support.polls import open_election_item as _election_item
from tests.support.polls import open_poll as _open
from tests.support.polls import open_sitting as _sitting
from tests.support.polls import set_board_rules as _rules
from tests.support.record import SLUG, fails_with, forge, load, run

AGENDA = "item 1, Adoption of the agenda"


async def _vote(make_client, poll: dict[str, Any], choices: dict[str, str]) -> None:
    for member, choice in choices.items():
        cast = await _cast(await voter(make_client, member), poll, member, choice)
        assert cast.status_code == 201, cast.text


async def test_void_and_open_polls_verify_then_the_close_decides(demo, make_client, tmp_path, capsys):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    first = await _open(chair, motion, "roll_call")
    await _vote(make_client, first, {m: "yes" for m in VOTERS[:3]})
    voided = await chair.send("POST", f"{API}/polls/{first['id']}/void", json={"reason": "text corrected"})
    assert voided.status_code == 200, voided.text
    second = await _open(chair, motion, "secret")
    await _vote(make_client, second, {m: "yes" for m in VOTERS[:12]})
    await export.export(SLUG, tmp_path / "open")
    status, out = run(capsys, tmp_path / "open")
    assert status == 0, out
    assert f"poll {first['id']} (motion {motion['id']}, round 1, roll_call, motion): void (text corrected)" in out
    heading = f"poll {second['id']} (motion {motion['id']}, round 2, secret, motion)"
    assert f"{heading}: open at export (12 of 15 voted), not counted" in out
    assert "0 decision(s), none without a vote" in out
    assert [m["status"] for m in load(tmp_path / "open")["motions"]] == ["voting"]
    closed = await chair.send("POST", f"{API}/polls/{second['id']}/close")
    assert closed.json()["outcome"] == "adopted", closed.text
    await export.export(SLUG, tmp_path / "closed")
    status, out = run(capsys, tmp_path / "closed")
    assert status == 0, out
    assert f"motion {motion['id']} ({AGENDA}): adopted as BoD-2012-01 by poll {second['id']} (event" in out
    assert f"the agenda adopted with motion {motion['id']} ({AGENDA}) OK" in out


async def test_a_decision_without_a_vote_fails_naming_the_motion(demo, make_client, tmp_path, capsys):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)  # put to the vote; no poll is ever opened
    await export.export(SLUG, tmp_path / "bundle")
    assert run(capsys, tmp_path / "bundle")[0] == 0
    # record.json edited (and re-signed) to say the motion was adopted.
    record = load(tmp_path / "bundle")
    record["motions"][0]["status"] = "adopted"
    await forge(tmp_path / "bundle", record)
    fails_with(
        capsys, f"motion {motion['id']} ({AGENDA}) is recorded adopted, but no vote decided it", tmp_path / "bundle"
    )
    # A server that adopts it without a vote: the log itself says so, and the verifier names it.
    async with writing():
        meeting = await Meeting.select(Meeting.id).where(Meeting.slug == SLUG).first()
        await Motion.update({Motion.status: "adopted"}).where(Motion.id == motion["id"])
        height = (
            await log.append(meeting["id"], "motion_adopted", None, motion=motion["id"], note=None, decision=None)
        )["height"]
    await export.export(SLUG, tmp_path / "declared")
    fails_with(
        capsys,
        f"motion {motion['id']} ({AGENDA}) is recorded adopted (event {height}), but no vote decided it",
        tmp_path / "declared",
    )


def _drop_event(record: dict[str, Any], kind: str) -> None:
    """Remove the first event of ``kind`` and re-chain those after it, as a forger would."""
    events = record["events"]
    index = next(i for i, e in enumerate(events) if json.loads(e["body"])["type"] == kind)
    del events[index]
    for position in range(index, len(events)):
        body = json.loads(events[position]["body"])
        body["height"] = position + 1
        body["parent"] = events[position - 1]["hash"]
        raw = jcs(body)
        events[position] = {"body": raw.decode(), "hash": hashlib.sha256(raw).hexdigest()}


async def test_a_tie_settled_by_the_casting_vote_verifies_and_fails_once_it_is_removed(
    demo, make_client, tmp_path, capsys
):
    await _rules(tie_rule="casting_vote", casting_vote_office="president")
    present = VOTERS[:14]
    desk, chair = await _sitting(make_client, present)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "roll_call")
    await _vote(make_client, poll, {m: ("yes" if i % 2 else "no") for i, m in enumerate(present)})
    closed = await chair.send("POST", f"{API}/polls/{poll['id']}/close")
    assert closed.json()["outcome"] == "tie_casting_vote", closed.text
    settled = await chair.send("POST", f"{API}/polls/{poll['id']}/casting-vote", json={"choice": "yes"})
    assert settled.status_code == 200, settled.text
    directory = tmp_path / "bundle"
    await export.export(SLUG, directory)
    status, out = run(capsys, directory)
    assert status == 0, out
    assert "tie, casting vote awaited" in out and "casting vote (president): yes -> adopted" in out
    assert f"motion {motion['id']} ({AGENDA}): adopted as BoD-2012-01 by the casting vote on poll {poll['id']}" in out
    record = load(directory)
    _drop_event(record, "casting_vote")
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["log_head"] = {"height": len(record["events"]), "hash": record["events"][-1]["hash"]}
    (directory / "manifest.json").write_bytes(jcs(manifest))
    await forge(directory, record)
    status, out = run(capsys, directory)
    assert status == 1, out
    assert f"FAILED: motion {motion['id']} ({AGENDA}) is recorded adopted (event" in out
    assert "but no vote decided it" in out


async def test_a_fee_marked_unpaid_after_the_meeting_leaves_the_record_valid(demo, make_client, tmp_path, capsys):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "roll_call")
    await _vote(make_client, poll, {m: "yes" for m in VOTERS})
    assert (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).json()["outcome"] == "adopted"
    await export.export(SLUG, tmp_path / "before")
    assert run(capsys, tmp_path / "before")[0] == 0
    berlin = await Member.select().where(Member.slug == "berlin").first()
    await orgs.set_fee(berlin, 2012, False)  # today, in the back office
    await export.export(SLUG, tmp_path / "after")
    record = load(tmp_path / "after")
    assert [m["votes"] for m in record["members"] if m["slug"] == "berlin"] == [False]  # today's data changed
    assert [m["votes"] for m in load(tmp_path / "before")["members"] if m["slug"] == "berlin"] == [True]
    status, out = run(capsys, tmp_path / "after")
    assert status == 0, out
    assert f"motion {motion['id']} ({AGENDA}): adopted as BoD-2012-01 by poll {poll['id']}" in out


async def test_an_election_in_rounds_is_decided_by_its_last_round(demo, make_client, tmp_path, capsys):
    desk, chair = await _sitting(make_client)
    item_id = await _election_item(make_client, desk, chair)  # the agenda adopted by a show of hands
    motion = await _motion(make_client, desk, chair, item_id=item_id, seats=2, text_fr="Élection de deux VP")
    for member in ("berlin", "milan", "lyon"):
        nominated = await chair.send("POST", f"{API}/motions/{motion['id']}/candidates", json={"member": member})
        assert nominated.status_code == 201, nominated.text
    ids = {m["slug"]: m["id"] for m in await Member.select(Member.slug, Member.id).where(
        Member.slug.is_in(["berlin", "milan", "lyon"]) & (Member.organisation.slug == "metropolis"))}  # fmt: skip
    b, m, ly = ids["berlin"], ids["milan"], ids["lyon"]
    first = await _open(chair, motion, "secret")
    marks = [f"{b},{m}"] * 5 + [f"{b},{ly}"] * 4 + [f"{m}"] * 2 + [f"{ly}"] * 2 + ["blank", f"{ly}"]
    await _vote(make_client, first, dict(zip(VOTERS, marks, strict=True)))
    assert (await chair.send("POST", f"{API}/polls/{first['id']}/close")).json()["outcome"] == "next_round"
    second = await _open(chair, motion, "secret")
    await _vote(make_client, second, {v: str(m) if i < 10 else str(ly) for i, v in enumerate(VOTERS)})
    assert (await chair.send("POST", f"{API}/polls/{second['id']}/close")).json()["outcome"] == "elected"
    await export.export(SLUG, tmp_path / "bundle")
    status, out = run(capsys, tmp_path / "bundle")
    assert status == 0, out
    assert "the agenda adopted with motion" in out
    name = f"motion {motion['id']} (item 9, Election of two Vice-Presidents)"
    assert f"{name}: adopted as BoD-2012-02 by poll {second['id']} (event" in out
    assert f"poll {first['id']} (event" not in out  # round 1 elected one of two: it decided nothing
