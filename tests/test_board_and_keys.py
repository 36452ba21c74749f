"""The bulletin board of a closed poll (every ballot sorted by receipt, a search for one's code,
the leaves as JSON that recompute the receipts and the Merkle root), the signed checkpoint on
the projector and the console, and the organisation's public keys page (docs/record-format.md
§5, §6)."""

from __future__ import annotations

import hashlib
import html
import re

from governance.polls.tables import Poll
from governance.record import canonical, keys
from tests.support.polls import API, SLUG, voter
from tests.support.polls import cast_ballot as _cast
from tests.support.polls import move_motion as _motion
from tests.support.polls import open_poll as _open
from tests.support.polls import open_sitting as _sitting

BOARD_CODE = re.compile(r'<code class="code">([A-Z2-7]{5}-[A-Z2-7]{5})</code>')
FOUND = "Your ballot is on the board and was counted."
MISSING = "No ballot with this code in this poll."


async def _closed_secret_poll(make_client, voters=("berlin", "seoul", "milan", "lyon", "rabat", "guangzhou")):
    """A secret poll on the demo Board, ``voters`` cast (one abstains), closed by the chair."""
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "secret")
    receipts: dict[str, dict[str, str]] = {}
    clients = {}
    for member in voters:
        clients[member] = await voter(make_client, member)
        cast = await _cast(clients[member], poll, member, "abstain" if member == "rabat" else "yes")
        assert cast.status_code == 201, cast.text
        receipts[member] = cast.json()
    return desk, chair, poll, receipts, clients


def _board_url(poll, api=False) -> str:
    return f"{API if api else '/meetings/' + SLUG}/polls/{poll['id']}/board"


def _made_up_code(codes: set[str]) -> str:
    for candidate in ("AAAAA-AAAAA", "ZZZZZ-ZZZZZ", "ABCDE-FGHIJ"):
        if candidate not in codes:
            return candidate
    raise AssertionError("unreachable")


async def test_an_open_poll_has_no_board_yet(demo, make_client):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "secret")
    berlin = await voter(make_client, "berlin")
    assert (await _cast(berlin, poll, "berlin", "yes")).status_code == 201
    page = await berlin.get(_board_url(poll))
    assert page.status_code == 200
    assert "The bulletin board is published when the vote closes." in page.text
    assert "<table" not in page.text and "Merkle root" not in page.text
    api = await berlin.get(_board_url(poll, api=True))
    assert api.status_code == 409
    assert api.json()["detail"] == "The bulletin board is published when the vote closes."


async def test_the_board_lists_every_ballot_sorted_by_receipt_and_finds_a_code(demo, make_client):
    _desk, chair, poll, receipts, clients = await _closed_secret_poll(make_client)
    closed = await chair.send("POST", f"{API}/polls/{poll['id']}/close")
    assert closed.status_code == 200, closed.text
    berlin = clients["berlin"]

    page = await berlin.get(_board_url(poll))
    assert page.status_code == 200
    expected = [canonical.receipt_code(r) for r in sorted(r["receipt"] for r in receipts.values())]
    assert BOARD_CODE.findall(page.text) == expected  # exactly the ballots, in receipt order
    for receipt in receipts.values():
        assert receipt["receipt"] in page.text  # the full receipt, in its <details>
    assert (
        "Secret ballot" in page.text
        and "Adopted" in page.text
        # The arithmetic in the reader's language (English here), from the poll's numbers.
        and "Majority required: more than 1/2 of 5 votes cast, abstentions not counted, that is 3 votes in favour. "
        "For 5, against 0, abstentions 1. Result: adopted. (Art. 11.6 (demo))" in html.unescape(page.text)
        and closed.json()["arithmetic"].startswith("more than 1/2 of 5 (cast excluding abstentions) = 3")
    )
    row = await Poll.select(Poll.merkle_root, Poll.participation_hash).where(Poll.id == poll["id"]).first()
    assert row["merkle_root"] in page.text and row["participation_hash"] in page.text
    assert ">Abstain<" in page.text and ">Yes<" in page.text  # choices in words
    assert _board_url(poll, api=True) in page.text  # the download link
    assert FOUND not in page.text and MISSING not in page.text  # nothing searched yet

    # Berlin's real code, typed in lower case without the dash: found, and its row marked.
    code = receipts["berlin"]["code"]
    found = await berlin.get(_board_url(poll), params={"code": code.replace("-", "").lower()})
    assert found.status_code == 200
    assert FOUND in found.text and MISSING not in found.text
    assert 'role="status" aria-live="polite"' in found.text
    assert f'id="ballot-{code}" class="found" aria-current="true"' in found.text
    assert (await berlin.get(_board_url(poll), params={"code": code})).text.count('class="found"') == 1

    made_up = _made_up_code(set(expected))
    missing = await berlin.get(_board_url(poll), params={"code": made_up})
    assert missing.status_code == 200
    assert MISSING in missing.text and FOUND not in missing.text
    assert 'class="found"' not in missing.text

    nonsense = await berlin.get(_board_url(poll), params={"code": "not a code!"})
    assert nonsense.status_code == 200 and "This is not a receipt code" in nonsense.text

    # The closed poll's panel links to its board (the tablet here; projector and console alike).
    tablet = await berlin.get(f"/meetings/{SLUG}")
    assert f'href="{_board_url(poll)}"' in tablet.text


