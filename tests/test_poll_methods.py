"""Every way of taking a vote, through the HTTP API on the demo Board meeting: show of hands
(tellers), unanimous consent (objections), elections in rounds, blank and changeable
ballots, weighted votes and the secrecy warning, void rounds, the casting vote of an office."""

from __future__ import annotations

import datetime as dt
import json

from governance.organisations.tables import Member
from governance.polls import store
from governance.polls.tables import Participation, Poll, RollCallVote
from tests.support.polls import API, VOTERS, token, voter
from tests.support.polls import cast_ballot as _cast
from tests.support.polls import move_motion as _motion
from tests.support.polls import open_election_item as _election_item
from tests.support.polls import open_poll as _open
from tests.support.polls import open_sitting as _sitting
from tests.support.polls import set_board_rules as _rules


async def test_show_of_hands_counted_by_named_tellers(demo, make_client):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "show_of_hands")
    assert poll["method"] == "show_of_hands" and poll["electorate"] == 15
    refused = await _cast(await voter(make_client, "berlin"), poll, "berlin", "yes")
    assert refused.status_code == 409 and "not cast on tablets" in refused.json()["detail"]
    url = f"{API}/polls/{poll['id']}/close"
    missing = await chair.send("POST", url, json={"yes": 9, "no": 3, "abstain": 1})
    assert missing.status_code == 422 and missing.json()["detail"] == "Name the tellers who counted the hands."
    too_many = await chair.send("POST", url, json={"yes": 12, "no": 3, "abstain": 1, "tellers": "A. Teller"})
    assert too_many.status_code == 422
    assert too_many.json()["detail"] == "The counts add up to 16, more than the 15 votes of the electorate."
    assert (await Poll.select(Poll.status).first())["status"] == "open"  # nothing changed
    closed = await chair.send("POST", url, json={"yes": 9, "no": 3, "abstain": 1, "tellers": "Ana Ruiz, Li Wei"})
    assert closed.status_code == 200, closed.text
    result = closed.json()
    assert (result["yes"], result["no"], result["abstain"], result["outcome"]) == (9, 3, 1, "adopted")
    assert result["tellers"] == "Ana Ruiz, Li Wei"
    assert result["arithmetic"].startswith("more than 1/2 of 12 (cast excluding abstentions) = 7; yes 9, no 3")
    assert result["arithmetic"].endswith("counted by Ana Ruiz, Li Wei")


async def test_one_objection_ends_unanimous_consent_and_the_next_call_is_a_new_round(demo, make_client):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "unanimous_consent")
    berlin = await voter(make_client, "berlin")
    refused = await berlin.send("POST", f"{API}/polls/{poll['id']}/objection", json={"member": "seoul"})
    assert refused.status_code == 403 and "You do not speak for Seoul" in refused.json()["detail"]
    objected = await berlin.send("POST", f"{API}/polls/{poll['id']}/objection", json={"member": "berlin"})
    assert objected.status_code == 200, objected.text
    assert (objected.json()["outcome"], objected.json()["objection"]) == ("objection", "Berlin")
    # The motion still waits for a decision: the chair now takes a real vote (round 2).
    again = await _open(chair, motion, "unanimous_consent")
    assert again["round"] == 2
    closed = (await chair.send("POST", f"{API}/polls/{again['id']}/close")).json()
    assert closed["outcome"] == "adopted"
    assert closed["arithmetic"] == "No objection among 15 members entitled to vote: adopted by unanimous consent."
    late = await berlin.send("POST", f"{API}/polls/{again['id']}/objection", json={"member": "berlin"})
    assert late.status_code == 409 and late.json()["detail"].startswith("The poll closed at ")
    motion_now = (await chair.get(f"{API}/motions/{motion['id']}")).json()
    assert (motion_now["status"], motion_now["decision_number"]) == ("adopted", "BoD-2012-01")


