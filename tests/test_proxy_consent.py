"""Proxies the statutes would accept (issue 17, item 6).

The attack, tried with a secretariat account alone: record a proxy for an absent member,
"accept" it for the holder and validate it, with no proxy form. Refused: such a proxy counts
for nothing (quorum and electorate unchanged) until the grantor's signed form is attached
or the grantor confirms it from its own account, and the holder accepts it (itself, or the
secretariat records, as its own logged step, that the holder accepted in the room).
"""

from __future__ import annotations

import hashlib
import json

from governance.accounts.tables import Person
from governance.meetings.tables import Meeting
from governance.record.tables import MeetingEvent

SLUG = "metropolis-bod-2012"
API = f"/api/v1/meetings/{SLUG}"
FORM = b"%PDF-1.4\n% Proxy form: Tehran gives its proxy to Guangzhou. Signed: the Mayor of Tehran\n%%EOF\n"


async def _signed_in(make_client, email: str):
    client = make_client()
    assert (await client.api_login(email)).status_code == 200
    return client


async def _register(client) -> dict:
    response = await client.get(f"{API}/register")
    assert response.status_code == 200, response.text
    return response.json()


def _line(register: dict, member: str) -> dict:
    return next(line for line in register["members"] if line["member"] == member)


async def _events(change_prefix: str) -> list[dict]:
    meeting = await Meeting.select(Meeting.id).where(Meeting.slug == SLUG).first()
    rows = (
        await MeetingEvent.select(MeetingEvent.payload, MeetingEvent.actor)
        .where((MeetingEvent.meeting == meeting["id"]) & (MeetingEvent.kind == "attendance"))
        .order_by(MeetingEvent.height)
    )
    events = [{**json.loads(row["payload"]), "actor": row["actor"]} for row in rows]
    return [event for event in events if event["change"].startswith(change_prefix)]


async def _arrive(desk, *members: str) -> None:
    for member in members:
        response = await desk.send("POST", f"{API}/arrivals", json={"member": member})
        assert response.status_code == 201, response.text


