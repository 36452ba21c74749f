"""Sittings, motions and elections of the demo Board, set up through the API for the wire and
room secrecy tests (tests/security/test_wire_secrecy.py, test_room_secrecy.py)."""

from __future__ import annotations

from governance.organisations.tables import Member, RuleSet
from tests.support.polls import API, VOTERS, voter

CANDIDATES = ["rabat", "montreal", "brussels"]


async def _rules(**values) -> None:
    await RuleSet.update({getattr(RuleSet, k): v for k, v in values.items()}).where(RuleSet.title.like("%Board%"))


async def _sitting(make_client):
    desk, chair = make_client(), make_client()
    await desk.api_login("secretary@metropolis.demo")
    await chair.api_login("paris-idf@metropolis.demo")
    for member in VOTERS:
        assert (await desk.send("POST", f"{API}/arrivals", json={"member": member})).status_code == 201
    await chair.send("POST", f"{API}/status", json={"status": "open"})
    return desk, chair


async def _motion(make_client, desk, chair, item_id=None, **extra):
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


async def _open(chair, motion, method="secret"):
    opened = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"], "method": method})
    assert opened.status_code == 201, opened.text
    return opened.json()


async def _election(make_client, desk, chair, seats: int, candidates: list[str], method: str = "secret"):
    """An election item (the agenda adopted by a show of hands first), its candidates, a secret poll."""
    item = await chair.send(
        "POST",
        f"{API}/agenda/items",
        json={"number": "9", "title_en": "Election", "kind": "election", "decision_type": "election"},
    )
    assert item.status_code == 201, item.text
    agenda = await _motion(make_client, desk, chair)
    hands = await _open(chair, agenda, "show_of_hands")
    counted = {"yes": len(VOTERS), "no": 0, "abstain": 0, "tellers": "Secretariat"}
    assert (await chair.send("POST", f"{API}/polls/{hands['id']}/close", json=counted)).status_code == 200
    await chair.send("POST", f"{API}/agenda/items/{agenda['item']}/close")
    assert (await chair.send("POST", f"{API}/agenda/items/{item.json()['id']}/open")).status_code == 200
    motion = await _motion(make_client, desk, chair, item_id=item.json()["id"], seats=seats, text_fr="Élection")
    for member in candidates:
        nominated = await chair.send("POST", f"{API}/motions/{motion['id']}/candidates", json={"member": member})
        assert nominated.status_code == 201, nominated.text
    return await _open(chair, motion, method)


async def _ids(slugs: list[str]) -> dict[str, int]:
    rows = await Member.select(Member.slug, Member.id).where(
        Member.slug.is_in(slugs) & (Member.organisation.slug == "metropolis")
    )
    return {r["slug"]: r["id"] for r in rows}