async def test_blank_ballots_and_changing_a_secret_ballot_until_the_close(demo, make_client):
    await _rules(blank_ballots_distinct=True, ballots_changeable=True)
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "secret")
    assert poll["options"] == ["yes", "no", "abstain", "blank"] and poll["changeable"]
    clients = {m: await voter(make_client, m) for m in VOTERS}
    first: dict[str, str] = {}
    for member in VOTERS:
        first[member] = token()
        choice = "blank" if member == "rabat" else "no"
        cast = await _cast(clients[member], poll, member, choice, token=first[member])
        assert cast.status_code == 201, cast.text
    # Eight change their minds: only the device holding the first token can change a secret ballot.
    refused = await _cast(clients["berlin"], poll, "berlin", "yes")
    assert refused.status_code == 409 and "use the change button on its receipt" in refused.json()["detail"]
    for member in VOTERS[:8]:
        changed = await _cast(clients[member], poll, member, "yes", previous=first[member])
        assert changed.status_code == 201, changed.text
    assert len(await store.open_ballots(poll["id"])) == 15 and await Participation.count() == 15
    closed = (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).json()
    assert (closed["yes"], closed["no"], closed["abstain"], closed["blank"]) == (8, 6, 0, 1)
    # A blank ballot is never a vote cast: more than 1/2 of 14 = 8.
    assert closed["arithmetic"].startswith("more than 1/2 of 14 (cast excluding abstentions) = 8; yes 8, no 6")
    assert closed["outcome"] == "adopted"
    late = await _cast(clients["milan"], poll, "milan", "yes", previous=first["milan"])
    assert late.status_code == 409


async def test_a_roll_call_ballot_changes_without_a_new_row(demo, make_client):
    await _rules(ballots_changeable=True)
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "roll_call")
    berlin = await voter(make_client, "berlin")
    assert (await _cast(berlin, poll, "berlin", "no")).status_code == 201
    assert (await _cast(berlin, poll, "berlin", "yes")).status_code == 201
    assert await RollCallVote.select(RollCallVote.choice) == [{"choice": "yes"}]
    assert await Participation.count() == 1


async def test_weights_count_and_a_unique_weight_warns_the_chair(demo, make_client):
    await _rules(weighted_votes=True)
    await Member.update({Member.vote_weight: 3}).where(Member.slug == "guangzhou")
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "secret")
    assert "Weights 3 are each held by one member only" in poll["secrecy_warning"]
    electors = await Poll.select(Poll.present_weight, Poll.members_weight).first()
    assert electors["present_weight"] == 17  # 14 members with 1 vote, Guangzhou with 3
    for member in VOTERS:
        choice = "no" if member in ("guangzhou", "berlin") else "yes"
        assert (await _cast(await voter(make_client, member), poll, member, choice)).status_code == 201
    closed = (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).json()
    assert (closed["yes"], closed["no"]) == (13, 4)
    ballots = (await desk.get(f"{API}/polls/{poll['id']}/ballots")).json()
    assert sorted(b["weight"] for b in ballots) == [1] * 14 + [3]


async def test_a_recusal_voids_the_open_poll_and_the_next_is_a_new_round(demo, make_client):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "roll_call")
    berlin = await voter(make_client, "berlin")
    assert (await _cast(berlin, poll, "berlin", "yes")).status_code == 201
    seoul = await voter(make_client, "seoul")
    recused = await seoul.send(
        "POST", f"{API}/agenda/items/{motion['item']}/recusals", json={"reason": "Seoul is a party to the contract"}
    )
    assert recused.status_code == 201, recused.text
    void = (await chair.get(f"{API}/polls/{poll['id']}")).json()
    assert (void["status"], void["void_reason"]) == ("void", "recusal declared")
    late = await _cast(await voter(make_client, "milan"), poll, "milan", "yes")
    assert late.status_code == 409
    assert late.json()["detail"] == "This vote was declared void (recusal declared): your ballot was not recorded."
    again = await _open(chair, motion, "roll_call")
    assert again["round"] == 2 and again["electorate"] == 14  # Seoul is out
    # The chair can void by hand too, with a reason.
    assert (await chair.send("POST", f"{API}/polls/{again['id']}/void", json={"reason": ""})).status_code == 400
    voided = await chair.send("POST", f"{API}/polls/{again['id']}/void", json={"reason": "wrong text projected"})
    assert voided.status_code == 200 and voided.json()["status"] == "void"
    events = [e["kind"] for e in (await desk.get(f"{API}/log")).json()]
    assert events.count("poll_voided") == 2


