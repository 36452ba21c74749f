"""The speakers list: asking for the floor, the queue, giving and ending the floor, the
recorded times, the refusals, the log, and what the tablet, console and projector show.

The ordering and durations are pure functions, checked first without a database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from governance.agenda import speakers
from governance.agenda.tables import SpeakerRequest

SLUG = "metropolis-bod-2012"
API = f"/api/v1/meetings/{SLUG}"
PAGE = f"/meetings/{SLUG}"
EMAILS = {
    "chair": "paris-idf@metropolis.demo",
    "guangzhou": "guangzhou@metropolis.demo",
    "berlin": "berlin@metropolis.demo",
    "seoul": "seoul@metropolis.demo",
    "observer": "observer@metropolis.demo",
    "desk": "secretary@metropolis.demo",
}

# --- pure helpers ------------------------------------------------------------------------------

T0 = dt.datetime(2012, 11, 28, 9, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def row(request_id: int, person: int, *, item: int = 1, asked: float = 0, given=None, ended=None, withdrawn=None):
    return {
        "id": request_id,
        "item": item,
        "person": person,
        "member": person * 10,
        "requested_at": at(asked),
        "given_at": at(given) if given is not None else None,
        "ended_at": at(ended) if ended is not None else None,
        "withdrawn_at": at(withdrawn) if withdrawn is not None else None,
    }


def test_the_queue_is_in_the_order_of_the_requests() -> None:
    rows = [
        row(5, 105, asked=3),
        row(2, 102, asked=1),
        row(4, 104, asked=1),  # same instant as 2: the earlier request (id) goes first
        row(3, 103, asked=2, withdrawn=2.5),  # withdrawn: out of the queue
        row(6, 106, item=2, asked=0),  # another item's request
    ]
    queue = speakers.build_queue(rows, item_id=1)
    assert [(e["id"], e["position"]) for e in queue["waiting"]] == [(2, 1), (4, 2), (5, 3)]
    assert all(e["state"] == "waiting" for e in queue["waiting"])
    assert queue["current"] is None and queue["spoken"] == [] and queue["spoken_text"] == ""
    # Nothing under discussion: nobody waits.
    assert speakers.build_queue(rows, item_id=None)["waiting"] == []


def test_durations_and_who_has_the_floor() -> None:
    rows = [
        row(1, 101, asked=0, given=2, ended=6.5),  # 4 min 30 s
        row(2, 102, asked=1, given=1.5, ended=2),  # spoke first: 30 s
        row(3, 103, asked=3, given=6.5),  # on the floor since the first one ended
        row(4, 104, asked=4),
    ]
    queue = speakers.build_queue(rows, item_id=1)
    assert queue["current"]["id"] == 3 and queue["current"]["since"] == at(6.5)
    assert queue["current"]["state"] == "speaking" and queue["current"]["duration"] is None
    assert [e["id"] for e in queue["spoken"]] == [2, 1]
    assert [e["duration_seconds"] for e in queue["spoken"]] == [30, 270]
    assert [e["duration_text"] for e in queue["spoken"]] == ["0:30", "4:30"]
    assert queue["spoken"][1]["duration"] == dt.timedelta(minutes=4, seconds=30)
    assert (queue["spoken_seconds"], queue["spoken_text"]) == (300, "5:00")
    assert [e["id"] for e in queue["waiting"]] == [4]
    # The speaker on the floor is shown even when the item changed under them (to end them).
    other = speakers.build_queue(rows, item_id=2)
    assert other["current"]["id"] == 3 and other["waiting"] == [] and other["spoken"] == []


def test_where_i_stand() -> None:
    queue = speakers.build_queue([row(1, 101, given=1), row(2, 102, asked=1), row(3, 103, asked=2)], item_id=1)
    assert speakers.mine(queue, 103) == {"waiting": queue["waiting"][1], "position": 2, "speaking": False}
    assert speakers.mine(queue, 101) == {"waiting": None, "position": None, "speaking": True}
    assert speakers.mine(queue, 999) == {"waiting": None, "position": None, "speaking": False}


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, ""), (0, "0:00"), (59.6, "1:00"), (65, "1:05"), (3723, "1:02:03"), (-3, "0:00")]
)
def test_format_duration(seconds: Any, text: str) -> None:
    assert speakers.format_duration(seconds) == text


def test_states() -> None:
    assert speakers.state(row(1, 1)) == "waiting"
    assert speakers.state(row(1, 1, given=1)) == "speaking"
    assert speakers.state(row(1, 1, given=1, ended=2)) == "spoken"
    assert speakers.state(row(1, 1, withdrawn=1)) == "withdrawn"
    assert speakers.duration(row(1, 1, given=1)) is None


# --- over HTTP ---------------------------------------------------------------------------------


async def _clients(make_client: Any) -> dict[str, Any]:
    clients = {}
    for name, email in EMAILS.items():
        clients[name] = make_client()
        assert (await clients[name].api_login(email)).status_code == 200
    return clients


async def ok(client: Any, method: str, url: str, body: Any = None) -> Any:
    response = await client.send(method, url, json=body)
    assert response.status_code in (200, 201), f"{method} {url}: {response.status_code} {response.text}"
    return response.json()


async def refused(client: Any, method: str, url: str, status: int, text: str) -> None:
    response = await client.send(method, url)
    assert response.status_code == status, f"{method} {url}: {response.status_code} {response.text}"
    assert text in response.json()["detail"], response.json()["detail"]


async def _items(client: Any) -> dict[str, int]:
    return {item["number"]: item["id"] for item in await ok(client, "GET", f"{API}/agenda")}


async def _in_session(clients: dict[str, Any]) -> dict[str, int]:
    """The chair opens the meeting and takes up item 1 (the adoption of the agenda)."""
    chair = clients["chair"]
    items = await _items(chair)
    assert (await ok(chair, "POST", f"{API}/status", {"status": "open"}))["status"] == "open"
    await ok(chair, "POST", f"{API}/agenda/items/{items['1']}/open")
    return items


async def test_the_queue_the_floor_and_the_times(demo, make_client) -> None:
    clients = await _clients(make_client)
    chair = clients["chair"]
    items = await _items(chair)

    # Not before the meeting is open, and not without an item under discussion.
    await refused(clients["guangzhou"], "POST", f"{API}/speakers", 409, "not in session")
    await ok(chair, "POST", f"{API}/status", {"status": "open"})
    await refused(clients["guangzhou"], "POST", f"{API}/speakers", 409, "No item is under discussion")
    await ok(chair, "POST", f"{API}/agenda/items/{items['1']}/open")

    asked = {}
    for name in ("guangzhou", "berlin", "seoul"):
        response = await clients[name].send("POST", f"{API}/speakers")
        assert response.status_code == 201, response.text
        asked[name] = response.json()
    assert [asked[n]["position"] for n in ("guangzhou", "berlin", "seoul")] == [1, 2, 3]
    assert asked["guangzhou"]["member"] == "guangzhou" and asked["guangzhou"]["person_name"] == "Chen Jianhua"
    assert asked["berlin"]["state"] == "waiting" and asked["berlin"]["item_number"] == "1"

    # One waiting request per person and item.
    await refused(clients["guangzhou"], "POST", f"{API}/speakers", 409, "already asked for the floor")

    queue = await ok(clients["observer"], "GET", f"{API}/speakers")
    assert queue["item"] == items["1"] and queue["current"] is None
    assert [(s["member"], s["position"]) for s in queue["waiting"]] == [("guangzhou", 1), ("berlin", 2), ("seoul", 3)]

    # The chair may take speakers out of order.
    given = await ok(chair, "POST", f"{API}/speakers/{asked['berlin']['id']}/give")
    assert given["state"] == "speaking" and given["given_at"] is not None and given["position"] is None
    await refused(clients["berlin"], "POST", f"{API}/speakers", 409, "You have the floor already")
    queue = await ok(chair, "GET", f"{API}/speakers")
    assert queue["current"]["member"] == "berlin"
    assert [(s["member"], s["position"]) for s in queue["waiting"]] == [("guangzhou", 1), ("seoul", 2)]

    # "Next speaker": giving the floor ends the current speaker at the same instant.
    given = await ok(chair, "POST", f"{API}/speakers/{asked['guangzhou']['id']}/give")
    queue = await ok(chair, "GET", f"{API}/speakers")
    assert queue["current"]["member"] == "guangzhou"
    [berlin] = queue["spoken"]
    assert berlin["member"] == "berlin" and berlin["state"] == "spoken"
    assert berlin["ended_at"] == given["given_at"]
    spoke = dt.datetime.fromisoformat(berlin["ended_at"]) - dt.datetime.fromisoformat(berlin["given_at"])
    assert berlin["duration_seconds"] == round(spoke.total_seconds())

    ended = await ok(chair, "POST", f"{API}/speakers/end")
    assert ended["member"] == "guangzhou" and ended["state"] == "spoken" and ended["ended_at"] is not None
    await refused(chair, "POST", f"{API}/speakers/end", 409, "Nobody has the floor")
    queue = await ok(chair, "GET", f"{API}/speakers")
    assert queue["current"] is None
    assert [s["member"] for s in queue["spoken"]] == ["berlin", "guangzhou"]
    assert queue["spoken_seconds"] == sum(s["duration_seconds"] for s in queue["spoken"])

    # A console a few seconds behind does not end the next speaker by mistake.
    await ok(chair, "POST", f"{API}/speakers/{asked['seoul']['id']}/give")
    await refused(chair, "POST", f"{API}/speakers/end?request_id={asked['berlin']['id']}", 409, "no longer has")
    await refused(chair, "POST", f"{API}/speakers/end?request_id=999999", 404, "No such request")
    ended = await ok(chair, "POST", f"{API}/speakers/end?request_id={asked['seoul']['id']}")
    assert ended["member"] == "seoul" and ended["state"] == "spoken"

    # Having spoken, one may ask again; a granted request cannot be given twice.
    again = await ok(clients["berlin"], "POST", f"{API}/speakers")
    assert again["id"] != asked["berlin"]["id"] and again["position"] == 1
    await refused(chair, "POST", f"{API}/speakers/{asked['berlin']['id']}/give", 409, "already spoken")

    # The recorded times, in the table itself.
    rows = await SpeakerRequest.select().where(SpeakerRequest.id.is_in([a["id"] for a in asked.values()]))
    for r in rows:
        assert r["requested_at"] <= r["given_at"] <= r["ended_at"], r
        assert r["withdrawn_at"] is None

    # The log says who did what, when.
    events = await ok(clients["desk"], "GET", f"{API}/log")
    floor = [e for e in events if e["kind"].startswith("floor_")]
    assert [e["kind"] for e in floor] == [
        "floor_requested",
        "floor_requested",
        "floor_requested",
        "floor_given",
        "floor_ended",
        "floor_given",
        "floor_ended",
        "floor_given",
        "floor_ended",
        "floor_requested",
    ]
    assert floor[0]["actor"] == "Chen Jianhua" and floor[0]["payload"]["item"] == "1"
    assert floor[3]["actor"] == "Jean-Paul Huchon" and floor[3]["payload"]["request"] == asked["berlin"]["id"]
    # Berlin's floor ended because Guangzhou was given it; same instant in the log.
    assert floor[4]["payload"]["request"] == asked["berlin"]["id"]
    assert floor[4]["payload"]["next_request"] == asked["guangzhou"]["id"]
    assert floor[4]["payload"]["seconds"] == berlin["duration_seconds"]
    assert floor[4]["at"] == floor[5]["at"]
    assert "next_request" not in floor[6]["payload"]


async def test_withdrawing_and_the_refusals(demo, make_client) -> None:
    clients = await _clients(make_client)
    chair, berlin = clients["chair"], clients["berlin"]
    items = await _in_session(clients)

    # Who may do what.
    await refused(clients["observer"], "POST", f"{API}/speakers", 403, "representative")
    assert (await clients["observer"].send("GET", f"{API}/speakers")).status_code == 200
    asked = await ok(berlin, "POST", f"{API}/speakers")
    await refused(clients["guangzhou"], "POST", f"{API}/speakers/{asked['id']}/give", 403, "Only the chair")
    await refused(clients["guangzhou"], "POST", f"{API}/speakers/end", 403, "Only the chair")
    # The demo's statutes do not let the secretary drive the agenda.
    await refused(clients["desk"], "POST", f"{API}/speakers/{asked['id']}/give", 403, "Only the chair")
    await refused(chair, "POST", f"{API}/speakers/999999/give", 404, "No such request")

    # Only one's own request, and only while it waits.
    await refused(clients["guangzhou"], "POST", f"{API}/speakers/{asked['id']}/withdraw", 403, "Only the person")
    withdrawn = await ok(berlin, "POST", f"{API}/speakers/{asked['id']}/withdraw")
    assert withdrawn["state"] == "withdrawn" and withdrawn["withdrawn_at"] is not None
    await refused(berlin, "POST", f"{API}/speakers/{asked['id']}/withdraw", 409, "already withdrawn")
    await refused(chair, "POST", f"{API}/speakers/{asked['id']}/give", 409, "withdrew")
    assert (await ok(chair, "GET", f"{API}/speakers"))["waiting"] == []

    again = await ok(berlin, "POST", f"{API}/speakers")
    await ok(chair, "POST", f"{API}/speakers/{again['id']}/give")
    await refused(chair, "POST", f"{API}/speakers/{again['id']}/give", 409, "has the floor already")
    await refused(berlin, "POST", f"{API}/speakers/{again['id']}/withdraw", 409, "can no longer be withdrawn")
    await ok(chair, "POST", f"{API}/speakers/end")

    # A request left waiting when its item closes cannot be given the floor later.
    left = await ok(clients["seoul"], "POST", f"{API}/speakers")
    await ok(chair, "POST", f"{API}/agenda/items/{items['1']}/close")
    queue = await ok(chair, "GET", f"{API}/speakers")
    assert queue["item"] is None and queue["waiting"] == []
    await refused(chair, "POST", f"{API}/speakers/{left['id']}/give", 409, "not under discussion")
    await refused(clients["guangzhou"], "POST", f"{API}/speakers", 409, "No item is under discussion")

    # A suspended meeting hears nobody.
    await ok(chair, "POST", f"{API}/status", {"status": "suspended"})
    await refused(clients["guangzhou"], "POST", f"{API}/speakers", 409, "not in session")

    events = [e["kind"] for e in await ok(clients["desk"], "GET", f"{API}/log") if e["kind"].startswith("floor_")]
    assert events.count("floor_withdrawn") == 1
    assert events == [
        "floor_requested",
        "floor_withdrawn",
        "floor_requested",
        "floor_given",
        "floor_ended",
        "floor_requested",
    ]


async def test_the_tablet_the_console_and_the_projector(demo, make_client) -> None:
    api = await _clients(make_client)
    await _in_session(api)
    tablets = {}
    for name in ("chair", "guangzhou", "berlin", "observer"):
        tablets[name] = make_client()
        assert (await tablets[name].page_login(EMAILS[name])).status_code == 303
    guangzhou, console = tablets["guangzhou"], tablets["chair"]

    page = (await guangzhou.get(PAGE)).text
    assert "Nobody has the floor." in page and "Ask for the floor" in page
    assert "Ask for the floor" not in (await tablets["observer"].get(PAGE)).text

    response = await guangzhou.post_form(f"{PAGE}/speakers", {"back": "tablet"})
    assert response.status_code == 303 and response.headers["location"] == PAGE
    response = await tablets["berlin"].post_form(f"{PAGE}/speakers", {"back": "tablet"})
    assert response.status_code == 303
    page = (await tablets["berlin"].get(PAGE)).text
    assert "Withdraw my request" in page and "You are number 2 in the queue." in page
    assert "Ask for the floor" not in page

    # A second tap: the tablet again, with the reason.
    response = await guangzhou.post_form(f"{PAGE}/speakers", {"back": "tablet"})
    assert response.status_code == 409 and "already asked for the floor" in response.text

    # The console: the queue, in order, with a button each.
    page = (await console.get(f"{PAGE}/console")).text
    assert page.index("Chen Jianhua (Guangzhou)") < page.index("(Berlin)")
    assert page.count("Give the floor") == 2
    queue = await ok(api["chair"], "GET", f"{API}/speakers")
    first, second = (s["id"] for s in queue["waiting"])
    response = await console.post_form(f"{PAGE}/speakers/{first}/give", {"back": "console"})
    assert response.status_code == 303 and response.headers["location"] == f"{PAGE}/console"
    page = (await console.get(f"{PAGE}/console")).text
    assert "On the floor: Chen Jianhua" in page and page.count("Give the floor") == 1
    assert f'name="request_id" value="{first}"' in page
    assert "Giving the floor ends the current speaker" in page

    assert "You have the floor." in (await guangzhou.get(PAGE)).text
    page = (await tablets["berlin"].get(PAGE)).text
    assert "On the floor: Chen Jianhua" in page and "You are number 1 in the queue." in page
    page = (await tablets["observer"].get(f"{PAGE}/projector")).text
    assert "On the floor: Chen Jianhua" in page and "(Berlin)" in page and "Give the floor" not in page

    # Next speaker, then end; the console lists who spoke, for how long.
    assert (await console.post_form(f"{PAGE}/speakers/{second}/give", {"back": "console"})).status_code == 303
    response = await console.post_form(f"{PAGE}/speakers/end", {"back": "console", "request_id": str(second)})
    assert response.status_code == 303
    page = (await console.get(f"{PAGE}/console")).text
    assert "Nobody has the floor." in page and "Spoken on this item: 2" in page
    response = await console.post_form(f"{PAGE}/speakers/end", {"back": "console"})
    assert response.status_code == 409 and "Nobody has the floor." in response.text

    # Withdrawing from the tablet; refusals keep their status on pages too.
    response = await tablets["berlin"].post_form(f"{PAGE}/speakers", {"back": "tablet"})
    assert response.status_code == 303
    mine = (await ok(api["berlin"], "GET", f"{API}/speakers"))["waiting"][0]
    response = await tablets["berlin"].post_form(f"{PAGE}/speakers/{mine['id']}/withdraw", {"back": "tablet"})
    assert response.status_code == 303
    assert "Ask for the floor" in (await tablets["berlin"].get(PAGE)).text
    assert (await tablets["observer"].post_form(f"{PAGE}/speakers", {"back": "tablet"})).status_code == 403
    assert (await guangzhou.post_form(f"{PAGE}/speakers/end", {"back": "console"})).status_code == 403


async def test_the_database_backs_one_waiting_request(demo, make_client, monkeypatch) -> None:
    """Two taps that race past the service's check: the unique index refuses the second,
    and the representative gets the same sentence, not a 500."""
    clients = await _clients(make_client)
    await _in_session(clients)

    class Unchecked:
        def where(self, *_: Any) -> Unchecked:
            return self

        def __await__(self) -> Any:
            async def nothing() -> bool:
                return False

            return nothing().__await__()

    monkeypatch.setattr(SpeakerRequest, "exists", classmethod(lambda cls: Unchecked()))
    await ok(clients["seoul"], "POST", f"{API}/speakers")
    await refused(clients["seoul"], "POST", f"{API}/speakers", 409, "already asked for the floor")
    assert len((await ok(clients["seoul"], "GET", f"{API}/speakers"))["waiting"]) == 1
    assert [e["kind"] for e in await ok(clients["desk"], "GET", f"{API}/log")].count("floor_requested") == 1
