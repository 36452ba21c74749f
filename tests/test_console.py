"""Issue 19 item 6: the console is the chair's one screen. The chair opens, suspends, resumes
and closes the meeting there, votes for their own member there, sees an action the rules would
refuse disabled with the reason, and is warned before closing a vote in which non-voters count
against. Read as the chair sees it: the console page's HTML over HTTP."""

from __future__ import annotations

from governance.organisations.tables import MajorityRule
from governance.room.console import non_voters_against
from tests.support.polls import (
    API,
    VOTERS,
    cast_ballot,
    move_motion,
    open_poll,
    open_sitting,
    put_to_the_vote,
    voter,
)

SLUG = "metropolis-bod-2012"
CONSOLE = f"/meetings/{SLUG}/console"
CHAIR = "paris-idf@metropolis.demo"  # the President, who represents Paris Île-de-France


async def _chair_page(make_client):
    client = make_client()
    assert (await client.page_login(CHAIR)).status_code == 303
    return client


def _status_buttons(html: str) -> list[str]:
    part = html.split('class="actions meeting-status"')[1].split("</div>")[0] if "meeting-status" in html else ""
    return [chunk.split("</button>")[0] for chunk in part.split('type="submit" class=')[1:]]


async def test_the_chair_opens_suspends_resumes_and_closes_the_meeting_from_the_console(demo, make_client):
    chair = await _chair_page(make_client)
    console = (await chair.get(CONSOLE)).text
    assert [b.split(">")[-1] for b in _status_buttons(console)] == ["Open the meeting"]
    opened = await chair.post_form(f"/meetings/{SLUG}/status", {"status": "open", "back": "console"})
    assert opened.status_code == 303 and opened.headers["location"] == CONSOLE
    console = (await chair.get(CONSOLE)).text
    assert [b.split(">")[-1] for b in _status_buttons(console)] == ["Suspend the meeting", "Close the meeting"]
    await chair.post_form(f"/meetings/{SLUG}/status", {"status": "suspended", "back": "console"})
    console = (await chair.get(CONSOLE)).text
    assert "Resume the meeting" in console and "Open the meeting" not in console
    await chair.post_form(f"/meetings/{SLUG}/status", {"status": "open", "back": "console"})
    # Closing asks first, names what was not dealt with, and comes back to the console.
    asked = await chair.post_form(f"/meetings/{SLUG}/status", {"status": "closed", "back": "console"})
    assert asked.status_code == 200 and "Close the meeting?" in asked.text
    assert '<ul class="untreated">' in asked.text and f'href="{CONSOLE}"' in asked.text
    assert 'name="back" value="console"' in asked.text
    assert (await chair.get(API)).json()["status"] == "open"
    done = await chair.post_form(f"/meetings/{SLUG}/status", {"status": "closed", "back": "console", "confirm": "yes"})
    assert done.status_code == 303 and done.headers["location"] == CONSOLE
    assert (await chair.get(API)).json()["status"] == "closed"
    assert "meeting-status" not in (await chair.get(CONSOLE)).text


async def test_a_refused_status_change_answers_with_the_console(demo, make_client):
    chair = await _chair_page(make_client)
    refused = await chair.post_form(f"/meetings/{SLUG}/status", {"status": "suspended", "back": "console"})
    assert refused.status_code == 409 and "<h1>Chair's console</h1>" in refused.text


async def test_the_chair_votes_for_their_own_member_from_the_console(demo, make_client):
    _desk, _api_chair, _motion, poll = await put_to_the_vote(make_client)
    chair = await _chair_page(make_client)
    console = (await chair.get(CONSOLE)).text
    assert f'action="/meetings/{SLUG}/polls/{poll["id"]}/confirm"' in console
    assert 'name="member" value="paris-idf"' in console and "Vote for Paris" in console
    # The same confirmation step as on a tablet: nothing is recorded before it.
    confirm = await chair.post_form(
        f"/meetings/{SLUG}/polls/{poll['id']}/confirm", {"member": "paris-idf", "choice": "yes"}
    )
    assert "You are voting YES for Paris" in confirm.text
    form_token = confirm.text.split('name="token" value="')[1].split('"')[0]
    receipt = await chair.post_form(
        f"/meetings/{SLUG}/polls/{poll['id']}/ballots", {"member": "paris-idf", "choice": "yes", "token": form_token}
    )
    assert "Your vote is recorded." in receipt.text
    console = (await chair.get(CONSOLE)).text
    assert "is recorded." in console and f'polls/{poll["id"]}/confirm"' not in console
    assert "1 of 15 voted" in console


async def test_take_up_is_disabled_with_the_reason_the_rules_give(demo, make_client):
    chair = await _chair_page(make_client)
    # Not in session yet: every "Take up" is disabled, saying why.
    console = (await chair.get(CONSOLE)).text
    assert "<button disabled" in console and "The meeting is not in session." in console
    assert f"/meetings/{SLUG}/agenda/items/" not in _agenda_list(console)
    _desk, _api_chair = await open_sitting(make_client)
    console = (await chair.get(CONSOLE)).text
    listed = _agenda_list(console)
    # In session, the agenda not adopted: only its adoption can be taken up.
    items = (await chair.get(f"{API}/agenda")).json()
    assert listed.count('/open"') == 1 and f"/agenda/items/{items[0]['id']}/open" in listed
    assert listed.count("Adopt the agenda first: take up the item on the adoption of the agenda.") == len(items) - 1