async def test_a_tie_waits_for_the_casting_vote_of_the_office_the_statutes_name(demo, make_client):
    await _rules(tie_rule="casting_vote", casting_vote_office="president")
    present = VOTERS[:14]
    desk, chair = await _sitting(make_client, present)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "secret")
    for i, member in enumerate(present):
        choice = "yes" if i % 2 else "no"
        assert (await _cast(await voter(make_client, member), poll, member, choice)).status_code == 201
    closed = (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).json()
    assert closed["outcome"] == "tie_casting_vote"
    berlin = await voter(make_client, "berlin")
    refused = await berlin.send("POST", f"{API}/polls/{poll['id']}/casting-vote", json={"choice": "yes"})
    assert refused.status_code == 403
    bad = await chair.send("POST", f"{API}/polls/{poll['id']}/casting-vote", json={"choice": "abstain"})
    assert bad.status_code == 422
    settled = await chair.send("POST", f"{API}/polls/{poll['id']}/casting-vote", json={"choice": "yes"})
    assert settled.status_code == 200, settled.text
    result = settled.json()
    assert (result["outcome"], result["casting_vote"]) == ("adopted", "yes")
    assert result["arithmetic"].endswith("casting vote (president): yes: adopted")
    twice = await chair.send("POST", f"{API}/polls/{poll['id']}/casting-vote", json={"choice": "no"})
    assert twice.status_code == 409
    assert "casting_vote" in [e["kind"] for e in (await desk.get(f"{API}/log")).json()]


async def test_an_election_in_rounds_until_the_seats_are_filled(demo, make_client):
    desk, chair = await _sitting(make_client)
    item_id = await _election_item(make_client, desk, chair)
    motion = await _motion(
        make_client, desk, chair, item_id=item_id, seats=2, text_fr="Élection de deux vice-présidents"
    )
    url = f"{API}/motions/{motion['id']}/candidates"
    no_one = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"], "method": "secret"})
    assert no_one.status_code == 409 and no_one.json()["detail"] == "Register the candidates first."
    for member in ("berlin", "milan", "lyon"):
        assert (await chair.send("POST", url, json={"member": member})).status_code == 201
    twice = await desk.send("POST", url, json={"member": "berlin"})
    assert twice.status_code == 409 and twice.json()["detail"] == "Berlin is already a candidate."
    unknown = await desk.send("POST", url, json={"member": "atlantis"})
    assert unknown.status_code == 422
    roll_call = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"], "method": "roll_call"})
    assert roll_call.status_code == 409 and "secret ballot for elections" in roll_call.json()["detail"]
    poll = await _open(chair, motion, "secret")
    ids = {m["slug"]: m["id"] for m in await Member.select(Member.slug, Member.id).where(
        Member.slug.is_in(["berlin", "milan", "lyon"]) & (Member.organisation.slug == "metropolis"))}  # fmt: skip
    b, m, ly = ids["berlin"], ids["milan"], ids["lyon"]
    assert sorted(int(o) for o in poll["options"]) == sorted(ids.values()) and poll["seats"] == 2
    clients = {v: await voter(make_client, v) for v in VOTERS}
    too_many = await _cast(clients["paris-idf"], poll, "paris-idf", f"{b},{m},{ly}")
    assert too_many.status_code == 422 and too_many.json()["detail"] == "Mark at most 2 candidate(s)."
    stranger = await _cast(clients["paris-idf"], poll, "paris-idf", "999999")
    assert (
        stranger.status_code == 422
        and stranger.json()["detail"] == "Mark only the candidates on the ballot, each once."
    )
    # Round 1: 15 ballots, 14 valid (one blank): more than half of 14 = 8.
    # Berlin 9 is elected; Milan 7 and Lyon 7 are short: one seat goes to round 2.
    marks = [f"{b},{m}"] * 5 + [f"{b},{ly}"] * 4 + [f"{m}"] * 2 + [f"{ly}"] * 2 + ["blank", f"{ly}"]
    for voter_slug, choice in zip(VOTERS, marks, strict=True):
        assert (await _cast(clients[voter_slug], poll, voter_slug, choice)).status_code == 201
    first = (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).json()
    assert first["tally"] == {str(b): 9, str(m): 7, str(ly): 7}
    assert (first["outcome"], first["elected"], first["blank"]) == ("next_round", ["Berlin"], 1)
    assert "elected Berlin; 1 seat(s) to fill in round 2" in first["arithmetic"]
    # Round 2: Milan and Lyon for the last seat; Berlin no longer stands.
    second = await _open(chair, motion, "secret")
    assert second["round"] == 2 and second["seats"] == 1
    assert sorted(int(o) for o in second["options"]) == sorted([m, ly])
    for i, voter_slug in enumerate(VOTERS):
        choice = str(m) if i < 10 else str(ly)
        assert (await _cast(clients[voter_slug], second, voter_slug, choice)).status_code == 201
    done = (await chair.send("POST", f"{API}/polls/{second['id']}/close")).json()
    assert (done["outcome"], done["elected"]) == ("elected", ["Milan"])
    motion_now = (await chair.get(f"{API}/motions/{motion['id']}")).json()
    assert motion_now["status"] == "adopted" and motion_now["outcome_note"].startswith("Elected: Berlin, Milan")
    stored = await Poll.select(Poll.round, Poll.elected).where(Poll.motion == motion["id"]).order_by(Poll.round)
    assert [json.loads(r["elected"]) for r in stored] == [[b], [m]]


