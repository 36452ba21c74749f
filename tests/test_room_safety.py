"""Issue 19 from the outside: nothing irreversible by accident (closing the meeting, proxies,
second convocation), undo of a mistaken arrival at the desk, and the room's display link."""

from __future__ import annotations

import datetime as dt
import json

from governance import clock
from governance.meetings.tables import DisplayLink, Presence, Proxy, QuorumCheck
from governance.record.tables import MeetingEvent

SLUG = "metropolis-bod-2012"
API = f"/api/v1/meetings/{SLUG}"
PAGES = f"/meetings/{SLUG}"
SECRETARY, CHAIR = "secretary@metropolis.demo", "paris-idf@metropolis.demo"


async def _api(make_client, email):
    client = make_client()
    assert (await client.api_login(email)).status_code == 200
    return client


async def _page(make_client, email):
    client = make_client()
    assert (await client.page_login(email)).status_code == 303
    return client


# --- closing the meeting -------------------------------------------------------------------


async def test_the_api_refuses_a_close_without_confirmation_and_lists_the_untreated_items(demo, make_client):
    chair = await _api(make_client, CHAIR)
    assert (await chair.send("POST", f"{API}/status", json={"status": "open"})).status_code == 200
    refused = await chair.send("POST", f"{API}/status", json={"status": "closed"})
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    items = (await chair.get(f"{API}/agenda")).json()
    numbers = [item["number"] for item in (items["items"] if isinstance(items, dict) else items)]
    assert [item["number"] for item in problem["untreated"]] == numbers and numbers
    assert problem["detail"].startswith(f"{len(numbers)} items were not taken up: they will be recorded as not dealt")
    assert all(item["title"] and item["status"] == "pending" for item in problem["untreated"])
    assert (await chair.get(f"{API}")).json()["status"] == "open"
    # Confirmed, it closes, and the record names what was not dealt with.
    closed = await chair.send("POST", f"{API}/status", json={"status": "closed", "confirm": True})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    event = await MeetingEvent.select().where(MeetingEvent.kind == "meeting_closed").first()
    assert json.loads(event["payload"])["not_dealt_with"] == numbers


