"""Nobody where they don't belong, with real ids on a live meeting.

tests/test_authorisation_matrix.py walks every route for every role (the FMDV secretary
among them) with made-up ids on unsafe routes. Here the same intruders use the real ids of
an open poll, a real proxy and a real motion, and we check that nothing changed:

* the FMDV secretariat against the Metropolis Board meeting (and the Metropolis
  secretariat against the FMDV Board): pages, API, ballots, closing the poll, the register;
* one member's representative acting for another member without a proxy: casting its vote
  (API and tablet form), confirming, changing its ballot, checking it in, accepting a proxy
  given to someone else.
"""

from __future__ import annotations

from governance.meetings.tables import Presence
from governance.polls.tables import Participation, Poll
from tests.support.polls import API, SLUG, token, voter
from tests.support.polls import put_to_the_vote as _session

FMDV_SECRETARY = "secretary@fmdv.demo"


def refused(response) -> bool:
    """A refusal: 403/404 (or the sign-in redirect), never a 2xx, never a 5xx."""
    if response.status_code in (403, 404):
        return True
    return response.status_code in (302, 303) and response.headers.get("location", "").startswith("/login")


async def test_the_fmdv_secretariat_cannot_touch_the_metropolis_meeting(demo, make_client):
    desk, _chair, motion, poll = await _session(make_client)
    guangzhou = await voter(make_client, "guangzhou")
    cast = await guangzhou.send(
        "POST", f"{API}/polls/{poll['id']}/ballots", json={"member": "guangzhou", "choice": "yes", "token": token()}
    )
    assert cast.status_code == 201
    register_before = (await desk.get(f"{API}/register")).json()
    intruder = make_client()
    assert (await intruder.api_login(FMDV_SECRETARY)).status_code == 200
    poll_url = f"{API}/polls/{poll['id']}"
    attempts = {
        "read the meeting": await intruder.get(API),
        "read the register": await intruder.get(f"{API}/register"),
        "read the log": await intruder.get(f"{API}/log"),
        "read the poll": await intruder.get(poll_url),
        "read the ballots": await intruder.get(f"{poll_url}/ballots"),
        "read the motion": await intruder.get(f"{API}/motions/{motion['id']}"),
        "cast for a member": await intruder.send(
            "POST", f"{poll_url}/ballots", json={"member": "berlin", "choice": "no", "token": token()}
        ),
        "close the poll": await intruder.send("POST", f"{poll_url}/close", json={}),
        "void the poll": await intruder.send("POST", f"{poll_url}/void", json={"reason": "intrusion"}),
        "record a departure": await intruder.send("POST", f"{API}/departures", json={"member": "guangzhou"}),
        "record an arrival": await intruder.send("POST", f"{API}/arrivals", json={"member": "tehran"}),
        "move a motion": await intruder.send(
            "POST", f"{API}/motions", json={"item": motion["item"], "mover": "seoul", "text_fr": "Intrusion."}
        ),
        "edit the meeting": await intruder.send("PUT", API, json={"title_en": "Taken over"}),
        "rename a member": await intruder.send(
            "PUT",
            "/api/v1/organisations/metropolis/members/guangzhou",
            json={"slug": "guangzhou", "name": "Taken over", "region": "asia-pacific"},
        ),
        "list the people": await intruder.get("/api/v1/organisations/metropolis/people"),
        "desk page": await intruder.get(f"/meetings/{SLUG}/desk", follow_redirects=False),
        "tablet page": await intruder.get(f"/meetings/{SLUG}", follow_redirects=False),
        "console page": await intruder.get(f"/meetings/{SLUG}/console", follow_redirects=False),
        "minutes page": await intruder.get(f"/meetings/{SLUG}/minutes", follow_redirects=False),
        "live stream": await intruder.get(f"/meetings/{SLUG}/live", follow_redirects=False),
    }
    allowed = {what: r.status_code for what, r in attempts.items() if not refused(r)}
    assert allowed == {}, allowed
    # The Metropolis meeting is not even listed to them.
    listed = (await intruder.get("/api/v1/meetings")).json()
    assert SLUG not in {m["slug"] for m in listed}
    # Nothing changed: one ballot, the poll open, the register as it was.
    assert await Participation.count() == 1
    assert (await Poll.select(Poll.status).where(Poll.id == poll["id"]).first())["status"] == "open"
    assert (await desk.get(f"{API}/register")).json() == register_before


