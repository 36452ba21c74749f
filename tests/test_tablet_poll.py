"""The tablet's vote panel and proxy form (issue 19, items 2 and 3), over HTTP: an amendment's
vote says what it amends and shows its word diff; a result on an earlier item gives way once
another item is taken up; the countdown stays on the page once the member has voted; the
tablet's proxy form starts with nobody chosen and refuses an empty choice in a sentence."""

from __future__ import annotations

import re
from typing import Any

from tests.support.polls import API, SLUG, voter
from tests.support.polls import cast_ballot as _cast
from tests.support.polls import move_motion as _motion
from tests.support.polls import open_poll as _open
from tests.support.polls import open_sitting as _sitting

MAIN_EN = "The Board approves the 2013 budget of EUR 2,500,000."
AMENDED_EN = "The Board approves the 2013 budget of EUR 3,000,000."


def _poll_section(page: str) -> str:
    """The poll panel of a page ('' when none is shown)."""
    found = re.search(r'<section class="poll [a-z]+".*?</section>', page, re.S)
    return found.group(0) if found else ""


async def _tablet(make_client: Any, member: str, language: str = "en") -> Any:
    tablet = make_client()
    await tablet.page_login(f"{member}@metropolis.demo")
    if language != "en":
        await tablet.get(f"/language/{language}?next=/")
    return tablet


async def _to_status(chair: Any, motion: Any, *statuses: str) -> None:
    for status in statuses:
        moved = await chair.send("POST", f"{API}/motions/{motion['id']}/status", json={"status": status})
        assert moved.status_code == 200, moved.text


async def _propose(make_client: Any, desk: Any, body: dict[str, Any]) -> Any:
    made = await desk.send("POST", f"{API}/motions", json=body)
    assert made.status_code == 201, made.text
    motion = made.json()
    seconded = await (await voter(make_client, "berlin")).send("POST", f"{API}/motions/{motion['id']}/second")
    assert seconded.status_code == 200, seconded.text
    return motion


async def test_an_amendments_vote_says_what_it_amends_and_shows_the_diff(demo, make_client):
    desk, chair = await _sitting(make_client)
    item_id = (await chair.get(f"{API}/agenda")).json()[0]["id"]
    assert (await chair.send("POST", f"{API}/agenda/items/{item_id}/open")).status_code == 200
    main = await _propose(
        make_client,
        desk,
        {"item": item_id, "mover": "seoul", "text_en": MAIN_EN, "text_fr": "Le Conseil approuve le budget 2013."},
    )
    await _to_status(chair, main, "debate")
    amendment = await _propose(
        make_client,
        desk,
        {
            "item": item_id,
            "mover": "montreal",
            "kind": "amendment",
            "amends": main["id"],
            "text_en": AMENDED_EN,
            "text_fr": "Le Conseil approuve le budget 2013 de 3 000 000 euros.",
        },
    )
    await _to_status(chair, amendment, "debate", "voting")
    await _open(chair, amendment, "roll_call")

    page = (await (await _tablet(make_client, "lyon")).get(f"/meetings/{SLUG}")).text
    poll = _poll_section(page)
    assert "Amendment to “The Board approves the 2013 budget of EUR 2,500,000.”" in poll
    assert '<p class="diff"' in poll and "<del>2,500,000.</del>" in poll and "<ins>3,000,000.</ins>" in poll
    assert 'class="vote"' in poll  # the ballot is still there, under the diff

    french = _poll_section((await (await _tablet(make_client, "lyon", "fr")).get(f"/meetings/{SLUG}")).text)
    assert "Amendement à « Le Conseil approuve le budget 2013. »" in french and "<ins>" in french


async def test_an_earlier_items_result_gives_way_when_another_item_is_taken_up(demo, make_client):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    poll = await _open(chair, motion, "show_of_hands")
    counted = {"yes": 15, "no": 0, "abstain": 0, "tellers": "Secretariat"}
    assert (await chair.send("POST", f"{API}/polls/{poll['id']}/close", json=counted)).status_code == 200
    tablet = await _tablet(make_client, "lyon")
    assert 'class="poll closed"' in (await tablet.get(f"/meetings/{SLUG}")).text

    # Between items, the last result stays on the tablet.
    assert (await chair.send("POST", f"{API}/agenda/items/{motion['item']}/close")).status_code == 200
    assert 'class="poll closed"' in (await tablet.get(f"/meetings/{SLUG}")).text

    # Another item taken up: the earlier result gives way, on the tablet and the projector.
    items = (await chair.get(f"{API}/agenda")).json()
    following = next(item for item in items if item["status"] == "pending")
    assert (await chair.send("POST", f"{API}/agenda/items/{following['id']}/open")).status_code == 200
    for url in (f"/meetings/{SLUG}", f"/meetings/{SLUG}/projector"):
        page = (await tablet.get(url)).text
        assert _poll_section(page) == "", url

    # Its own vote shows once opened there.
    second = await _motion(make_client, desk, chair, item_id=following["id"])
    await _open(chair, second, "roll_call")
    assert 'class="poll open"' in (await tablet.get(f"/meetings/{SLUG}")).text


async def test_the_countdown_stays_once_the_member_has_voted(demo, make_client):
    desk, chair = await _sitting(make_client)
    motion = await _motion(make_client, desk, chair)
    opened = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"], "countdown": 120})
    assert opened.status_code == 201, opened.text
    poll = opened.json()
    tablet = await _tablet(make_client, "lyon")
    before = _poll_section((await tablet.get(f"/meetings/{SLUG}")).text)
    assert "data-countdown=" in before and 'class="vote"' in before
    assert "Amendment to" not in before and '<p class="diff"' not in before  # a main motion's vote
    assert (await _cast(await voter(make_client, "lyon"), poll, "lyon", "yes")).status_code == 201
    after = _poll_section((await tablet.get(f"/meetings/{SLUG}")).text)
    assert "The vote of Greater Lyon is recorded." in after and 'class="vote"' not in after
    assert "data-countdown=" in after


async def test_the_tablets_proxy_form_starts_empty_and_refuses_an_empty_choice(demo, make_client):
    await _sitting(make_client)
    tablet = await _tablet(make_client, "tehran")
    page = (await tablet.get(f"/meetings/{SLUG}")).text
    select = re.search(r'<select id="holder" name="holder" required>(.*?)</select>', page, re.S)
    assert select is not None
    options = re.findall(r"<option[^>]*>", select.group(1))
    assert options[0] == '<option value="">' and len(options) > 1
    assert "selected" not in select.group(1)

    refused = await tablet.post_form(f"/meetings/{SLUG}/proxies", {"grantor": "tehran", "holder": "", "back": "tablet"})
    assert refused.status_code == 422
    assert "Choose the member who will hold the proxy." in refused.text
    assert (await (await voter(make_client, "tehran")).get(f"{API}/proxies")).json() == []

    for language, sentence in (
        ("fr", "Choisissez le membre qui détiendra la procuration."),
        ("es", "Elija el miembro que tendrá el poder."),
    ):
        await tablet.get(f"/language/{language}?next=/")
        said = await tablet.post_form(
            f"/meetings/{SLUG}/proxies", {"grantor": "tehran", "holder": "", "back": "tablet"}
        )
        assert sentence in said.text, language
