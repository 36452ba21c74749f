"""Secret ballots the statutes impose: members' requests (``secret_ballot_on_request_of``),
personal matters (``secret_ballot_for_personal_matters``) and elections; through the API and
the tablet on the demo Board meeting (3 requests make the vote secret, Art. 11.9 (demo))."""

from __future__ import annotations

import pytest

from governance import db
from governance.polls.secrecy_rules import (
    PERSONAL_MATTERS,
    SecrecyReason,
    SecretClauses,
    request_refusal,
    required_method,
)
from governance.polls.tables import SecretBallotRequest
from tests.support.polls import API, SLUG, VOTERS, voter
from tests.support.polls import move_motion as _motion
from tests.support.polls import open_election_item as _election_item
from tests.support.polls import open_poll as _open
from tests.support.polls import open_sitting as _sitting
from tests.support.polls import set_board_rules as _rules

ARTICLE = "Art. 11.9 (demo)"


def _requests_url(motion) -> str:
    return f"{API}/motions/{motion['id']}/secret-ballot-requests"


async def _ask(client, motion, member):
    return await client.send("POST", _requests_url(motion), json={"member": member})


# --- the pure decision ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision_type", "elections", "personal", "threshold", "requests", "expected"),
    [
        ("ordinary", True, True, 3, 0, None),
        ("ordinary", True, True, 3, 2, None),
        ("ordinary", True, True, 3, 3, SecrecyReason.members_request),
        ("budget", False, False, 1, 5, SecrecyReason.members_request),
        ("ordinary", True, True, None, 40, None),  # no clause: requests change nothing
        ("election", True, False, None, 0, SecrecyReason.election),
        ("election", False, True, None, 0, SecrecyReason.personal_matter),
        ("election", False, False, 3, 3, SecrecyReason.members_request),
        ("election", False, False, None, 0, None),
        ("admission", False, True, None, 0, SecrecyReason.personal_matter),
        ("exclusion", False, True, 3, 0, SecrecyReason.personal_matter),
        ("exclusion", True, False, 3, 0, None),
        ("statutes", True, True, 3, 1, None),
    ],
)
def test_required_method(decision_type, elections, personal, threshold, requests, expected):
    clauses = SecretClauses(elections, personal, threshold, ARTICLE)
    secrecy = required_method(decision_type, clauses, requests)
    assert secrecy.reason == expected
    assert secrecy.method == ("secret" if expected else None)


def test_personal_matters_and_request_refusal():
    assert {"election", "admission", "exclusion"} == PERSONAL_MATTERS
    assert request_refusal(SecretClauses(True, True, None, ARTICLE)) == (
        "The statutes do not provide for a secret ballot on request."
    )
    assert request_refusal(SecretClauses(True, True, 3, ARTICLE)) is None


# --- through the API --------------------------------------------------------------------------


async def test_requests_are_counted_once_and_the_threshold_makes_the_vote_secret(demo, make_client):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    guangzhou = await voter(make_client, "guangzhou")
    empty = (await guangzhou.get(_requests_url(motion))).json()
    assert (empty["requests"], empty["threshold"], empty["secret_required"]) == (0, 3, False)

    first = await _ask(guangzhou, motion, "guangzhou")
    assert first.status_code == 201, first.text
    assert (first.json()["requests"], first.json()["recorded"]) == (1, True)
    again = await _ask(guangzhou, motion, "guangzhou")  # a second tap, a retry: counted once
    assert again.status_code == 200 and (again.json()["requests"], again.json()["recorded"]) == (1, False)
    # The database itself refuses a second row for the same member and motion.
    row = await SecretBallotRequest.select().first()
    with pytest.raises(db.IntegrityViolation) as caught:
        async with db.writing():
            await SecretBallotRequest.insert(
                SecretBallotRequest(
                    meeting=row["meeting"], motion=row["motion"], member=row["member"], requested_at=row["requested_at"]
                )
            )
    assert caught.value.kind == "unique"
    assert await SecretBallotRequest.count() == 1

    assert (await _ask(await voter(make_client, "berlin"), motion, "berlin")).json()["requests"] == 2
    two = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"], "method": "roll_call"})
    assert two.status_code == 201, two.text  # two requests of three: the chair still chooses
    voided = await chair.send("POST", f"{API}/polls/{two.json()['id']}/void", json={"reason": "Secret ballot asked"})
    assert voided.status_code == 200, voided.text
    third = await _ask(await voter(make_client, "seoul"), motion, "seoul")
    assert third.status_code == 201
    assert (third.json()["requests"], third.json()["secret_required"], third.json()["reason"]) == (
        3,
        True,
        "members_request",
    )
    assert third.json()["members"] == ["guangzhou", "berlin", "seoul"]

    expected = f"3 members asked for a secret ballot ({ARTICLE}): the vote must be secret."
    for method in ("roll_call", "show_of_hands", "unanimous_consent"):
        refused = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"], "method": method})
        assert refused.status_code == 409 and refused.json()["detail"] == expected
    poll = await _open(chair, motion, "secret")
    assert poll["method"] == "secret"

    logged = [e for e in (await desk.get(f"{API}/log")).json() if e["kind"] == "secret_ballot_requested"]
    assert [(e["payload"]["member"], e["payload"]["requests"]) for e in logged] == [
        ("guangzhou", 1),
        ("berlin", 2),
        ("seoul", 3),
    ]