async def test_take_up_is_disabled_while_a_motion_is_on_the_floor(demo, make_client):
    desk, api_chair = await open_sitting(make_client)
    adoption = await move_motion(make_client, desk, api_chair)
    hands = await open_poll(api_chair, adoption, "show_of_hands")
    counted = {"yes": len(VOTERS), "no": 0, "abstain": 0, "tellers": "Secretariat"}
    assert (await api_chair.send("POST", f"{API}/polls/{hands['id']}/close", json=counted)).status_code == 200
    items = (await api_chair.get(f"{API}/agenda")).json()
    assert (await api_chair.send("POST", f"{API}/agenda/items/{items[1]['id']}/open")).status_code == 200
    chair = await _chair_page(make_client)
    listed = _agenda_list((await chair.get(CONSOLE)).text)
    assert listed.count('/open"') == len(items) - 2  # the agenda adopted, nothing on the floor
    await move_motion(make_client, desk, api_chair, items[1]["id"])
    listed = _agenda_list((await chair.get(CONSOLE)).text)
    assert '/open"' not in listed
    reason = f"Item {items[1]['number']} still has motions on the floor: dispose of them first."
    assert listed.count(reason) == len(items) - 2
    # What the console offers, the service grants; what it disables, the service refuses.
    refused = await api_chair.send("POST", f"{API}/agenda/items/{items[2]['id']}/open")
    assert refused.status_code == 409 and reason in refused.text


def _agenda_list(html: str) -> str:
    return html.split('class="agenda-list"')[1].split("</ol>")[0]


async def test_closing_a_vote_warns_when_non_voters_count_against(demo, make_client):
    await MajorityRule.update({MajorityRule.base: "present"}).where(MajorityRule.id > 0)
    _desk, _api_chair, _motion, poll = await put_to_the_vote(make_client)
    assert (await cast_ballot(await voter(make_client, "seoul"), poll, "seoul", "yes")).status_code == 201
    chair = await _chair_page(make_client)
    console = (await chair.get(CONSOLE)).text
    warning = f"{len(VOTERS) - 1} members have not voted: under this rule they count against."
    assert console.count(warning) == 2  # said beside the button, and in its confirmation
    assert f'hx-confirm="Close the vote now? Ballots after this are refused. {warning}"' in console


async def test_no_warning_when_only_votes_cast_count(demo, make_client):
    await MajorityRule.update({MajorityRule.base: "cast_excluding_abstentions"}).where(MajorityRule.id > 0)
    await put_to_the_vote(make_client)
    chair = await _chair_page(make_client)
    console = (await chair.get(CONSOLE)).text
    assert "Close the vote" in console and "have not voted" not in console


def test_non_voters_count_against_only_over_a_base_of_members():
    poll = {"status": "open", "method": "roll_call", "base": "present"}
    assert non_voters_against(poll, 3, 15) == 12
    assert non_voters_against({**poll, "base": "present_or_represented"}, 15, 15) == 0
    assert non_voters_against({**poll, "base": "cast_including_abstentions"}, 3, 15) == 0
    assert non_voters_against({**poll, "method": "show_of_hands"}, 0, 15) == 0
    assert non_voters_against({**poll, "status": "closed"}, 3, 15) == 0
    assert non_voters_against(None, 0, 0) == 0


async def test_motion_moves_the_rules_would_refuse_are_disabled_with_the_reason(demo, make_client):
    desk, api_chair = await open_sitting(make_client)
    items = (await api_chair.get(f"{API}/agenda")).json()
    assert (await api_chair.send("POST", f"{API}/agenda/items/{items[0]['id']}/open")).status_code == 200
    body = {"item": items[0]["id"], "mover": "seoul", "text_fr": "Le Conseil adopte l'ordre du jour."}
    main = (await desk.send("POST", f"{API}/motions", json=body)).json()
    chair = await _chair_page(make_client)
    console = (await chair.get(CONSOLE)).text
    # Not seconded: "Open debate" is shown, disabled, with the statute's reason.
    assert f'<button disabled aria-describedby="why-{main["id"]}-debate">Open debate</button>' in console
    assert "This motion needs a seconder first" in console
    assert f'/motions/{main["id"]}/debate"' not in console
    await (await voter(make_client, "berlin")).send("POST", f"{API}/motions/{main['id']}/second")
    console = (await chair.get(CONSOLE)).text
    assert f'/motions/{main["id"]}/debate"' in console and "needs a seconder" not in console
    assert (await api_chair.send("POST", f"{API}/motions/{main['id']}/status", json={"status": "debate"})).is_success
    amendment = {
        **body,
        "kind": "amendment",
        "amends": main["id"],
        "text_fr": "Le Conseil adopte l'ordre du jour modifié.",
    }
    assert (await desk.send("POST", f"{API}/motions", json=amendment)).status_code == 201
    console = (await chair.get(CONSOLE)).text
    reason = "1 amendment to this motion is still pending: amendments are voted first."
    assert f'<button disabled aria-describedby="why-{main["id"]}-voting">Put to the vote</button>' in console
    assert reason in console and f'/motions/{main["id"]}/voting"' not in console
    refused = await api_chair.send("POST", f"{API}/motions/{main['id']}/status", json={"status": "voting"})
    assert refused.status_code == 409 and reason in refused.text