async def test_the_page_asks_before_closing_and_names_the_items(demo, make_client):
    api = await _api(make_client, CHAIR)
    assert (await api.send("POST", f"{API}/status", json={"status": "open"})).status_code == 200
    chair = await _page(make_client, CHAIR)
    meeting = await chair.get(PAGES)
    assert 'class="danger-action">Close the meeting</button>' in meeting.text
    asked = await chair.post_form(f"{PAGES}/status", {"status": "closed"})
    assert asked.status_code == 200 and "Close the meeting?" in asked.text
    assert "items were not taken up: they will be recorded as not dealt with" in asked.text
    assert '<ul class="untreated">' in asked.text and 'name="confirm" value="yes"' in asked.text
    assert (await api.get(API)).json()["status"] == "open"
    done = await chair.post_form(f"{PAGES}/status", {"status": "closed", "confirm": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    assert (await api.get(API)).json()["status"] == "closed"


async def test_second_convocation_from_a_page_asks_first(demo, make_client):
    desk = await _page(make_client, SECRETARY)
    asked = await desk.post_form(f"{PAGES}/second-convocation", {"back": "desk"})
    assert asked.status_code == 200 and "Move to the second convocation?" in asked.text
    assert (await desk.get(f"{API}/register")).json()["quorum"]["convocation"] == 1
    await desk.post_form(f"{PAGES}/second-convocation", {"back": "desk", "confirm": "yes"})
    assert (await desk.get(f"{API}/register")).json()["quorum"]["convocation"] == 2


async def test_proxy_forms_start_empty(demo, make_client):
    desk = await _page(make_client, SECRETARY)
    page = (await desk.get(f"{PAGES}/desk")).text
    for field in ("grantor", "holder"):
        select = page.split(f'<select id="{field}"')[1].split("</select>")[0]
        assert '<option value="">' in select.split("</option>")[0] and "selected" not in select


# --- the desk --------------------------------------------------------------------------------


async def test_undo_of_an_arrival_within_a_minute_and_not_after(demo, make_client, monkeypatch):
    desk = await _api(make_client, SECRETARY)
    arrived = await desk.send("POST", f"{API}/arrivals", json={"member": "berlin"})
    assert arrived.status_code == 201 and arrived.json()["present"] == 1
    # Brussels gave its proxy to Berlin (its own representative gave it, Berlin's accepted it),
    # then arrives by mistake (its proxy is revoked)...
    brussels = await _api(make_client, "brussels@metropolis.demo")
    berlin = await _api(make_client, "berlin@metropolis.demo")
    given = await brussels.send("POST", f"{API}/proxies", json={"grantor": "brussels", "holder": "berlin"})
    assert given.status_code == 201, given.text
    proxy = given.json()["id"]
    assert (await berlin.send("POST", f"{API}/proxies/{proxy}/accept")).status_code == 200
    validated = await desk.send("POST", f"{API}/proxies/{proxy}/validate")
    assert validated.status_code == 200 and validated.json()["complete"], validated.text
    assert (await desk.send("POST", f"{API}/arrivals", json={"member": "brussels"})).json()["present"] == 2
    assert (await Proxy.select(Proxy.revoked_reason).first())["revoked_reason"] == "grantor_arrived"
    # ... and the desk takes it back: no stay, the proxy live again, the quorum recomputed.
    undone = await desk.send("POST", f"{API}/arrivals/undo", json={"member": "brussels"})
    assert undone.status_code == 200, undone.text
    assert (undone.json()["present"], undone.json()["represented"]) == (1, 1)
    assert not await Presence.exists().where(Presence.member.slug == "brussels")
    assert (await Proxy.select(Proxy.revoked_at).first())["revoked_at"] is None
    last = await QuorumCheck.select().order_by(QuorumCheck.id, ascending=False).first()
    assert last["trigger"] == "arrival-undone:brussels" and last["counted"] == 2
    log = (await desk.get(f"{API}/log")).json()
    assert log[-1]["kind"] == "attendance" and log[-1]["payload"]["change"] == "arrival-undone:brussels"
    checks = (await desk.get(f"{API}/quorum-checks")).json()
    assert checks[-1]["description"] == "Arrival of Brussels-Capital Region undone"
    # Undone once, there is nothing left to undo.
    again = await desk.send("POST", f"{API}/arrivals/undo", json={"member": "brussels"})
    assert again.status_code == 409 and "is not checked in" in again.json()["detail"]
    # After a minute, only a departure ends the stay.
    later = clock.now() + dt.timedelta(seconds=61)
    monkeypatch.setattr(clock, "now", lambda: later)
    late = await desk.send("POST", f"{API}/arrivals/undo", json={"member": "berlin"})
    assert late.status_code == 409 and "only within a minute" in late.json()["detail"]
    assert await Presence.exists().where(Presence.member.slug == "berlin")


async def test_a_member_cannot_undo_someone_elses_arrival(demo, make_client):
    desk, rep = await _api(make_client, SECRETARY), await _api(make_client, "guangzhou@metropolis.demo")
    await desk.send("POST", f"{API}/arrivals", json={"member": "berlin"})
    refused = await rep.send("POST", f"{API}/arrivals/undo", json={"member": "berlin"})
    assert refused.status_code == 403


async def test_the_desk_search_and_enter_records_the_one_match_and_keeps_the_search(demo, make_client):
    desk = await _page(make_client, SECRETARY)
    one = await desk.post_form(f"{PAGES}/arrivals", {"q": "montreal", "back": "desk"}, follow_redirects=False)
    assert one.status_code == 303 and one.headers["location"] == f"{PAGES}/desk?q=montreal&arrived=montreal"
    page = await desk.get(one.headers["location"])
    assert "Arrival of Montréal recorded" in page.text and ">Undo</button>" in page.text
    table = page.text.split('<table id="register"')[1].split("</table>")[0]
    assert "Montréal" in table and "Toronto" not in table
    assert 'value="montreal"' in page.text  # the search stays
    many = await desk.post_form(f"{PAGES}/arrivals", {"q": "b", "back": "desk"})
    assert many.status_code == 422 and "members match “b”" in many.text
    # Who came: Barcelona's substitute (the Secretary General) rather than its principal.
    rows = many.text.split('id="who-barcelona"')[1].split("</select>")[0]
    substitute = rows.split('<option value="')[2].split('"')[0]
    await desk.post_form(f"{PAGES}/arrivals", {"member": "barcelona", "person_id": substitute, "back": "desk"})
    lines = {m["member"]: m for m in (await desk.get(f"{API}/register")).json()["members"]}
    assert lines["barcelona"]["representative_role"] == "substitute"
    # Remote is refused where the meeting does not allow it (in person).
    remote = await desk.post_form(f"{PAGES}/arrivals", {"member": "berlin", "mode": "remote", "back": "desk"})
    assert remote.status_code == 422
    assert "This meeting is held in person: remote participation is not open" in remote.text


# --- the display link ------------------------------------------------------------------------


async def test_display_link_works_without_login_is_read_only_and_stops_when_revoked(demo, make_client):
    desk = await _api(make_client, SECRETARY)
    created = await desk.send("POST", f"{API}/display-links", json={"label": "Room B projector"})
    assert created.status_code == 201, created.text
    url = created.json()["url"]
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 32
    row = await DisplayLink.select().first()
    assert row["token_hash"] != token and len(row["token_hash"]) == 64  # only the hash is stored
    assert (await desk.get(f"{API}/display-links")).json()[0]["url"] is None  # never shown again

    screen = make_client()  # nobody signed in
    shown = await screen.get(f"/display/{token}/")
    assert shown.status_code == 200, shown.text
    assert "Sign out" not in shown.text and 'class="languages"' not in shown.text
    assert '<header class="top">' not in shown.text
    assert f'sse-connect="/display/{token}/live"' in shown.text
    # Read-only: nothing can be posted through it.
    for path in (f"/display/{token}/", f"/display/{token}/live"):
        assert (await screen.send("POST", path, json={})).status_code in (403, 404, 405)
    # The link opens this meeting's display only, not its pages.
    assert (await screen.get(f"{PAGES}/projector")).status_code in (303, 401, 403)  # to the sign-in page
    revoked = await desk.send("POST", f"{API}/display-links/{row['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await screen.get(f"/display/{token}/")).status_code == 404
    assert (await screen.get(f"/display/{token}/live")).status_code == 404
    assert (await screen.get("/display/not-a-token/")).status_code == 404


async def test_display_links_page_shows_a_new_link_once(demo, make_client):
    desk = await _page(make_client, SECRETARY)
    page = await desk.get(f"{PAGES}/display-links")
    assert page.status_code == 200 and "Open a display link" in page.text
    created = await desk.post_form(f"{PAGES}/display-links", {"label": "Main room"})
    assert created.status_code == 200 and "it is shown only once" in created.text
    url = created.text.split('<code class="display-url">')[1].split("<")[0]
    assert "/display/" in url
    again = await desk.get(f"{PAGES}/display-links")
    assert url not in again.text and "Main room" in again.text


async def test_the_desk_records_a_remote_arrival_where_the_meeting_allows_it(demo, make_client):
    desk = await _page(make_client, SECRETARY)
    api = await _api(make_client, SECRETARY)
    starts = (clock.now() + dt.timedelta(days=90)).strftime("%Y-%m-%dT10:00:00")
    meeting = {"slug": "bod-hybrid", "body": "bod", "title_en": "Board (hybrid)", "mode": "hybrid",
               "time_zone": "Asia/Shanghai", "starts_at": starts}  # fmt: skip
    assert (await api.send("POST", "/api/v1/organisations/metropolis/meetings", json=meeting)).status_code == 201
    convened = await api.send("POST", "/api/v1/meetings/bod-hybrid/status", json={"status": "convened"})
    assert convened.status_code == 200
    page = await desk.get("/meetings/bod-hybrid/desk")
    assert ">Joined remotely</button>" in page.text and '<option value="remote">Remote</option>' in page.text
    done = await desk.post_form(
        "/meetings/bod-hybrid/arrivals", {"q": "seoul", "mode": "remote", "back": "desk"}, follow_redirects=True
    )
    assert done.status_code == 200 and "Arrival of Seoul recorded" in done.text and ", remote, " in done.text
    lines = {m["member"]: m for m in (await api.get("/api/v1/meetings/bod-hybrid/register")).json()["members"]}
    assert lines["seoul"]["state"] == "remote"
