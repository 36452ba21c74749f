"""Secret ballots: no endpoint, page, export, log line or response size links a member to
a choice, while the poll runs or after it closed.

tests/test_polls.py already proves the storage (no member, timestamp or sequence in
``secret_ballot``), the equal size of the API's cast confirmation, the 409 on the ballot
list while the poll is open, the published list sorted by receipt and without members, and
no log event per ballot. Here a whole secret poll is run with every process log captured at
DEBUG, and every surface is read for the link, in both phases.
"""

from __future__ import annotations

import json
import re

from governance import export
from governance.meetings.services import meeting_context
from tests.support.polls import API, SLUG, VOTERS, token, voter
from tests.support.polls import put_to_the_vote as _session

from .logcapture import all_logs

# Eight yes, seven no: the two sides of the room.
CHOICES = {member: ("yes" if index % 2 == 0 else "no") for index, member in enumerate(VOTERS)}
RECEIPT = re.compile(r"\b[0-9a-f]{64}\b")


def _no_tally_while_open(body: dict) -> None:
    assert body["status"] == "open"
    assert body.get("yes") is None and body.get("no") is None and body.get("abstain") is None


async def test_a_secret_poll_leaks_no_choice_anywhere(demo, make_client):
    desk, chair, _motion, poll = await _session(make_client, method="secret")
    poll_url = f"{API}/polls/{poll['id']}"
    voters = {member: await voter(make_client, member) for member in VOTERS}
    tablet = make_client()
    assert (await tablet.page_login("guangzhou@metropolis.demo")).status_code == 303
    console = make_client()
    assert (await console.page_login("paris-idf@metropolis.demo")).status_code == 303
    secrets_typed: dict[str, str] = {}  # token -> member (the token is what the tablet sends)
    api_sizes: dict[str, set[int]] = {"yes": set(), "no": set()}
    page_sizes: dict[str, set[int]] = {"yes": set(), "no": set()}
    snapshots: list[str] = []
    with all_logs() as logs:
        for member, choice in CHOICES.items():
            if member == "guangzhou":
                # The tablet: confirm, then cast through the form; the receipt page's size.
                confirm = await tablet.post_form(
                    f"/meetings/{SLUG}/polls/{poll['id']}/confirm", {"member": member, "choice": choice}
                )
                form_token = confirm.text.split('name="token" value="')[1].split('"')[0]
                secrets_typed[form_token] = member
                receipt = await tablet.post_form(
                    f"/meetings/{SLUG}/polls/{poll['id']}/ballots",
                    {"member": member, "choice": choice, "token": form_token},
                )
                assert receipt.status_code == 200 and "Your vote is recorded." in receipt.text
                page_sizes[choice].add(len(receipt.content))
                continue
            typed = token()
            secrets_typed[typed] = member
            cast = await voters[member].send(
                "POST", f"{poll_url}/ballots", json={"member": member, "choice": choice, "token": typed}
            )
            assert cast.status_code == 201, cast.text
            api_sizes[choice].add(len(cast.content))
            # While the poll runs, every reader sees "n of N voted" and nothing by choice.
            _no_tally_while_open((await desk.get(poll_url)).json())
            assert (await desk.get(f"{poll_url}/ballots")).status_code == 409
            assert (await desk.get(f"{poll_url}/board")).status_code in (404, 409)
            for client, url in (
                (console, f"/meetings/{SLUG}/console"),
                (console, f"/meetings/{SLUG}/projector"),
                (tablet, f"/meetings/{SLUG}"),
            ):
                snapshots.append((await client.get(url)).text)
        # The same size whatever the choice: the API confirmation and the tablet's receipt.
        assert len(api_sizes["yes"] | api_sizes["no"]) == 1, api_sizes
        # Pages render the same partials as the live stream (quorum, mine, agenda, poll).
        for html in snapshots:
            assert not re.search(r"\b(Yes|No|Abstain) \d+", html), "a tally by choice while the poll runs"
        closed = (await chair.send("POST", f"{poll_url}/close")).json()
        assert (closed["yes"], closed["no"]) == (8, 7)
    # Nothing in any log line of the whole poll links a member to a choice: no token the
    # tablet typed, no receipt, and no line mentioning a choice next to a member.
    text = "\n".join(logs)
    assert logs, "the capture saw nothing: is logging wired?"
    leaked = [t for t in secrets_typed if t in text]
    assert leaked == [], "a ballot token reached the logs"
    assert not RECEIPT.findall(text), "a receipt (ballot id) reached the logs"
    for line in logs:
        if re.search(r"\b(yes|no|abstain)\b", line, re.IGNORECASE):
            assert not any(member in line for member in VOTERS), f"choice and member in one log line: {line}"

    # After the close: the published ballots, the board, the record export.
    published = (await desk.get(f"{poll_url}/ballots")).json()
    assert len(published) == 15 and all(b["member"] is None for b in published)
    assert [b["id"] for b in published] == sorted(b["id"] for b in published)
    principal = await _principal("secretary@metropolis.demo")
    record = await export.record(await meeting_context(SLUG, principal))
    dumped = json.dumps(record, ensure_ascii=False)
    assert not any(t in dumped for t in secrets_typed), "a token in the record"
    exported = next(p for p in record["polls"] if p["id"] == poll["id"])
    # Participation (who voted) is public and sorted by member; the leaves carry no member
    # and are sorted by receipt: the two lists share no order and no key.
    assert exported["participation"] == sorted(exported["participation"]) and len(exported["participation"]) == 15
    leaves = [json.loads(leaf) for leaf in exported["leaves"]]
    assert len(leaves) == 15 and all(set(leaf) == {"poll", "choice", "weight", "nonce"} for leaf in leaves)
    assert not any(member in json.dumps(leaves) for member in VOTERS)


async def _principal(email: str):
    from governance.demo import simulate

    return await simulate.principal_for(email)


async def test_the_tablet_receipt_weighs_the_same_for_yes_and_no(demo, make_client):
    """A network observer sees sizes, not content: the tablet's receipt page after a yes and
    after a no differ only by the member's name and the receipt code, never by the choice."""
    _desk, _chair, _motion, poll = await _session(make_client, method="secret")
    bodies = {}
    for member, name, choice in (("milan", "Milan", "yes"), ("lyon", "Greater Lyon", "no")):
        tablet = make_client()
        assert (await tablet.page_login(f"{member}@metropolis.demo")).status_code == 303
        confirm = await tablet.post_form(
            f"/meetings/{SLUG}/polls/{poll['id']}/confirm", {"member": member, "choice": choice}
        )
        form_token = confirm.text.split('name="token" value="')[1].split('"')[0]
        receipt = await tablet.post_form(
            f"/meetings/{SLUG}/polls/{poll['id']}/ballots", {"member": member, "choice": choice, "token": form_token}
        )
        assert receipt.status_code == 200 and "Your vote is recorded." in receipt.text
        code = receipt.text.split("<code>")[1].split("</code>")[0]
        page = receipt.text.replace(code, "RECEIPT").replace(name, "MEMBER").replace(member, "member")
        bodies[choice] = page.replace(tablet.csrf, "CSRF")
    assert len(bodies["yes"]) == len(bodies["no"])
    assert bodies["yes"] == bodies["no"]  # the same page, byte for byte, once names are set aside