async def test_the_secretariat_alone_cannot_make_a_proxy_count(demo, make_client):
    desk = await _signed_in(make_client, "secretary@metropolis.demo")
    guangzhou = await _signed_in(make_client, "guangzhou@metropolis.demo")
    brussels = await _signed_in(make_client, "brussels@metropolis.demo")
    await _arrive(desk, "guangzhou", "paris-idf")
    before = (await _register(desk))["quorum"]

    # The secretariat records Brussels' proxy to Guangzhou (no form), and tries to accept it
    # for the holder with the holder's button: refused, the holder accepts itself.
    given = await desk.send("POST", f"{API}/proxies", json={"grantor": "brussels", "holder": "guangzhou"})
    assert given.status_code == 201, given.text
    proxy = given.json()
    assert proxy["missing"] == ["grantor", "holder"] and proxy["complete"] is False
    assert proxy["missing_text"][0] == "awaiting the grantor's confirmation or signed proxy form"
    refused = await desk.send("POST", f"{API}/proxies/{proxy['id']}/accept")
    assert refused.status_code == 403 and "accepted it in the room" in refused.json()["detail"]
    # It records, as its own step, that the holder accepted in the room; validation is done.
    in_room = await desk.send("POST", f"{API}/proxies/{proxy['id']}/accept-in-room")
    assert in_room.status_code == 200, in_room.text
    assert in_room.json()["accepted_in_room"] is True and in_room.json()["validated"] is True
    assert in_room.json()["missing"] == ["grantor"]
    again = await desk.send("POST", f"{API}/proxies/{proxy['id']}/validate")
    assert again.status_code == 409
    # The secretariat cannot confirm in the grantor's name, nor can the holder.
    for client in (desk, guangzhou):
        forbidden = await client.send("POST", f"{API}/proxies/{proxy['id']}/confirm")
        assert forbidden.status_code == 403, forbidden.text
        assert "Only the grantor's own representative" in forbidden.json()["detail"]

    # Nothing counts: quorum and electorate unchanged, and everyone is told what is missing.
    register = await _register(desk)
    assert register["quorum"] == before
    assert _line(register, "brussels")["state"] == "absent" and _line(register, "brussels")["proxy_counts"] is False
    assert _line(register, "brussels")["proxy_missing"] == ["awaiting the grantor's confirmation or signed proxy form"]
    assert _line(register, "guangzhou")["holds"] == []
    waiting = ["awaiting the grantor's confirmation or signed proxy form"]
    pending = [{"grantor_name": "Brussels-Capital Region", "missing": waiting}]
    assert _line(register, "guangzhou")["holds_pending"] == pending
    tablet = make_client()
    await tablet.page_login("guangzhou@metropolis.demo")
    page = (await tablet.get(f"/meetings/{SLUG}")).text
    assert "You also hold the proxy of" not in page
    assert "The proxy of Brussels-Capital Region does not count yet" in page
    desk_page = make_client()
    await desk_page.page_login("secretary@metropolis.demo")
    desk_html = (await desk_page.get(f"/meetings/{SLUG}/desk")).text
    assert "confirmation or signed form</strong> · Accepted in the room · Validated" in " ".join(desk_html.split())

    # The acceptance in the room is logged as such, with the staff member who recorded it.
    secretary = await Person.select(Person.id, Person.full_name).where(Person.email == "secretary@metropolis.demo")
    [event] = await _events("proxy-accepted-in-room:brussels:guangzhou")
    accepted = event["proxy"]["accepted"]
    assert accepted["in_room"] is True and accepted["by"] == secretary[0]["id"] == event["actor"]
    assert accepted["by_name"] == secretary[0]["full_name"]
    assert event["proxy"]["grantor_confirmed"] is None and event["proxy"]["form"] is None
    assert event["proxy"]["missing"] == ["grantor"]

    # Brussels' own representative confirms from its account: now it counts.
    confirmed = await brussels.send("POST", f"{API}/proxies/{proxy['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["complete"] is True and confirmed.json()["missing"] == []
    assert (await brussels.send("POST", f"{API}/proxies/{proxy['id']}/confirm")).status_code == 409
    register = await _register(desk)
    assert register["quorum"]["represented"] == before["represented"] + 1
    assert register["quorum"]["counted"] == before["counted"] + 1
    assert _line(register, "brussels")["state"] == "represented"
    assert _line(register, "guangzhou")["holds"] == ["Brussels-Capital Region"]
    [event] = await _events("proxy-confirmed:brussels:guangzhou")
    brussels_person = await Person.select(Person.id).where(Person.email == "brussels@metropolis.demo").first()
    assert event["proxy"]["grantor_confirmed"]["by"] == brussels_person["id"]
    assert event["proxy"]["missing"] == []


async def test_a_signed_form_is_stored_logged_and_read_back_by_the_secretariat(demo, make_client):
    desk = await _signed_in(make_client, "secretary@metropolis.demo")
    guangzhou = await _signed_in(make_client, "guangzhou@metropolis.demo")
    await _arrive(desk, "guangzhou")
    before = (await _register(desk))["quorum"]
    proxy = (await desk.send("POST", f"{API}/proxies", json={"grantor": "tehran", "holder": "guangzhou"})).json()
    url = f"{API}/proxies/{proxy['id']}/form"

    # Only the secretariat attaches it; only a PDF or an image, checked from its bytes.
    assert (await guangzhou.send("POST", url, files={"file": ("form.pdf", FORM, "application/pdf")})).status_code == 403
    not_a_pdf = await desk.send("POST", url, files={"file": ("form.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")})
    assert not_a_pdf.status_code == 422
    text = await desk.send("POST", url, files={"file": ("form.txt", b"I agree. Tehran", "text/plain")})
    assert text.status_code == 422 and "PDF, PNG or JPEG" in text.json()["detail"]
    assert (await desk.get(url)).status_code == 404  # no form yet

    attached = await desk.send("POST", url, files={"file": ("Tehran proxy.pdf", FORM, "application/pdf")})
    assert attached.status_code == 201, attached.text
    sha256 = hashlib.sha256(FORM).hexdigest()
    assert attached.json()["form_sha256"] == sha256 and attached.json()["missing"] == ["holder"]
    second = await desk.send("POST", url, files={"file": ("other.pdf", FORM + b" ", "application/pdf")})
    assert second.status_code == 409
    # The log event that records it holds its SHA-256.
    [event] = await _events("proxy-form:tehran:guangzhou")
    assert event["proxy"]["form"] == {
        "sha256": sha256,
        "name": "Tehran proxy.pdf",
        "content_type": "application/pdf",
        "size": len(FORM),
    }
    # The secretariat reads it back (API and page); the holder does not.
    download = await desk.get(url)
    assert download.status_code == 200 and download.content == FORM
    assert download.headers["content-type"].startswith("application/pdf")
    assert "attachment" in download.headers["content-disposition"]
    page_client = make_client()
    await page_client.page_login("secretary@metropolis.demo")
    assert (await page_client.get(f"/meetings/{SLUG}/proxies/{proxy['id']}/form")).content == FORM
    assert (await guangzhou.get(url)).status_code == 403

    # Still nothing until the holder accepts; then it counts.
    assert (await _register(desk))["quorum"] == before
    accepted = await guangzhou.send("POST", f"{API}/proxies/{proxy['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["complete"] is True
    assert accepted.json()["accepted_in_room"] is False
    assert (await _register(desk))["quorum"]["represented"] == before["represented"] + 1


async def test_the_desk_page_attaches_a_form_and_records_an_acceptance_in_the_room(demo, make_client):
    desk = make_client()
    await desk.page_login("secretary@metropolis.demo")
    await desk.post_form(  # the desk's proxy form asks for a confirmation first (confirm=yes)
        f"/meetings/{SLUG}/proxies", {"grantor": "tehran", "holder": "guangzhou", "back": "desk", "confirm": "yes"}
    )
    page = (await desk.get(f"/meetings/{SLUG}/desk")).text
    api = await _signed_in(make_client, "secretary@metropolis.demo")
    [proxy] = (await api.get(f"{API}/proxies")).json()
    assert f'action="/meetings/{SLUG}/proxies/{proxy["id"]}/form"' in page
    # "Accepted in the room" is refused while the holder is not checked in as present.
    refused = await desk.post_form(f"/meetings/{SLUG}/proxies/{proxy['id']}/accept-in-room", {"back": "desk"})
    assert refused.status_code == 409 and "is not checked in as present" in refused.text
    await desk.post_form(f"/meetings/{SLUG}/arrivals", {"member": "guangzhou", "back": "desk"})
    done = await desk.post_form(
        f"/meetings/{SLUG}/proxies/{proxy['id']}/accept-in-room", {"back": "desk"}, follow_redirects=False
    )
    assert done.status_code == 303
    uploaded = await desk.http.post(
        f"/meetings/{SLUG}/proxies/{proxy['id']}/form",
        data={"_csrf_token": desk.csrf},
        files={"file": ("tehran.pdf", FORM, "application/pdf")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303, uploaded.text
    page = (await desk.get(f"/meetings/{SLUG}/desk")).text
    assert "Signed form" in page and "Accepted in the room" in page
    [proxy] = (await api.get(f"{API}/proxies")).json()
    assert proxy["complete"] is True and proxy["accepted_in_room"] is True


async def test_a_proxy_given_by_the_grantor_itself_needs_no_form(demo, make_client):
    desk = await _signed_in(make_client, "secretary@metropolis.demo")
    guangzhou = await _signed_in(make_client, "guangzhou@metropolis.demo")
    brussels = await _signed_in(make_client, "brussels@metropolis.demo")
    await _arrive(desk, "guangzhou")
    given = await brussels.send("POST", f"{API}/proxies", json={"grantor": "brussels", "holder": "guangzhou"})
    assert given.status_code == 201, given.text
    assert given.json()["grantor_confirmed"] is True and given.json()["missing"] == ["holder", "validation"]
    assert (await guangzhou.send("POST", f"{API}/proxies/{given.json()['id']}/accept")).status_code == 200
    validated = await desk.send("POST", f"{API}/proxies/{given.json()['id']}/validate")
    assert validated.json()["complete"] is True
    assert _line(await _register(desk), "brussels")["state"] == "represented"
