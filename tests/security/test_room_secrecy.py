"""Nothing in the room gives a choice away (issue 16, item 4; DOMAIN.md rule 8).

* Proxy voting instructions ("vote in favour of the budget") say how a member will vote: only
  the grantor's and the holder's representatives and the secretariat read them. The chair (who
  is neither here), another member and an observer get ``None`` from every API answer, and no
  page, live part, log or record export carries them.
* No count per option or per candidate is visible anywhere while a poll is open, for motions
  and for elections (secret and roll-call): the meeting page, the console, the projector, a
  display link, the bulletin board, the JSON API (poll detail and list) show "n of N voted" only.
"""

from __future__ import annotations

import json
import re

from governance import export
from governance.meetings.services import meeting_context
from governance.organisations.tables import RuleSet
from tests.support.polls import API, SLUG, VOTERS, token, voter
from tests.support.wire import CANDIDATES, _election, _ids, _motion, _open, _sitting

INSTRUCTIONS = "Vote in favour of the budget; against amendment 3."
LOGINS = {
    "secretary": "secretary@metropolis.demo",
    "grantor": "brussels@metropolis.demo",
    "holder": "guangzhou@metropolis.demo",
    "chair": "paris-idf@metropolis.demo",  # the President: neither grantor nor holder
    "member": "seoul@metropolis.demo",
    "observer": "observer@metropolis.demo",
}
ENTITLED = {"secretary", "grantor", "holder"}


async def _signed_in(make_client, email: str, page: bool = False):
    client = make_client()
    if page:
        assert (await client.page_login(email)).status_code == 303
    else:
        assert (await client.api_login(email)).status_code == 200
    return client


async def test_proxy_instructions_reach_only_the_grantor_the_holder_and_the_secretariat(demo, make_client):
    clients = {role: await _signed_in(make_client, email) for role, email in LOGINS.items()}
    for member in ("guangzhou", "paris-idf", "seoul"):
        assert (await clients["secretary"].send("POST", f"{API}/arrivals", json={"member": member})).status_code == 201
    # Brussels (absent) gives its proxy to Guangzhou from its own account, with instructions.
    given = await clients["grantor"].send(
        "POST", f"{API}/proxies", json={"grantor": "brussels", "holder": "guangzhou", "instructions": INSTRUCTIONS}
    )
    assert given.status_code == 201, given.text
    assert given.json()["instructions"] == INSTRUCTIONS  # the grantor reads back what it wrote
    proxy_id = given.json()["id"]
    accepted = await clients["holder"].send("POST", f"{API}/proxies/{proxy_id}/accept")
    assert accepted.status_code == 200 and accepted.json()["instructions"] == INSTRUCTIONS

    for role, client in clients.items():
        register = (await client.get(f"{API}/register")).json()
        listed = (await client.get(f"{API}/proxies")).json()
        for where, proxies in (("register", register["proxies"]), ("proxies", listed)):
            (proxy,) = [p for p in proxies if p["id"] == proxy_id]
            expected = INSTRUCTIONS if role in ENTITLED else None
            assert proxy["instructions"] == expected, (role, where)
        # The meeting log (API) carries no instructions for anyone.
        log = await client.get(f"{API}/log")
        assert INSTRUCTIONS not in log.text, role
    # The desk's own action (validate) answers the secretariat with them.
    validated = await clients["secretary"].send("POST", f"{API}/proxies/{proxy_id}/validate")
    assert validated.status_code == 200 and validated.json()["instructions"] == INSTRUCTIONS, validated.text

    # No page, in any view, shows them to someone not entitled (nor, today, to anyone).
    for role, email in LOGINS.items():
        tablet = await _signed_in(make_client, email, page=True)
        for url in (f"/meetings/{SLUG}", f"/meetings/{SLUG}/projector", f"/meetings/{SLUG}/console"):
            page = await tablet.get(url)
            assert INSTRUCTIONS not in page.text, (role, url)
    # The record bundle (public once published) does not carry them: the minutes record that a
    # proxy was given and to whom (DOMAIN.md rule 14), never how the grantor asked it to vote.
    principal = await _principal("secretary@metropolis.demo")
    record = await export.record(await meeting_context(SLUG, principal))
    assert INSTRUCTIONS not in json.dumps(record, ensure_ascii=False)


async def _principal(email: str):
    from governance.demo import simulate

    return await simulate.principal_for(email)


