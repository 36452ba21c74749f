"""Polls on motions: the quorum before opening, one ballot per member (by the database),
retries get the first answer, secret ballots carry nothing that links or orders them,
casts racing the close are counted or refused, results with their arithmetic."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from governance import db
from governance.agenda.tables import Motion
from governance.polls import store
from governance.polls.tables import Participation, Poll, RollCallVote
from tests.support.polls import API, SLUG, VOTERS, token, voter
from tests.support.polls import put_to_the_vote as _session


async def test_a_roll_call_vote_adopts_with_its_arithmetic(demo, make_client):
    desk, chair, motion, poll = await _session(make_client)
    assert poll["electorate"] == 15 and poll["voted"] == 0 and poll["yes"] is None
    choices = {m: ("no" if m in ("milan", "lyon", "istanbul") else "yes") for m in VOTERS}
    choices["rabat"] = "abstain"
    for member, choice in choices.items():
        client = await voter(make_client, member)
        cast = await client.send(
            "POST", f"{API}/polls/{poll['id']}/ballots", json={"member": member, "choice": choice, "token": token()}
        )
        assert cast.status_code == 201, cast.text
        assert len(cast.json()["receipt"]) == 64
    progress = (await desk.get(f"{API}/polls/{poll['id']}")).json()
    assert progress["voted"] == 15 and progress["yes"] is None  # only "n of N" while open
    closed = (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).json()
    assert (closed["yes"], closed["no"], closed["abstain"], closed["outcome"]) == (11, 3, 1, "adopted")
    assert closed["arithmetic"].startswith(
        "more than 1/2 of 14 (cast excluding abstentions) = 8; yes 11, no 3, abstain 1: adopted"
    )
    adopted = await Motion.select(Motion.status, Motion.decision_number).where(Motion.id == motion["id"]).first()
    assert adopted == {"status": "adopted", "decision_number": "BoD-2012-01"}
    named = (await desk.get(f"{API}/polls/{poll['id']}/ballots")).json()
    assert [(b["choice"], b["weight"]) for b in named if b["member"] == "Greater Lyon"] == [("no", 1)]
    assert [b["id"] for b in named] == sorted(b["id"] for b in named) and len(named) == 15


async def test_no_quorum_no_poll(demo, make_client):
    desk, chair = make_client(), make_client()
    await desk.api_login("secretary@metropolis.demo")
    await chair.api_login("paris-idf@metropolis.demo")
    await desk.send("POST", f"{API}/arrivals", json={"member": "paris-idf"})
    await chair.send("POST", f"{API}/status", json={"status": "open"})
    items = (await chair.get(f"{API}/agenda")).json()
    await chair.send("POST", f"{API}/agenda/items/{items[0]['id']}/open")
    motion = (
        await desk.send(
            "POST", f"{API}/motions", json={"item": items[0]["id"], "mover": "seoul", "text_fr": "Adopter."}
        )
    ).json()
    # Without a seconder and a debate the motion is not put to the vote yet.
    refused = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"]})
    assert refused.status_code == 409 and "Put the motion to the vote first" in refused.json()["detail"]
    berlin = await voter(make_client, "berlin")
    await berlin.send("POST", f"{API}/motions/{motion['id']}/second")
    for status in ("debate", "voting"):
        await chair.send("POST", f"{API}/motions/{motion['id']}/status", json={"status": status})
    refused = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"]})
    assert refused.status_code == 409 and refused.json()["detail"] == "No quorum (1 of 14): the vote cannot open."
    assert await Poll.count() == 0


async def test_fifty_concurrent_casts_for_one_member_give_one_ballot(demo, make_client):
    _desk, _chair, _motion, poll = await _session(make_client)
    guangzhou = await voter(make_client, "guangzhou")
    url = f"{API}/polls/{poll['id']}/ballots"
    responses = await asyncio.gather(
        *[
            guangzhou.send("POST", url, json={"member": "guangzhou", "choice": "yes", "token": token()})
            for _ in range(50)
        ]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1 and statuses.count(409) == 49, statuses
    assert all("has already voted" in r.json()["detail"] for r in responses if r.status_code == 409)
    assert await Participation.count() == 1 and await RollCallVote.count() == 1


async def test_a_retry_gets_the_first_answer(demo, make_client):
    _desk, chair, _motion, poll = await _session(make_client, method="secret")
    seoul = await voter(make_client, "seoul")
    url = f"{API}/polls/{poll['id']}/ballots"
    same = token()
    first = await seoul.send("POST", url, json={"member": "seoul", "choice": "no", "token": same})
    again = await asyncio.gather(
        *[seoul.send("POST", url, json={"member": "seoul", "choice": "no", "token": same}) for _ in range(10)]
    )
    assert first.status_code == 201
    assert {r.status_code for r in again} == {201}
    assert {r.json()["receipt"] for r in again} == {first.json()["receipt"]}
    assert len(await store.open_ballots(poll["id"])) == 1  # one (sealed) ballot in the open poll
    # Even after the close, the retry gets its answer, and a new ballot is refused with the time.
    await chair.send("POST", f"{API}/polls/{poll['id']}/close")
    assert (await seoul.send("POST", url, json={"member": "seoul", "choice": "no", "token": same})).json()[
        "receipt"
    ] == first.json()["receipt"]
    late = await (await voter(make_client, "berlin")).send(
        "POST", url, json={"member": "berlin", "choice": "yes", "token": token()}
    )
    assert late.status_code == 409 and "The poll closed at" in late.json()["detail"]


async def test_secret_ballots_hide_who_voted_what(demo, make_client):
    desk, chair, _motion, poll = await _session(make_client, method="secret")
    sizes = set()
    receipts = {}
    for member in VOTERS:
        client = await voter(make_client, member)
        choice = "yes" if member < "m" else "no"
        response = await client.send(
            "POST", f"{API}/polls/{poll['id']}/ballots", json={"member": member, "choice": choice, "token": token()}
        )
        sizes.add(len(response.content))
        receipts[member] = response.json()["receipt"]
    assert len(sizes) == 1  # the confirmation has the same size whatever the choice
    while_open = await desk.get(f"{API}/polls/{poll['id']}/ballots")
    assert while_open.status_code == 409
    closed = (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).json()
    assert closed["yes"] + closed["no"] == 15
    published = (await desk.get(f"{API}/polls/{poll['id']}/ballots")).json()
    assert [b["id"] for b in published] == sorted(b["id"] for b in published)
    assert all(b["member"] is None for b in published)
    # Each voter finds their ballot by their receipt, and anyone recomputes each receipt
    # from the published leaf (docs/record-format.md §5); nobody can link it to a member.
    import hashlib
    import json

    ids = {b["id"] for b in published}
    assert set(receipts.values()) == ids
    for ballot in published:
        leaf = {"poll": poll["id"], "choice": ballot["choice"], "weight": ballot["weight"], "nonce": ballot["nonce"]}
        encoded = json.dumps(leaf, sort_keys=True, separators=(",", ":")).encode()
        assert hashlib.sha256(encoded).hexdigest() == ballot["id"]
    events = (await desk.get(f"{API}/log")).json()
    assert not [e for e in events if "ballot" in e["kind"]]  # no log line per secret ballot


async def test_secret_ballot_storage_has_nothing_to_link_or_order(fresh_db):
    async def columns(table: str) -> dict[str, str]:
        if db.is_sqlite():
            rows = await db.engine().run_ddl(f"PRAGMA table_info({table})")
            return {row["name"]: row["type"] for row in rows}
        rows = await db.engine().run_ddl(
            f"SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '{table}'"
        )
        return {row["column_name"]: row["data_type"] for row in rows}

    # The leaf's fields (the nonce is random per ballot) and the receipt as id: no member,
    # no timestamp, no sequence.
    ballot = await columns("secret_ballot")
    assert set(ballot) == {"id", "poll", "choice", "weight", "nonce"}
    assert "int" not in ballot["id"].lower()  # not a sequence
    # An open poll's ballots: sealed under a key the database never holds (no member, no time,
    # no choice, no nonce in the clear).
    assert set(await columns("sealed_ballot")) == {"id", "poll", "lookup", "sealed"}


async def test_casts_racing_the_close_are_counted_or_refused(demo, make_client):
    _desk, chair, _motion, poll = await _session(make_client)
    clients = {member: await voter(make_client, member) for member in VOTERS[1:]}
    url = f"{API}/polls/{poll['id']}/ballots"
    casts = [clients[m].send("POST", url, json={"member": m, "choice": "yes", "token": token()}) for m in clients]
    results = await asyncio.gather(*casts[:7], chair.send("POST", f"{API}/polls/{poll['id']}/close"), *casts[7:])
    close = results[7]
    ballots = [r for i, r in enumerate(results) if i != 7]
    assert close.status_code == 200
    accepted = [r for r in ballots if r.status_code == 201]
    refused = [r for r in ballots if r.status_code != 201]
    assert all(r.status_code == 409 and "The poll closed at" in r.json()["detail"] for r in refused)
    # Every accepted ballot is in the count; none was accepted and dropped.
    assert close.json()["yes"] == len(accepted) == await RollCallVote.count()


async def test_who_may_vote_for_whom(demo, make_client):
    desk = make_client()
    await desk.api_login("secretary@metropolis.demo")
    for member in VOTERS:
        await desk.send("POST", f"{API}/arrivals", json={"member": member})
    # Tehran (absent) gives its proxy to Berlin; Seoul declares a conflict on the item.
    proxy = (await desk.send("POST", f"{API}/proxies", json={"grantor": "tehran", "holder": "berlin"})).json()
    tehran = await voter(make_client, "tehran")
    assert (await tehran.send("POST", f"{API}/proxies/{proxy['id']}/confirm")).status_code == 200
    berlin = await voter(make_client, "berlin")
    await berlin.send("POST", f"{API}/proxies/{proxy['id']}/accept")
    chair = make_client()
    await chair.api_login("paris-idf@metropolis.demo")
    await chair.send("POST", f"{API}/status", json={"status": "open"})
    items = (await chair.get(f"{API}/agenda")).json()
    await chair.send("POST", f"{API}/agenda/items/{items[0]['id']}/open")
    seoul = await voter(make_client, "seoul")
    await seoul.send("POST", f"{API}/agenda/items/{items[0]['id']}/recusals", json={"reason": "conflict of interest"})
    motion = (
        await desk.send("POST", f"{API}/motions", json={"item": items[0]["id"], "mover": "lyon", "text_fr": "Adopter."})
    ).json()
    await berlin.send("POST", f"{API}/motions/{motion['id']}/second")
    for status in ("debate", "voting"):
        await chair.send("POST", f"{API}/motions/{motion['id']}/status", json={"status": status})
    poll = (await chair.send("POST", f"{API}/polls", json={"motion": motion["id"]})).json()
    assert poll["electorate"] == 15  # 15 present - Seoul (recused) + Tehran (by proxy)
    mine = (await berlin.get(f"{API}/polls/{poll['id']}")).json()["mine"]
    assert {(m["member"], m["by_proxy"]) for m in mine} == {("berlin", False), ("tehran", True)}
    url = f"{API}/polls/{poll['id']}/ballots"
    assert (
        await berlin.send("POST", url, json={"member": "tehran", "choice": "no", "token": token()})
    ).status_code == 201
    recused = await seoul.send("POST", url, json={"member": "seoul", "choice": "yes", "token": token()})
    assert recused.status_code == 403 and "not in this poll's electorate" in recused.json()["detail"]
    other = await seoul.send("POST", url, json={"member": "berlin", "choice": "yes", "token": token()})
    assert other.status_code == 403 and "You do not cast the vote of Berlin" in other.json()["detail"]
    invalid = await berlin.send("POST", url, json={"member": "berlin", "choice": "maybe", "token": token()})
    assert invalid.status_code == 422 and invalid.json()["detail"] == "Choose one of: yes, no, abstain."
    assert await Participation.count() == 1


@settings(max_examples=15, deadline=None)
@given(st.permutations(list(range(8))))
def test_publication_order_does_not_depend_on_casting_order(order):
    """The published list is sorted by ballot id, a hash of a random receipt: the same
    ballots cast in any order publish in the same order."""
    import hashlib

    receipts = [hashlib.sha256(f"receipt-{i}".encode()).hexdigest() for i in range(8)]
    cast_in_order = [hashlib.sha256(receipts[i].encode()).hexdigest() for i in order]
    assert sorted(cast_in_order) == sorted(hashlib.sha256(r.encode()).hexdigest() for r in receipts)


async def test_the_tablet_votes_with_an_explicit_confirmation_and_a_receipt(demo, make_client):
    desk, chair = make_client(), make_client()
    await desk.api_login("secretary@metropolis.demo")
    await chair.page_login("paris-idf@metropolis.demo")
    for member in VOTERS:
        await desk.send("POST", f"{API}/arrivals", json={"member": member})
    await chair.send("POST", f"{API}/status", json={"status": "open"})
    items = (await chair.get(f"{API}/agenda")).json()
    await chair.send("POST", f"{API}/agenda/items/{items[0]['id']}/open")
    motion = (
        await desk.send(
            "POST", f"{API}/motions", json={"item": items[0]["id"], "mover": "seoul", "text_fr": "Adopter."}
        )
    ).json()
    await (await voter(make_client, "berlin")).send("POST", f"{API}/motions/{motion['id']}/second")
    for status in ("debate", "voting"):
        await chair.send("POST", f"{API}/motions/{motion['id']}/status", json={"status": status})
    console = await chair.get(f"/meetings/{SLUG}/console")
    assert "Open a secret ballot" in console.text
    opened = await chair.post_form(
        f"/meetings/{SLUG}/polls",
        {"motion": str(motion["id"]), "method": "secret", "back": "console"},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    poll = (await chair.get(f"{API}/polls")).json()[0]
    tablet = make_client()
    await tablet.page_login("guangzhou@metropolis.demo")
    page = await tablet.get(f"/meetings/{SLUG}")
    assert "Vote for Guangzhou" in page.text and "0 of 15 voted" in page.text
    confirm = await tablet.post_form(
        f"/meetings/{SLUG}/polls/{poll['id']}/confirm", {"member": "guangzhou", "choice": "yes"}
    )
    assert "You are voting YES for Guangzhou." in confirm.text
    assert await Participation.count() == 0  # nothing recorded before the confirmation
    form_token = confirm.text.split('name="token" value="')[1].split('"')[0]
    receipt = await tablet.post_form(
        f"/meetings/{SLUG}/polls/{poll['id']}/ballots", {"member": "guangzhou", "choice": "yes", "token": form_token}
    )
    assert "Your vote is recorded." in receipt.text
    code = receipt.text.split("<code>")[1].split("</code>")[0]
    retried = await tablet.post_form(
        f"/meetings/{SLUG}/polls/{poll['id']}/ballots", {"member": "guangzhou", "choice": "yes", "token": form_token}
    )
    assert code in retried.text and len(await store.open_ballots(poll["id"])) == 1
    page = await tablet.get(f"/meetings/{SLUG}")
    assert "The vote of Guangzhou is recorded." in page.text and "1 of 15 voted" in page.text
    closed = await chair.post_form(
        f"/meetings/{SLUG}/polls/{poll['id']}/close", {"back": "console"}, follow_redirects=True
    )
    assert "Result of the vote" in closed.text and "Yes 1 · No 0 · Abstain 0" in closed.text


async def test_a_secret_poll_without_its_sealing_key_refuses_ballots_and_the_close(demo, make_client):
    """The key that seals an open poll's ballots lives beside the server, never in the database
    (docs/threat-model.md): a copy restored without it holds seals it cannot read. It says so,
    as a refusal (no 500, nothing written); the key file put back, the vote carries on."""
    from governance.polls import sealing

    _desk, chair, _motion, poll = await _session(make_client, method="secret")
    seoul = await voter(make_client, "seoul")
    url = f"{API}/polls/{poll['id']}/ballots"
    first = await seoul.send("POST", url, json={"member": "seoul", "choice": "no", "token": token()})
    assert first.status_code == 201
    key_file = sealing._path(poll["id"])
    kept = key_file.read_bytes()
    key_file.unlink()
    berlin = await voter(make_client, "berlin")
    refused = await berlin.send("POST", url, json={"member": "berlin", "choice": "yes", "token": token()})
    assert refused.status_code == 409 and "sealing key is missing" in refused.json()["detail"]
    assert await Participation.count().where(Participation.poll == poll["id"]) == 1  # nothing half-written
    closing = await chair.send("POST", f"{API}/polls/{poll['id']}/close")
    assert closing.status_code == 409 and "cannot count this vote" in closing.json()["detail"]
    key_file.write_bytes(kept)
    closed = (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).json()
    assert (closed["voted"], closed["no"]) == (1, 1)
    assert not key_file.exists(), "the key is deleted once the ballots are unsealed"