async def test_the_metropolis_secretariat_cannot_touch_the_fmdv_meeting(demo, make_client):
    intruder = make_client()
    assert (await intruder.api_login("secretary@metropolis.demo")).status_code == 200
    fmdv = "/api/v1/meetings/fmdv-bod-2012"
    attempts = [
        await intruder.get(fmdv),
        await intruder.get(f"{fmdv}/register"),
        await intruder.send("POST", f"{fmdv}/arrivals", json={"member": "bamako"}),
        await intruder.send("POST", f"{fmdv}/status", json={"status": "open"}),
        await intruder.get("/meetings/fmdv-bod-2012/desk", follow_redirects=False),
        await intruder.get("/api/v1/organisations/fmdv/members"),
    ]
    assert [r.status_code for r in attempts if not refused(r)] == []
    assert await Presence.count() == 0


async def test_a_member_cannot_act_for_another_without_a_proxy(demo, make_client):
    desk, _chair, _motion, poll = await _session(make_client, method="secret")
    url = f"{API}/polls/{poll['id']}/ballots"
    guangzhou = await voter(make_client, "guangzhou")
    # Berlin votes first; Guangzhou then tries everything on Berlin's behalf.
    berlin = await voter(make_client, "berlin")
    berlin_token = token()
    assert (
        await berlin.send("POST", url, json={"member": "berlin", "choice": "yes", "token": berlin_token})
    ).status_code == 201
    api_cast = await guangzhou.send("POST", url, json={"member": "seoul", "choice": "no", "token": token()})
    assert api_cast.status_code == 403 and "You do not cast the vote of Seoul" in api_cast.json()["detail"]
    change = await guangzhou.send(
        "POST", url, json={"member": "berlin", "choice": "no", "token": token(), "previous": berlin_token}
    )
    assert change.status_code == 403
    # The tablet forms: the confirmation page and the cast itself.
    tablet = make_client()
    assert (await tablet.page_login("guangzhou@metropolis.demo")).status_code == 303
    confirm = await tablet.post_form(
        f"/meetings/{SLUG}/polls/{poll['id']}/confirm", {"member": "seoul", "choice": "no"}
    )
    # The confirmation step only offers the members this tablet votes for (422, inline).
    assert confirm.status_code == 422 and "Choose whose vote this is." in confirm.text
    assert "You are voting" not in confirm.text
    form_cast = await tablet.post_form(
        f"/meetings/{SLUG}/polls/{poll['id']}/ballots", {"member": "seoul", "choice": "no", "token": token()}
    )
    assert form_cast.status_code == 403
    # Checking another member out, or accepting a proxy given to someone else.
    departure = await guangzhou.send("POST", f"{API}/departures", json={"member": "seoul"})
    assert departure.status_code == 403, departure.text
    proxy = await desk.send("POST", f"{API}/proxies", json={"grantor": "tehran", "holder": "berlin"})
    assert proxy.status_code == 201, proxy.text
    stolen = await guangzhou.send("POST", f"{API}/proxies/{proxy.json()['id']}/accept")
    assert stolen.status_code == 403, stolen.text
    # One ballot (Berlin's), Seoul still present and free to vote.
    assert await Participation.count() == 1
    seoul = await voter(make_client, "seoul")
    own = await seoul.send("POST", url, json={"member": "seoul", "choice": "yes", "token": token()})
    assert own.status_code == 201