async def test_only_who_speaks_for_a_voting_member_present_may_ask(demo, make_client):
    present = [m for m in VOTERS if m not in ("moscow", "rabat")]
    desk, chair = await _sitting(make_client, present)
    given = await desk.send("POST", f"{API}/proxies", json={"grantor": "moscow", "holder": "paris-idf"})
    assert given.status_code == 201, given.text
    moscow = await voter(make_client, "moscow")
    assert (await moscow.send("POST", f"{API}/proxies/{given.json()['id']}/confirm")).status_code == 200
    assert (await chair.send("POST", f"{API}/proxies/{given.json()['id']}/accept")).status_code == 200
    motion = await _motion(make_client, desk, chair)

    berlin = await voter(make_client, "berlin")
    other = await _ask(berlin, motion, "seoul")
    assert other.status_code == 403 and other.json()["detail"] == "You do not speak for Seoul at this meeting."
    absent = await _ask(await voter(make_client, "rabat"), motion, "rabat")
    assert absent.status_code == 403 and "neither present nor represented" in absent.json()["detail"]
    observer = make_client()
    await observer.api_login("observer@metropolis.demo")
    refused = await _ask(observer, motion, "guangzhou")
    assert refused.status_code == 403
    secretariat = await _ask(desk, motion, "guangzhou")
    assert secretariat.status_code == 403
    stranger = await _ask(berlin, motion, "atlantis")
    assert stranger.status_code in (404, 422)
    assert await SecretBallotRequest.count() == 0

    # The proxy holder's representative speaks for the grantor.
    by_proxy = await _ask(chair, motion, "moscow")
    assert by_proxy.status_code == 201, by_proxy.text
    assert by_proxy.json()["members"] == ["moscow"]

    # A member recused on the item is out of its votes, and so of asking how they are taken.
    guangzhou = await voter(make_client, "guangzhou")
    recused = await guangzhou.send(
        "POST", f"{API}/agenda/items/{motion['item']}/recusals", json={"reason": "A personal interest"}
    )
    assert recused.status_code == 201, recused.text
    refused = await _ask(guangzhou, motion, "guangzhou")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Guangzhou is recused on this item (Art. 11.11 (demo))."


async def test_statutes_without_the_clause_refuse_requests(demo, make_client):
    await _rules(secret_ballot_on_request_of=None)
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    refused = await _ask(await voter(make_client, "guangzhou"), motion, "guangzhou")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "The statutes do not provide for a secret ballot on request."
    listed = (await chair.get(_requests_url(motion))).json()
    assert (listed["requests"], listed["threshold"]) == (0, None)


async def _personal_item(chair, decision_type: str) -> int:
    item = await chair.send(
        "POST",
        f"{API}/agenda/items",
        json={"number": "9", "title_en": "Admission of a member", "kind": "decision", "decision_type": decision_type},
    )
    assert item.status_code == 201, item.text
    return item.json()["id"]


async def test_personal_matters_are_voted_by_secret_ballot_where_the_statutes_say_so(demo, make_client):
    await _rules(secret_ballot_for_elections=False)
    desk, chair = await _sitting(make_client)
    item_id = await _personal_item(chair, "admission")
    agenda = await _motion(make_client, desk, chair)  # the agenda first (not a personal matter)
    hands = await _open(chair, agenda, "show_of_hands")
    counted = {"yes": len(VOTERS), "no": 0, "abstain": 0, "tellers": "Secretariat"}
    assert (await chair.send("POST", f"{API}/polls/{hands['id']}/close", json=counted)).json()["outcome"] == "adopted"
    await chair.send("POST", f"{API}/agenda/items/{agenda['item']}/close")
    assert (await chair.send("POST", f"{API}/agenda/items/{item_id}/open")).status_code == 200
    motion = await _motion(make_client, desk, chair, item_id=item_id, text_fr="Admission de Rabat.")
    refused = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"], "method": "roll_call"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"The statutes require a secret ballot on personal matters ({ARTICLE}): the vote must be secret."
    )
    # Without the clause, the chair chooses.
    await _rules(secret_ballot_for_personal_matters=False)
    assert (await _open(chair, motion, "roll_call"))["method"] == "roll_call"


async def test_an_election_is_a_personal_matter(demo, make_client):
    """Even where the statutes do not require a secret ballot for elections as such."""
    await _rules(secret_ballot_for_elections=False)
    desk, chair = await _sitting(make_client)
    item_id = await _election_item(make_client, desk, chair, "Election of the Treasurer")
    motion = await _motion(make_client, desk, chair, item_id=item_id, text_fr="Élection du trésorier")
    refused = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"], "method": "roll_call"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"The statutes require a secret ballot on personal matters ({ARTICLE}): the vote must be secret."
    )
    listed = (await chair.get(_requests_url(motion))).json()
    assert (listed["secret_required"], listed["reason"]) == (True, "personal_matter")


# --- the tablet -------------------------------------------------------------------------------


async def test_a_member_asks_from_the_tablet(demo, make_client):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    tablet = make_client()
    await tablet.page_login("guangzhou@metropolis.demo")
    page = await tablet.get(f"/meetings/{SLUG}")
    assert "Request a secret ballot" in page.text
    asked = await tablet.post_form(
        f"/meetings/{SLUG}/motions/{motion['id']}/secret-ballot-requests", {"member": "guangzhou"}
    )
    assert asked.status_code == 303, asked.text
    page = await tablet.get(f"/meetings/{SLUG}")
    assert "1 of 3 requests" in page.text
    for member in ("berlin", "seoul"):
        await _ask(await voter(make_client, member), motion, member)
    page = await tablet.get(f"/meetings/{SLUG}")
    assert "3 of 3 requests: the vote will be secret" in page.text
    console = await chair.get(f"/meetings/{SLUG}/console")
    assert f"3 members asked for a secret ballot ({ARTICLE}): the vote must be secret." in console.text
    # The console offers the method the statutes impose, and only it.
    assert 'name="method" value="secret"' in console.text and 'value="roll_call"' not in console.text
