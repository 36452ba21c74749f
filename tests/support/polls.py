"""The demo Board meeting (Guangzhou 2012) played through the JSON API up to a vote.

Each helper is one step a test names in the domain's words: a sitting opened with members
present, a motion moved, seconded and put to the vote, a poll opened, a ballot cast.
"""

from __future__ import annotations

import secrets
from typing import Any

from governance.organisations.tables import RuleSet

SLUG = "metropolis-bod-2012"
API = f"/api/v1/meetings/{SLUG}"
# Fifteen members present: the Board's quorum is 14 of 27.
VOTERS = [
    "paris-idf",
    "guangzhou",
    "barcelona",
    "berlin",
    "brussels",
    "seoul",
    "montreal",
    "mexico-city",
    "moscow",
    "milan",
    "lyon",
    "istanbul",
    "abidjan",
    "johannesburg",
    "rabat",
]


def token() -> str:
    """A fresh idempotency token for one cast."""
    return secrets.token_urlsafe(24)


async def voter(make_client: Any, member: str) -> Any:
    """A tablet signed in as the member's delegate."""
    client = make_client()
    assert (await client.api_login(f"{member}@metropolis.demo")).status_code == 200
    return client


async def put_to_the_vote(make_client: Any, present: list[str] = VOTERS, method: str = "roll_call") -> Any:
    """Fifteen voters present (quorum 14 of 27), the agenda adopted, a motion put to the vote:
    ``(desk, chair, motion, poll)``."""
    desk, chair = make_client(), make_client()
    await desk.api_login("secretary@metropolis.demo")
    await chair.api_login("paris-idf@metropolis.demo")
    for member in present:
        assert (await desk.send("POST", f"{API}/arrivals", json={"member": member})).status_code == 201
    await chair.send("POST", f"{API}/status", json={"status": "open"})
    items = (await chair.get(f"{API}/agenda")).json()
    await chair.send("POST", f"{API}/agenda/items/{items[0]['id']}/open")
    motion = (
        await desk.send(
            "POST",
            f"{API}/motions",
            json={"item": items[0]["id"], "mover": "seoul", "text_fr": "Le Conseil adopte l'ordre du jour."},
        )
    ).json()
    await (await voter(make_client, "berlin")).send("POST", f"{API}/motions/{motion['id']}/second")
    for status in ("debate", "voting"):
        await chair.send("POST", f"{API}/motions/{motion['id']}/status", json={"status": status})
    opened = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"], "method": method})
    assert opened.status_code == 201, opened.text
    return desk, chair, motion, opened.json()


async def set_board_rules(**values: Any) -> None:
    """Statute clauses for one test (the demo Board's rule set, edited in place)."""
    await RuleSet.update({getattr(RuleSet, k): v for k, v in values.items()}).where(RuleSet.title.like("%Board%"))


async def open_sitting(make_client: Any, present: list[str] = VOTERS) -> Any:
    """The members present signed in by the desk, the meeting opened by the chair: ``(desk, chair)``."""
    desk, chair = make_client(), make_client()
    await desk.api_login("secretary@metropolis.demo")
    await chair.api_login("paris-idf@metropolis.demo")
    for member in present:
        assert (await desk.send("POST", f"{API}/arrivals", json={"member": member})).status_code == 201
    await chair.send("POST", f"{API}/status", json={"status": "open"})
    return desk, chair


async def move_motion(make_client: Any, desk: Any, chair: Any, item_id: int | None = None, **extra: Any) -> Any:
    """A motion moved by Seoul, seconded by Berlin, through debate to voting (on the first item,
    taken up, unless one is named)."""
    if item_id is None:
        items = (await chair.get(f"{API}/agenda")).json()
        item_id = items[0]["id"]
        await chair.send("POST", f"{API}/agenda/items/{item_id}/open")
    body = {"item": item_id, "mover": "seoul", "text_fr": "Le Conseil décide.", **extra}
    motion = await desk.send("POST", f"{API}/motions", json=body)
    assert motion.status_code == 201, motion.text
    motion = motion.json()
    await (await voter(make_client, "berlin")).send("POST", f"{API}/motions/{motion['id']}/second")
    for status in ("debate", "voting"):
        moved = await chair.send("POST", f"{API}/motions/{motion['id']}/status", json={"status": status})
        assert moved.status_code == 200, moved.text
    return motion


async def open_poll(chair: Any, motion: Any, method: str) -> Any:
    opened = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"], "method": method})
    assert opened.status_code == 201, opened.text
    return opened.json()


async def cast_ballot(client: Any, poll: Any, member: str, choice: str, **extra: Any) -> Any:
    """The raw answer (tests assert on refusals too)."""
    return await client.send(
        "POST",
        f"{API}/polls/{poll['id']}/ballots",
        json={"member": member, "choice": choice, "token": token(), **extra},
    )


async def open_election_item(
    make_client: Any,
    desk: Any,
    chair: Any,
    title: str = "Election of two Vice-Presidents",
    present: list[str] = VOTERS,
) -> Any:
    """An election item added to the agenda, the agenda adopted (by a show of hands), the item taken up."""
    item = await chair.send(
        "POST",
        f"{API}/agenda/items",
        json={"number": "9", "title_en": title, "kind": "election", "decision_type": "election"},
    )
    assert item.status_code == 201, item.text
    agenda = await move_motion(make_client, desk, chair)
    hands = await open_poll(chair, agenda, "show_of_hands")
    counted = {"yes": len(present), "no": 0, "abstain": 0, "tellers": "Secretariat"}
    assert (await chair.send("POST", f"{API}/polls/{hands['id']}/close", json=counted)).json()["outcome"] == "adopted"
    await chair.send("POST", f"{API}/agenda/items/{agenda['item']}/close")
    opened = await chair.send("POST", f"{API}/agenda/items/{item.json()['id']}/open")
    assert opened.status_code == 200, opened.text
    return item.json()["id"]
