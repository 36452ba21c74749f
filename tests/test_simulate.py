"""``governance demo --simulate``: the Board meeting played through the services, from the
arrivals to the close; the record it leaves is checked against the database, and a second
run leaves it alone."""

from __future__ import annotations

import pytest

from governance.agenda.tables import AgendaItem, Motion, Recusal
from governance.demo import simulate
from governance.meetings.tables import Meeting, Presence, Proxy, QuorumCheck
from governance.organisations.tables import Member
from governance.polls.tables import Participation, Poll, PollElector, RollCallVote, SecretBallot
from governance.record.tables import MeetingEvent

SLUG = "metropolis-bod-2012"
TABLES = (Poll, PollElector, Participation, RollCallVote, SecretBallot, Presence, Proxy, Motion, Recusal,
          QuorumCheck, MeetingEvent, AgendaItem)  # fmt: skip


async def _snapshot() -> dict[str, object]:
    counts: dict[str, object] = {table._meta.tablename: await table.count() for table in TABLES}
    counts["meeting"] = await Meeting.select(Meeting.status, Meeting.agenda_adopted_at).where(Meeting.slug == SLUG)
    counts["items"] = await AgendaItem.select(AgendaItem.number, AgendaItem.status).order_by(AgendaItem.id)
    return counts


# 2012 is the default; 15 draws an objection to the minutes and rejects the amendment.
@pytest.mark.parametrize("seed", [simulate.DEFAULT_SEED, 15])
async def test_the_board_meeting_is_played_once_through_the_services(demo, seed):
    report = await simulate.play(seed)
    assert report.played, report.message
    meeting = await Meeting.select(Meeting.id, Meeting.status).where(Meeting.slug == SLUG).first()
    assert meeting["status"] == "closed"
    items = await AgendaItem.select(AgendaItem.status).where(AgendaItem.meeting == meeting["id"])
    assert {item["status"] for item in items} == {"closed"}

    # Most members arrived, a few did not: the quorum means something.
    arrived = await Presence.count().where(Presence.meeting == meeting["id"])
    assert 20 <= arrived < await Member.count().where(Member.organisation.slug == "metropolis")
    proxy = await Proxy.select().where(Proxy.meeting == meeting["id"]).first()
    assert proxy["accepted_at"] and proxy["validated_at"] and proxy["revoked_at"] is None
    # Recorded at the desk with the grantor's signed form, accepted by the holder itself.
    assert len(proxy["form_sha256"]) == 64 and proxy["grantor_confirmed_at"] is None
    assert proxy["accepted_by"] != proxy["created_by"] and proxy["accepted_in_room"] is False
    events = await MeetingEvent.select(MeetingEvent.payload).where(
        (MeetingEvent.meeting == meeting["id"]) & (MeetingEvent.kind == "attendance")
    )
    assert any(f'"sha256":"{proxy["form_sha256"]}"' in event["payload"] for event in events)

    polls = (
        await Poll.select(
            *Poll.all_columns(), Poll.motion.kind.as_alias("motion_kind"), Poll.motion.item.number.as_alias("item")
        )
        .where(Poll.meeting == meeting["id"])
        .order_by(Poll.id)
    )
    assert len(polls) >= 6 and all(poll["status"] == "closed" for poll in polls)
    methods = [(poll["item"], poll["motion_kind"], poll["method"]) for poll in polls if poll["outcome"] != "objection"]
    assert methods[0] == ("1", "main", "roll_call")
    assert methods[1][:2] == ("2", "main") and methods[1][2] in ("unanimous_consent", "show_of_hands")
    assert methods[2:] == [
        ("4", "amendment", "roll_call"),  # the amendment first
        ("4", "main", "secret"),
        ("5", "main", "secret"),
        ("7", "main", "show_of_hands"),
    ]
    assert [p.method for p in report.polls] == [poll["method"] for poll in polls]
    admission = next(poll for poll in polls if poll["item"] == "5")
    assert (admission["threshold_numerator"], admission["threshold_denominator"]) == (2, 3)

    # What each poll recorded is what its ballots say; every elector took part.
    for poll in polls:
        electors = await PollElector.select(PollElector.weight).where(PollElector.poll == poll["id"])
        if poll["method"] in ("roll_call", "secret"):
            table = SecretBallot if poll["method"] == "secret" else RollCallVote
            ballots = await table.select(table.choice, table.weight).where(table.poll == poll["id"])
            for choice in ("yes", "no", "abstain"):
                assert poll[choice] == sum(b["weight"] for b in ballots if b["choice"] == choice), (poll, choice)
            assert len(ballots) == poll["electorate_size"] == len(electors)
            assert await Participation.count().where(Participation.poll == poll["id"]) == len(electors)
        elif poll["method"] == "show_of_hands":
            assert poll["tellers"]
            assert poll["yes"] + poll["no"] + poll["abstain"] == sum(e["weight"] for e in electors)
        else:
            assert poll["yes"] is None and poll["outcome"] in ("adopted", "objection")

    # A proxy holder cast the vote of the member it represents.
    by_proxy = await PollElector.select(PollElector.poll, PollElector.member, PollElector.voter).where(
        PollElector.proxy_holder.is_not_null()
    )
    assert by_proxy and all(row["member"] == proxy["grantor"] for row in by_proxy)
    cast_by_holder = [
        row
        for row in by_proxy
        if await Participation.exists().where(
            (Participation.poll == row["poll"])
            & (Participation.member == row["member"])
            & (Participation.person == row["voter"])
        )
    ]
    assert cast_by_holder

    # Guangzhou's recusal kept it out of the budget polls, and only those.
    recusal = await Recusal.select(Recusal.member, Recusal.item.number.as_alias("item")).first()
    assert recusal["item"] == "4"
    for poll in polls:
        recused_voted = await PollElector.exists().where(
            (PollElector.poll == poll["id"]) & (PollElector.member == recusal["member"])
        )
        assert recused_voted == (poll["item"] != "4"), poll

    # Adopted decisions are numbered BoD-2012-01, 02... in the order they were taken.
    decided = (
        await Motion.select(Motion.decision_number, Motion.decision_sequence, Motion.kind)
        .where((Motion.meeting == meeting["id"]) & (Motion.status == "adopted"))
        .order_by(Motion.status_changed_at)
    )
    numbered = [m for m in decided if m["kind"] != "amendment"]
    assert [m["decision_number"] for m in numbered] == [f"BoD-2012-{n:02d}" for n in range(1, len(numbered) + 1)]
    assert all(m["decision_number"] is None for m in decided if m["kind"] == "amendment")
    assert [d.split(" ")[0] for d in report.decisions] == [m["decision_number"] for m in numbered]
    assert "BoD-2012-01" in "\n".join(simulate.summary(report))

    # Played once: the second run says so and changes nothing.
    before = await _snapshot()
    again = await simulate.play(seed)
    assert not again.played and "already been played" in again.message
    assert await _snapshot() == before


async def test_a_meeting_under_way_is_left_alone(demo):
    from governance.meetings import attendance
    from governance.meetings import services as meetings

    desk = await simulate.principal_for(simulate.SECRETARIAT)
    await attendance.check_in(await meetings.meeting_context(SLUG, desk), desk, "berlin")
    before = await _snapshot()
    report = await simulate.play()
    assert not report.played and "under way" in report.message
    assert await _snapshot() == before