async def test_no_vote_when_candidates_do_not_outnumber_seats(demo, make_client):
    desk, chair = await _sitting(make_client)
    item_id = await _election_item(make_client, desk, chair, "Election of the Treasurer")
    motion = await _motion(make_client, desk, chair, item_id=item_id, text_fr="Élection du trésorier")
    url = f"{API}/motions/{motion['id']}/candidates"
    for member in ("barcelona", "montreal"):
        assert (await chair.send("POST", url, json={"member": member})).status_code == 201
    early = await chair.send("POST", f"{API}/motions/{motion['id']}/elect-unopposed")
    assert early.status_code == 409 and early.json()["detail"] == "There are more candidates than seats: hold the vote."
    withdrawn = await chair.send("POST", f"{url}/montreal/withdraw")
    assert withdrawn.status_code == 200
    assert [(c["member"], c["withdrawn"]) for c in withdrawn.json()] == [("barcelona", False), ("montreal", True)]
    refused = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"], "method": "secret"})
    assert refused.status_code == 409 and "elect them without a vote (Art. 12 (demo))" in refused.json()["detail"]
    elected = await chair.send("POST", f"{API}/motions/{motion['id']}/elect-unopposed")
    assert elected.status_code == 200, elected.text
    assert elected.json()["status"] == "adopted"
    assert elected.json()["note"].endswith("Barcelona")
    assert await Poll.count().where(Poll.motion == motion["id"]) == 0


def _field(html: str, name: str) -> str:
    return html.split(f'name="{name}" value="')[1].split('"')[0]


