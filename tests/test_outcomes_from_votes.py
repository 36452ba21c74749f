"""Outcomes come only from votes (DOMAIN rule 18), through the HTTP API on the fresh demo:
nobody declares a motion adopted or rejected; "put the question" asks for unanimous consent
(quorum re-checked and recorded), the standard question of a standard item becoming the
motion; and the smaller truths: a retried ballot with another choice, the reason a remote
check-in is refused, the reason a casting vote is refused."""

from __future__ import annotations

from governance.agenda.tables import Motion
from governance.meetings.tables import Meeting, QuorumCheck
from governance.polls.tables import Poll, RollCallVote, SecretBallot
from tests.support.polls import API, SLUG, VOTERS, token, voter
from tests.support.polls import cast_ballot as _cast
from tests.support.polls import move_motion as _motion
from tests.support.polls import open_poll as _open
from tests.support.polls import open_sitting as _sitting
from tests.support.polls import set_board_rules as _rules

OUTCOME_REFUSED = "A motion is adopted or rejected only by a vote: put the question or open a vote."
OTHER_CHOICE = "This submission was already recorded with another choice."


async def _first_item(chair) -> dict:
    item = (await chair.get(f"{API}/agenda")).json()[0]
    assert item["special"] == "agenda"
    taken = await chair.send("POST", f"{API}/agenda/items/{item['id']}/open")
    assert taken.status_code == 200, taken.text
    return item


async def _question(client, item, body=None, status=201) -> dict:
    response = await client.send("POST", f"{API}/agenda/items/{item['id']}/question", json=body or {})
    assert response.status_code == status, response.text
    return response.json()


async def test_nobody_declares_a_motion_adopted_or_rejected(demo, make_client):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    for client, target in ((chair, "adopted"), (chair, "rejected"), (desk, "adopted"), (desk, "rejected")):
        refused = await client.send("POST", f"{API}/motions/{motion['id']}/status", json={"status": target})
        assert refused.status_code == 409 and refused.json()["detail"] == OUTCOME_REFUSED
    # Nor from the console's forms, which no longer offer it.
    page_chair = make_client()
    await page_chair.page_login("paris-idf@metropolis.demo")
    form = await page_chair.post_form(f"/meetings/{SLUG}/motions/{motion['id']}/adopted", {"back": "console"})
    assert form.status_code == 409 and "only by a vote" in form.text
    console = (await page_chair.get(f"/meetings/{SLUG}/console")).text
    assert "Declare adopted" not in console and "Declare rejected" not in console
    assert "Put the question" in console
    unchanged = await Motion.select(Motion.status, Motion.decision_number).where(Motion.id == motion["id"]).first()
    assert unchanged == {"status": "voting", "decision_number": None}
    assert "motion_adopted" not in [e["kind"] for e in (await desk.get(f"{API}/log")).json()]


async def test_putting_the_question_without_quorum_is_refused_and_the_check_recorded(demo, make_client):
    _desk, chair = await _sitting(make_client, ["paris-idf", "berlin"])
    item = await _first_item(chair)
    checks = await QuorumCheck.count()
    refused = await _question(chair, item, status=409)
    assert refused["detail"] == "No quorum (2 of 14): the vote cannot open."
    assert await QuorumCheck.count() == checks + 1
    check = await QuorumCheck.select().order_by(QuorumCheck.id, ascending=False).first()
    assert (check["trigger"], check["counted"], check["required"], check["met"]) == ("question:1", 2, 14, False)
    # Nothing else changed: no motion tabled, no poll.
    assert await Motion.count() == 0 and await Poll.count() == 0


async def test_the_standard_question_adopts_the_agenda_by_unanimous_consent(demo, make_client):
    desk, chair = await _sitting(make_client)
    item = await _first_item(chair)
    put = await _question(chair, item)
    motion, poll = put["motion"], put["poll"]
    assert {t["language"]: t["text"] for t in motion["texts"]} == {
        "en": "The agenda of the meeting is adopted.",
        "fr": "L'ordre du jour de la réunion est adopté.",
        "es": "Se aprueba el orden del día de la reunión.",
    }
    assert motion["status"] == "voting" and motion["mover"] and motion["seconder"] is None
    assert (poll["method"], poll["status"], poll["motion"]) == ("unanimous_consent", "open", motion["id"])
    assert poll["question"] == "L'ordre du jour de la réunion est adopté."  # the authoritative text
    check = await QuorumCheck.select().order_by(QuorumCheck.id, ascending=False).first()
    assert (check["trigger"], check["met"]) == (f"poll:{motion['id']}", True)
    proposed = next(e for e in (await desk.get(f"{API}/log")).json() if e["kind"] == "motion_proposed")
    assert proposed["payload"]["question"] is True and proposed["payload"]["standard"] == "agenda"
    assert proposed["actor"] == "Jean-Paul Huchon"
    closed = await chair.send("POST", f"{API}/polls/{poll['id']}/close")
    assert closed.status_code == 200 and closed.json()["outcome"] == "adopted"
    adopted = (await desk.get(f"{API}/motions/{motion['id']}")).json()
    assert (adopted["status"], adopted["decision_number"]) == ("adopted", "BoD-2012-01")
    meeting = await Meeting.select(Meeting.agenda_adopted_at).where(Meeting.slug == SLUG).first()
    assert meeting["agenda_adopted_at"] is not None