# --- no count per option while a poll is open ---------------------------------------------------

# A count next to an option's or a candidate's words, as the result shows it once closed.
TALLY = re.compile(
    r"\b(Yes|No|Abstain|Blank|Rabat|Montréal|Montr&eacute;al|Brussels-Capital Region)\s*:?\s*\d+", re.IGNORECASE
)


async def _nothing_counted_while_open(make_client, poll: dict, casts: dict[str, str]) -> None:
    """Cast ``casts`` (member -> choice), then read every surface as every role: "n of N voted" only."""
    for member, choice in casts.items():
        cast = await (await voter(make_client, member)).send(
            "POST", f"{API}/polls/{poll['id']}/ballots", json={"member": member, "choice": choice, "token": token()}
        )
        assert cast.status_code == 201, cast.text
    desk = await _signed_in(make_client, "secretary@metropolis.demo")
    link = await desk.send("POST", f"{API}/display-links", json={"label": "room"})
    assert link.status_code == 201, link.text
    display_path = "/display/" + link.json()["url"].rsplit("/display/", 1)[1]
    voted = f"{len(casts)} of {len(VOTERS)} voted"
    for role, email in LOGINS.items():
        api = await _signed_in(make_client, email)
        detail = (await api.get(f"{API}/polls/{poll['id']}")).json()
        listed = next(p for p in (await api.get(f"{API}/polls")).json() if p["id"] == poll["id"])
        for body in (detail, listed):
            assert body["status"] == "open" and body["voted"] == len(casts)
            for key in ("yes", "no", "abstain", "blank", "tally", "elected", "outcome", "arithmetic"):
                assert body[key] is None, (role, key, body[key])
        ballots = await api.get(f"{API}/polls/{poll['id']}/ballots")
        board = await api.get(f"{API}/polls/{poll['id']}/board")
        assert ballots.status_code == 409 and board.status_code in (404, 409), role
        pages = await _signed_in(make_client, email, page=True)
        urls = [f"/meetings/{SLUG}", f"/meetings/{SLUG}/projector", f"/meetings/{SLUG}/polls/{poll['id']}/board"]
        if role in ("secretary", "chair"):
            urls.append(f"/meetings/{SLUG}/console")
        for url in urls:
            page = await pages.get(url)
            assert page.status_code == 200, (role, url, page.status_code)
            assert not TALLY.search(page.text), (role, url, TALLY.search(page.text))
    display = make_client()
    page = await display.get(display_path)
    assert page.status_code == 200 and voted in page.text
    assert not TALLY.search(page.text), TALLY.search(page.text)
    # The control: once closed, the same screen shows the counts (the pattern does see them).
    chair = await _signed_in(make_client, LOGINS["chair"])
    assert (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).status_code == 200
    assert TALLY.search((await display.get(display_path)).text), "the closed result shows no counts?"


async def test_no_count_per_option_while_a_secret_motion_poll_is_open(demo, make_client):
    desk, chair = await _sitting(make_client)
    poll = await _open(chair, await _motion(make_client, desk, chair))
    await _nothing_counted_while_open(make_client, poll, {"seoul": "yes", "berlin": "no", "milan": "abstain"})


async def test_no_count_per_candidate_while_a_secret_election_is_open(demo, make_client):
    desk, chair = await _sitting(make_client)
    poll = await _election(make_client, desk, chair, seats=2, candidates=CANDIDATES)
    ids = await _ids(CANDIDATES)
    casts = {"seoul": f"{ids['rabat']}", "berlin": f"{ids['rabat']},{ids['montreal']}", "milan": "blank"}
    await _nothing_counted_while_open(make_client, poll, casts)


async def test_no_count_per_candidate_while_a_roll_call_election_is_open(demo, make_client):
    # An election taken by roll call (both secret-ballot clauses off): still no running tally.
    await RuleSet.update(
        {RuleSet.secret_ballot_for_elections: False, RuleSet.secret_ballot_for_personal_matters: False}
    ).where(RuleSet.title.like("%Board%"))
    desk, chair = await _sitting(make_client)
    poll = await _election(make_client, desk, chair, seats=1, candidates=CANDIDATES, method="roll_call")
    assert poll["method"] == "roll_call"
    ids = await _ids(CANDIDATES)
    casts = {"seoul": f"{ids['rabat']}", "berlin": f"{ids['brussels']}", "milan": "abstain"}
    await _nothing_counted_while_open(make_client, poll, casts)