async def test_the_pages_election_ballot_show_of_hands_and_changing_a_ballot(demo, make_client):
    """The same flows as a chair on the console and a member on a tablet see them."""
    # An election is also a personal matter: both clauses off, the chair may take a roll call.
    await _rules(ballots_changeable=True, secret_ballot_for_elections=False, secret_ballot_for_personal_matters=False)
    desk, chair = await _sitting(make_client)
    await chair.page_login("paris-idf@metropolis.demo")
    slug = API.rsplit("/", 1)[1]
    # The agenda is adopted by a show of hands entered on the console.
    item = await chair.send(
        "POST", f"{API}/agenda/items", json={"number": "9", "title_en": "Election", "kind": "election",
                                              "decision_type": "election"},
    )  # fmt: skip
    agenda = await _motion(make_client, desk, chair)
    console = await chair.get(f"/meetings/{slug}/console")
    assert "Vote by show of hands" in console.text and "Ask for unanimous consent" in console.text
    await chair.post_form(f"/meetings/{slug}/polls", {"motion": str(agenda["id"]), "method": "show_of_hands",
                                                      "back": "console"})  # fmt: skip
    console = await chair.get(f"/meetings/{slug}/console")
    assert "The tellers&#39; counts" in console.text or "The tellers' counts" in console.text
    hands = (await chair.get(f"{API}/polls")).json()[-1]
    bad = await chair.post_form(
        f"/meetings/{slug}/polls/{hands['id']}/close", {"yes": "14", "no": "1", "abstain": "0", "back": "console"}
    )
    assert bad.status_code == 422 and "Name the tellers who counted the hands." in bad.text
    assert 'value="14"' in bad.text  # what was typed stays
    done = await chair.post_form(
        f"/meetings/{slug}/polls/{hands['id']}/close",
        {"yes": "14", "no": "1", "abstain": "0", "tellers": "Ana Ruiz", "back": "console"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    await chair.send("POST", f"{API}/agenda/items/{agenda['item']}/close")
    await chair.send("POST", f"{API}/agenda/items/{item.json()['id']}/open")
    election = await _motion(make_client, desk, chair, item_id=item.json()["id"], seats=2, text_fr="Élection")
    for member in ("berlin", "milan", "lyon"):
        await chair.post_form(
            f"/meetings/{slug}/motions/{election['id']}/candidates", {"member": member, "back": "console"}
        )
    console = await chair.get(f"/meetings/{slug}/console")
    assert "Candidates:" in console.text and "Withdraw Berlin" in console.text
    await chair.post_form(f"/meetings/{slug}/polls", {"motion": str(election["id"]), "method": "roll_call",
                                                      "back": "console"})  # fmt: skip
    poll = (await chair.get(f"{API}/polls")).json()[-1]
    assert poll["kind"] == "election"
    tablet = make_client()
    await tablet.page_login("guangzhou@metropolis.demo")
    page = await tablet.get(f"/meetings/{slug}")
    assert 'type="checkbox" name="candidate"' in page.text and "Mark 2 candidates at most" in page.text
    berlin, milan = sorted(int(o) for o in poll["options"])[:2]
    names = {
        m["id"]: m["name"] for m in await Member.select(Member.id, Member.name).where(Member.id.is_in([berlin, milan]))
    }
    confirm = await tablet.post_form(
        f"/meetings/{slug}/polls/{poll['id']}/confirm", {"member": "guangzhou", "candidate": [str(berlin), str(milan)]}
    )
    assert f"You are voting {names[berlin]}, {names[milan]} for Guangzhou." in confirm.text
    receipt = await tablet.post_form(
        f"/meetings/{slug}/polls/{poll['id']}/ballots",
        {"member": "guangzhou", "choice": _field(confirm.text, "choice"), "token": _field(confirm.text, "token")},
    )
    assert "Your vote is recorded." in receipt.text and "Change my vote" in receipt.text
    assert "The statutes let a ballot be changed until the vote closes (Art. 11.12 (demo))." in receipt.text
    change = await tablet.post_form(
        f"/meetings/{slug}/polls/{poll['id']}/change",
        {"member": "guangzhou", "previous": _field(receipt.text, "previous")},
    )
    assert "Change your vote" in change.text
    confirm = await tablet.post_form(
        f"/meetings/{slug}/polls/{poll['id']}/confirm",
        {"member": "guangzhou", "candidate": str(milan), "previous": _field(change.text, "previous")},
    )
    assert f"You are voting {names[milan]} for Guangzhou." in confirm.text
    again = await tablet.post_form(
        f"/meetings/{slug}/polls/{poll['id']}/ballots",
        {"member": "guangzhou", "choice": _field(confirm.text, "choice"), "token": _field(confirm.text, "token"),
         "previous": _field(confirm.text, "previous")},
    )  # fmt: skip
    assert "Your vote is recorded." in again.text
    assert await RollCallVote.select(RollCallVote.choice).where(RollCallVote.poll == poll["id"]) == [
        {"choice": str(milan)}
    ]
    too_many = await tablet.post_form(
        f"/meetings/{slug}/polls/{poll['id']}/confirm",
        {"member": "guangzhou", "candidate": [str(c) for c in sorted(int(o) for o in poll["options"])]},
    )
    assert too_many.status_code == 422 and "Mark at most 2 candidate(s)." in too_many.text


async def test_a_tied_runoff_is_settled_by_the_casting_vote_and_recorded(demo, make_client):
    await _rules(
        tie_rule="casting_vote", casting_vote_office="president", election_method="runoff_top_two",
        secret_ballot_for_elections=False, secret_ballot_for_personal_matters=False,
    )  # fmt: skip
    present = VOTERS[:14]
    desk, chair = await _sitting(make_client, present)
    item_id = await _election_item(make_client, desk, chair, "Election of the Treasurer", present=present)
    motion = await _motion(make_client, desk, chair, item_id=item_id, text_fr="Élection du trésorier")
    for member in ("berlin", "milan", "lyon"):
        await chair.send("POST", f"{API}/motions/{motion['id']}/candidates", json={"member": member})
    ids = {m["slug"]: m["id"] for m in await Member.select(Member.slug, Member.id).where(
        Member.slug.is_in(["berlin", "milan", "lyon"]) & (Member.organisation.slug == "metropolis"))}  # fmt: skip
    clients = {v: await voter(make_client, v) for v in present}
    first = await _open(chair, motion, "roll_call")
    marks = ["berlin"] * 6 + ["milan"] * 5 + ["lyon"] * 3
    for slug, mark in zip(present, marks, strict=True):
        assert (await _cast(clients[slug], first, slug, str(ids[mark]))).status_code == 201
    counted = (await chair.send("POST", f"{API}/polls/{first['id']}/close")).json()
    assert counted["outcome"] == "next_round" and counted["elected"] == []
    runoff = await _open(chair, motion, "roll_call")
    assert sorted(int(o) for o in runoff["options"]) == sorted([ids["berlin"], ids["milan"]])
    for i, slug in enumerate(present):
        assert (await _cast(clients[slug], runoff, slug, str(ids["berlin" if i % 2 else "milan"]))).status_code == 201
    tied = (await chair.send("POST", f"{API}/polls/{runoff['id']}/close")).json()
    assert tied["outcome"] == "tie_casting_vote" and "tie between" in tied["arithmetic"]
    wrong = await chair.send("POST", f"{API}/polls/{runoff['id']}/casting-vote", json={"choice": str(ids["lyon"])})
    assert wrong.status_code == 422 and wrong.json()["detail"] == "Choose 1 of the tied candidates."
    settled = await chair.send("POST", f"{API}/polls/{runoff['id']}/casting-vote", json={"choice": str(ids["milan"])})
    assert settled.status_code == 200, settled.text
    assert (settled.json()["outcome"], settled.json()["elected"]) == ("elected", ["Milan"])
    motion_now = (await chair.get(f"{API}/motions/{motion['id']}")).json()
    assert motion_now["status"] == "adopted" and motion_now["outcome_note"].startswith("Elected: Milan")
    assert "casting vote (president): Milan" in motion_now["outcome_note"]


async def test_a_ballot_naming_a_weight_other_than_the_snapshot_is_refused(demo, make_client):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "secret")
    berlin = await voter(make_client, "berlin")
    refused = await _cast(berlin, poll, "berlin", "yes", weight=5)
    assert refused.status_code == 409
    assert (
        refused.json()["detail"]
        == "Berlin carries 1 vote(s) in this poll, as frozen when it opened; nothing was recorded."
    )
    assert await Participation.count() == 0
    assert (await _cast(berlin, poll, "berlin", "yes", weight=1)).status_code == 201


async def test_the_chair_announces_a_countdown(demo, make_client):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    too_long = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"], "countdown": 7200})
    assert too_long.status_code == 422 and too_long.json()["detail"] == "A countdown lasts from 10 seconds to an hour."
    poll = (await chair.send("POST", f"{API}/polls", json={"motion": motion["id"], "countdown": 60})).json()
    assert (dt.datetime.fromisoformat(poll["closes_at"]) - dt.datetime.fromisoformat(poll["opened_at"])).seconds == 60
    tablet = await voter(make_client, "berlin")
    await tablet.page_login("berlin@metropolis.demo")
    page = await tablet.get(f"{API.replace('/api/v1', '')}")
    assert "data-countdown=" in page.text and "/static/countdown.js" in page.text