async def test_the_console_puts_the_standard_question_on_the_minutes(demo, make_client):
    desk, _chair = await _sitting(make_client)
    chair = make_client()
    await chair.page_login("paris-idf@metropolis.demo")
    items = (await chair.get(f"{API}/agenda")).json()
    for item in items[:2]:
        await chair.post_form(f"/meetings/{SLUG}/agenda/items/{item['id']}/open", {"back": "console"})
        if item["special"] == "agenda":
            console = (await chair.get(f"/meetings/{SLUG}/console")).text
            assert "the standard question is put to the meeting" in console
        put = await chair.post_form(
            f"/meetings/{SLUG}/agenda/items/{item['id']}/question", {"back": "console"}, follow_redirects=False
        )
        assert put.status_code == 303, put.text
        poll = (await chair.get(f"{API}/polls")).json()[-1]
        assert poll["method"] == "unanimous_consent" and poll["status"] == "open"
        await chair.post_form(f"/meetings/{SLUG}/polls/{poll['id']}/close", {"back": "console"})
    minutes = (await desk.get(f"{API}/motions?item={items[1]['id']}")).json()
    assert [(m["status"], m["decision_number"]) for m in minutes] == [("adopted", "BoD-2012-02")]
    assert {t["language"]: t["text"] for t in minutes[0]["texts"]}["en"] == (
        "The minutes of the previous meeting are approved."
    )


async def test_one_objection_ends_the_question_and_the_motion_stays_undecided(demo, make_client):
    desk, chair = await _sitting(make_client)
    item = await _first_item(chair)
    moved = await desk.send(
        "POST", f"{API}/motions", json={"item": item["id"], "mover": "seoul", "text_fr": "Adopter l'ordre du jour."}
    )
    motion = moved.json()
    await (await voter(make_client, "berlin")).send("POST", f"{API}/motions/{motion['id']}/second")
    # A typed question beside it would make a second motion: refused.
    beside = await _question(chair, item, {"text_fr": "Autre chose."}, status=409)
    assert beside["detail"] == (
        "A motion is already on the floor of item 1: put the question on it, or dispose of it first."
    )
    # One motion on the floor: the question is put on it (seconded -> debate -> voting).
    poll = (await _question(chair, item))["poll"]
    assert poll["motion"] == motion["id"]
    guangzhou = await voter(make_client, "guangzhou")
    objected = await guangzhou.send("POST", f"{API}/polls/{poll['id']}/objection", json={"member": "guangzhou"})
    assert objected.status_code == 200, objected.text
    assert objected.json()["outcome"] == "objection"
    still = (await desk.get(f"{API}/motions/{motion['id']}")).json()
    assert (still["status"], still["decision_number"]) == ("voting", None)
    # The chair then takes a real vote; nothing else can decide it.
    assert (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).status_code == 409
    assert (await _open(chair, motion, "roll_call"))["round"] == 2


async def test_the_secretariat_prepares_a_question_and_the_chair_puts_it(demo, make_client):
    desk, chair = await _sitting(make_client)
    item = await _first_item(chair)
    prepared = await _question(desk, item)
    assert prepared["poll"] is None and prepared["motion"]["status"] == "debate"
    assert prepared["motion"]["seconder"] is None
    put = await _question(chair, item, {"motion": prepared["motion"]["id"]})
    assert put["poll"]["method"] == "unanimous_consent" and put["motion"]["status"] == "voting"
    # With no standard question and no text, there is nothing to put.
    await chair.send("POST", f"{API}/polls/{put['poll']['id']}/close")
    items = (await chair.get(f"{API}/agenda")).json()
    budget = next(i for i in items if i["number"] == "4")
    await chair.send("POST", f"{API}/agenda/items/{budget['id']}/open")
    missing = await _question(chair, budget, status=422)
    assert missing["detail"] == "Item 4 has no standard question: give the text of the question."
    typed = await _question(chair, budget, {"text_fr": "Le Conseil approuve le budget 2013."})
    assert typed["motion"]["decision_type"] == "budget" and typed["poll"]["status"] == "open"