async def test_the_leaves_recompute_the_receipts_and_the_merkle_root(demo, make_client):
    _desk, chair, poll, receipts, clients = await _closed_secret_poll(make_client)
    assert (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).status_code == 200
    board = await clients["seoul"].get(_board_url(poll, api=True))
    assert board.status_code == 200, board.text
    body = board.json()
    assert set(body) == {"poll", "merkle_root", "participation_hash", "ballots", "leaves", "checkpoint"}
    row = (
        await Poll.select(Poll.merkle_root, Poll.participation_hash, Poll.checkpoint)
        .where(Poll.id == poll["id"])
        .first()
    )
    assert body["poll"] == poll["id"] and body["ballots"] == len(receipts) == len(body["leaves"])
    assert (body["merkle_root"], body["participation_hash"]) == (row["merkle_root"], row["participation_hash"])
    assert body["checkpoint"] == row["checkpoint"] and body["checkpoint"]

    hashes = [hashlib.sha256(leaf.encode()).hexdigest() for leaf in body["leaves"]]
    assert hashes == sorted(r["receipt"] for r in receipts.values())  # sorted by receipt
    assert canonical.merkle_root([leaf.encode() for leaf in body["leaves"]]).hex() == row["merkle_root"]
    # Secret leaves name no member; they are exactly what canonical.leaf writes.
    assert all('"member"' not in leaf for leaf in body["leaves"])
    assert all(leaf.startswith('{"choice":') and f'"poll":{poll["id"]}' in leaf for leaf in body["leaves"])


async def test_the_projector_and_the_console_show_the_signed_checkpoint(demo, make_client):
    _desk, chair, poll, _receipts, clients = await _closed_secret_poll(make_client)
    open_projector = await clients["berlin"].get(f"/meetings/{SLUG}/projector")
    assert "Signed checkpoint" not in open_projector.text  # nothing to sign while the vote is open
    assert (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).status_code == 200
    note = (await Poll.select(Poll.checkpoint).where(Poll.id == poll["id"]).first())["checkpoint"]
    assert note.startswith(f"governance/metropolis/{SLUG}/poll/{poll['id']}\n")
    for url, client in ((f"/meetings/{SLUG}/projector", clients["berlin"]), (f"/meetings/{SLUG}/console", chair)):
        page = await client.get(url)
        assert page.status_code == 200
        text = html.unescape(page.text)
        assert f"<pre>{note.rstrip()}</pre>" in text  # every line, the signature line too
        assert '<svg role="img"' in page.text and "QR code of the signed checkpoint" in page.text
        assert 'href="/organisations/metropolis/keys"' in page.text
    # The board shows it as well.
    board = await clients["berlin"].get(_board_url(poll))
    assert note.rstrip() in html.unescape(board.text)


async def test_a_roll_call_board_names_the_members(demo, make_client):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "roll_call")
    cast = await _cast(await voter(make_client, "milan"), poll, "milan", "no")
    assert cast.status_code == 201
    assert (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).status_code == 200
    page = await chair.get(_board_url(poll), params={"code": cast.json()["code"]})
    assert '<th scope="col">Member</th>' in page.text and ">Milan<" in page.text and ">No<" in page.text
    assert FOUND in page.text
    leaves = (await chair.get(_board_url(poll, api=True))).json()["leaves"]
    assert len(leaves) == 1 and '"member":"milan"' in leaves[0]


async def test_a_show_of_hands_has_no_board(demo, make_client):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "show_of_hands")
    assert (await chair.get(_board_url(poll))).status_code == 404
    assert (await chair.get(_board_url(poll, api=True))).status_code == 404


async def test_the_keys_page_is_public(demo, client):
    [key] = await keys.list_keys("metropolis")
    fingerprint = key["fingerprint"]
    grouped = " ".join(fingerprint[i : i + 4] for i in range(0, 64, 4))
    page = await client.get("/organisations/metropolis/keys", follow_redirects=False)  # signed out
    assert page.status_code == 200
    assert grouped in page.text and key["public_key"] in page.text and "governance/metropolis" in page.text
    assert f"governance verify DIR --key {fingerprint}" in page.text
    assert ">current<" in page.text
    api = await client.get("/api/v1/organisations/metropolis/keys")
    assert api.status_code == 200
    [listed] = api.json()
    assert (listed["fingerprint"], listed["public_key"], listed["current"]) == (fingerprint, key["public_key"], True)
    assert listed["retired_at"] is None
    assert (await client.get("/organisations/no-such-org/keys")).status_code == 404
    missing = await client.get("/api/v1/organisations/no-such-org/keys")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
