"""How many SQL statements the hot requests run: a ballot cast and the tablet's meeting page.

No timing here: these counts are exact, so that a change that adds queries to the request
path of a vote (the vote-burst benchmark's path, see BENCHMARKS.md) fails loudly. When a
count changes on purpose, update it here and say why in the commit.

"Cold" is the first request after the per-process meeting cache was dropped; "warm" is
the same request again while the cache holds (its lifetime is stretched so that timing
cannot matter). BEGIN/COMMIT are not counted; PostgreSQL adds a FOR SHARE lock to a cast.
"""

from __future__ import annotations

import secrets

import pytest

from governance import db
from governance.meetings import services as meetings
from tests.support.polls import put_to_the_vote as _session

SLUG = "metropolis-bod-2012"
API = f"/api/v1/meetings/{SLUG}"
PRESENT = ["paris-idf", "guangzhou", "barcelona", "berlin", "brussels", "seoul", "montreal", "mexico-city",
           "moscow", "milan", "lyon", "istanbul", "abidjan", "johannesburg", "rabat"]  # fmt: skip

# Statements per request (BEGIN/COMMIT excluded).
EXPECTED = {
    # session+person+staff (1), meeting row (1), the cast itself (4): the poll (locked FOR
    # SHARE on PostgreSQL in the same statement), the elector with its member's name,
    # participation, the ballot.
    "cast_warm": 6,
    # ... plus body, organisation, event, mandates, rule set, secretary, and the offices the log
    # froze for the meeting (offices_fixed, chair_handed_over) (7).
    "cast_cold": 13,
    # A GET page renders with the context its guard loaded (the meeting row once, not twice).
    # The register is cached per process while the meeting's last quorum check is the same
    # (every register change records one): 1 statement (that check) instead of 6. The
    # current item's motions with their texts: 2 statements, however many motions; the
    # requests for a secret ballot on them: 1 (none when the statutes provide no request).
    "tablet_page_warm": 15,
    "tablet_page_cold": 27,  # the cold context reads the frozen offices too (1)
    # session+person+staff (1); /me then reads the person's full row (1).
    "me": 2,
}


async def _login(make_client, member: str):
    client = make_client()
    assert (await client.api_login(f"{member}@metropolis.demo")).status_code == 200
    await client.ensure_csrf()
    return client


async def _open_poll(make_client) -> tuple[int, object]:
    """The test_polls setting: fifteen members present, a motion put to a roll-call vote."""
    _desk, chair, _motion, poll = await _session(make_client, PRESENT)
    return poll["id"], chair


async def _count(request) -> tuple[object, list[str]]:
    with db.recording_statements() as statements:
        response = await request()
    return response, statements


def _check(name: str, statements: list[str]) -> None:
    listing = "\n".join(f"  {s.strip().splitlines()[0][:150]}" for s in statements)
    expected = EXPECTED[name]
    assert len(statements) == expected, f"{name}: {len(statements)} statements, expected {expected}:\n{listing}"


@pytest.fixture
def long_cache(monkeypatch):
    # Counts must not depend on how fast the machine is: the cache never expires by time here.
    monkeypatch.setattr(meetings, "CONTEXT_SECONDS", 3600.0)


async def test_a_ballot_cast_runs_a_fixed_number_of_statements(demo, make_client, long_cache):
    poll, _chair = await _open_poll(make_client)
    voters = {member: await _login(make_client, member) for member in ("berlin", "lyon", "milan")}

    def cast(member: str):
        return lambda: voters[member].send(
            "POST",
            f"{API}/polls/{poll}/ballots",
            json={"member": member, "choice": "yes", "token": secrets.token_urlsafe(24)},
        )

    meetings.forget_cached_contexts()
    response, statements = await _count(cast("berlin"))
    assert response.status_code == 201, response.text
    _check("cast_cold", statements)

    response, statements = await _count(cast("lyon"))
    assert response.status_code == 201, response.text
    _check("cast_warm", statements)
    # The cast wrote no table the meeting context comes from: the cache still holds.
    response, statements = await _count(cast("milan"))
    assert response.status_code == 201, response.text
    _check("cast_warm", statements)


async def test_the_tablet_meeting_page_runs_a_fixed_number_of_statements(demo, make_client, long_cache):
    await _open_poll(make_client)
    tablet = await _login(make_client, "berlin")

    meetings.forget_cached_contexts()
    response, statements = await _count(lambda: tablet.get(f"/meetings/{SLUG}"))
    assert response.status_code == 200, response.text
    _check("tablet_page_cold", statements)

    response, statements = await _count(lambda: tablet.get(f"/meetings/{SLUG}"))
    assert response.status_code == 200, response.text
    _check("tablet_page_warm", statements)


async def test_a_revoked_session_is_refused_on_its_next_request(demo, make_client, long_cache):
    """The principal is never cached: one query per request, and revocation is immediate."""
    tablet = await _login(make_client, "berlin")
    other = await _login(make_client, "berlin")
    response, statements = await _count(lambda: tablet.get("/api/v1/auth/me"))
    assert response.status_code == 200, response.text
    _check("me", statements)
    sessions = (await other.get("/api/v1/auth/sessions")).json()
    mine = next(s for s in sessions if not s["current"])
    revoked = await other.post_form(f"/account/sessions/{mine['handle']}/revoke", follow_redirects=False)
    assert revoked.status_code == 303, revoked.text
    assert (await tablet.get("/api/v1/auth/me")).status_code == 401
    assert (await tablet.get(f"{API}")).status_code == 401


async def test_a_mandate_change_reaches_the_cached_meeting_context_at_once(demo, make_client, long_cache):
    """A write to a table the context comes from drops the cache in this process."""
    from governance.organisations.tables import Mandate

    tablet = await _login(make_client, "berlin")
    assert (await tablet.get(f"{API}")).status_code == 200  # cached now
    from governance.accounts.tables import Person

    berlin = await Person.select(Person.id).where(Person.email == "berlin@metropolis.demo").first()
    async with db.writing():
        await Mandate.delete().where(Mandate.person == berlin["id"])
    assert (await tablet.get(f"{API}")).status_code == 403
