"""Sittings, motions and elections of the demo Board for the wire and room secrecy tests
(tests/security/test_wire_secrecy.py, test_room_secrecy.py): the steps of tests/support/polls.py
under the short names those tests use, plus an election with its candidates."""

from __future__ import annotations

from governance.organisations.tables import Member
from tests.support.polls import API, open_election_item, open_poll
from tests.support.polls import move_motion as _motion
from tests.support.polls import open_sitting as _sitting
from tests.support.polls import set_board_rules as _rules

CANDIDATES = ["rabat", "montreal", "brussels"]
__all__ = ["CANDIDATES", "_election", "_ids", "_motion", "_open", "_rules", "_sitting"]


async def _open(chair, motion, method="secret"):
    return await open_poll(chair, motion, method)


async def _election(make_client, desk, chair, seats: int, candidates: list[str], method: str = "secret"):
    """An election item (the agenda adopted by a show of hands first), its candidates, a poll."""
    item_id = await open_election_item(make_client, desk, chair, title="Election")
    motion = await _motion(make_client, desk, chair, item_id=item_id, seats=seats, text_fr="Élection")
    for member in candidates:
        nominated = await chair.send("POST", f"{API}/motions/{motion['id']}/candidates",
                                     json={"member": member})  # fmt: skip
        assert nominated.status_code == 201, nominated.text
    return await _open(chair, motion, method)


async def _ids(slugs: list[str]) -> dict[str, int]:
    rows = await Member.select(Member.slug, Member.id).where(
        Member.slug.is_in(slugs) & (Member.organisation.slug == "metropolis")
    )
    return {r["slug"]: r["id"] for r in rows}