async def _retry_with_another_choice(make_client, method):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, method)
    seoul = await voter(make_client, "seoul")
    url = f"{API}/polls/{poll['id']}/ballots"
    same = token()
    first = await seoul.send("POST", url, json={"member": "seoul", "choice": "yes", "token": same})
    assert first.status_code == 201
    other = await seoul.send("POST", url, json={"member": "seoul", "choice": "no", "token": same})
    assert other.status_code == 409 and other.json()["detail"] == OTHER_CHOICE
    again = await seoul.send("POST", url, json={"member": "seoul", "choice": "yes", "token": same})
    assert again.status_code == 201 and again.json()["receipt"] == first.json()["receipt"]
    # After the close too: the first choice stands, and is the only one recorded.
    await chair.send("POST", f"{API}/polls/{poll['id']}/close")
    late = await seoul.send("POST", url, json={"member": "seoul", "choice": "abstain", "token": same})
    assert late.status_code == 409 and late.json()["detail"] == OTHER_CHOICE
    return poll


async def test_a_roll_call_retry_with_another_choice_is_refused(demo, make_client):
    poll = await _retry_with_another_choice(make_client, "roll_call")
    assert await RollCallVote.select(RollCallVote.choice).where(RollCallVote.poll == poll["id"]) == [{"choice": "yes"}]


async def test_a_secret_retry_with_another_choice_is_refused(demo, make_client):
    poll = await _retry_with_another_choice(make_client, "secret")
    assert await SecretBallot.select(SecretBallot.choice).where(SecretBallot.poll == poll["id"]) == [{"choice": "yes"}]


async def test_a_refused_remote_check_in_names_the_real_reason(demo, make_client):
    desk = make_client()
    await desk.api_login("secretary@metropolis.demo")
    refused = await desk.send("POST", f"{API}/arrivals", json={"member": "moscow", "mode": "remote"})
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "This meeting is held in person: remote participation is not open (Art. 11.7 (demo))."
    )
    await _rules(remote_allowed=False)
    refused = await desk.send("POST", f"{API}/arrivals", json={"member": "moscow", "mode": "remote"})
    assert refused.json()["detail"] == "The statutes do not allow remote participation (Art. 11.7 (demo))."


async def _tie(make_client, method):
    present = VOTERS[:14]
    desk, chair = await _sitting(make_client, present)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, method)
    for i, member in enumerate(present):
        cast = await _cast(await voter(make_client, member), poll, member, "yes" if i % 2 else "no")
        assert cast.status_code == 201, cast.text
    return chair, (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).json()


async def test_a_refused_casting_vote_says_why(demo, make_client):
    # The demo Board's statutes name no office (the chair's vote prevails): nobody casts one.
    chair, poll = await _tie(make_client, "roll_call")
    assert (poll["yes"], poll["no"]) == (7, 7)
    refused = await chair.send("POST", f"{API}/polls/{poll['id']}/casting-vote", json={"choice": "yes"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "The statutes name no office that casts a deciding vote (Art. 11.6 (demo)). "
        "Their tie rule: The chair's vote prevails (never in a secret ballot)."
    )


async def test_no_casting_vote_after_a_secret_tie(demo, make_client):
    chair, poll = await _tie(make_client, "secret")
    assert (poll["yes"], poll["no"], poll["outcome"]) == (7, 7, "rejected")
    refused = await chair.send("POST", f"{API}/polls/{poll['id']}/casting-vote", json={"choice": "yes"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "This was a secret ballot: the chair's vote never prevails there, and a tie rejects the motion "
        "(Art. 11.6 (demo))."
    )


async def test_no_casting_vote_on_a_poll_that_does_not_wait_for_one(demo, make_client):
    await _rules(tie_rule="casting_vote", casting_vote_office="president")
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "roll_call")
    url = f"{API}/polls/{poll['id']}/casting-vote"
    early = await chair.send("POST", url, json={"choice": "yes"})
    assert early.status_code == 409
    assert early.json()["detail"] == "The vote is still open: a casting vote settles a tie only after the count."
    for member in VOTERS:
        assert (await _cast(await voter(make_client, member), poll, member, "yes")).status_code == 201
    assert (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).json()["outcome"] == "adopted"
    late = await chair.send("POST", url, json={"choice": "no"})
    assert late.status_code == 409
    assert late.json()["detail"] == "This vote was not tied: its outcome stands without a casting vote."
