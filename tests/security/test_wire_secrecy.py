"""Nothing on the wire gives a secret ballot's choice away (issue 16, item 4; DOMAIN.md rule 8).

A Wi-Fi observer or a reverse proxy's access log sees each response's size and headers. For
every response that follows a choice (the confirmation page, the receipt page, the change
page, the JSON cast answer), in every language (en, fr, es) and for every option set (a
motion with yes/no/abstain, one with a blank option, an election for one seat and one for
two seats, candidates' names of different lengths, one with a multi-byte letter), every
option is tried and the responses compared byte for byte: the same length, the same
headers, and the same body once what legitimately differs (the receipt code, the submission
tokens, the member) is replaced by a placeholder. The confirmation page necessarily names
the choice: there the body is compared with the choice's words and value set aside, and its
length raw.

The live stream (what every screen receives after a cast) is in
``test_the_live_events_of_a_cast_are_the_same_whatever_the_choice``, against a real server.
"""

from __future__ import annotations

import queue
import re
import time

import httpx
import pytest

from tests.support.live_server import Stream, demo_site, running_server
from tests.support.live_server import signed_in as _client
from tests.support.polls import API, SLUG, VOTERS, token, voter
from tests.support.wire import CANDIDATES, _election, _ids, _motion, _open, _rules, _sitting

LANGUAGES = ("en", "fr", "es")
LANGUAGE_COOKIE = "governance_lang"
# Headers that differ from one response to the next whatever the choice (the clock).
VOLATILE_HEADERS = {"date"}


# --- reading responses ----------------------------------------------------------------------


def _between(text: str, before: str, after: str = '"') -> str:
    return text.split(before, 1)[1].split(after, 1)[0]


def _headers(response) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in response.headers.multi_items() if k.lower() not in VOLATILE_HEADERS)


def _same(responses: dict, what: str) -> None:
    """Every response of ``responses`` (choice -> response) has the same length and headers."""
    sizes = {choice: len(r.content) for choice, r in responses.items()}
    assert len(set(sizes.values())) == 1, f"{what}: sizes differ by choice: {sizes}"
    headers = {choice: _headers(r) for choice, r in responses.items()}
    first = next(iter(headers.values()))
    assert all(h == first for h in headers.values()), f"{what}: headers differ by choice: {headers}"


def _confirm_skeleton(html: str) -> str:
    """A confirmation page with its choice set aside (its words, hidden value, padding) and its
    fresh token: what remains must not depend on the choice."""
    html = re.sub(r'(<h1 id="confirm-title">).*?(</h1>)', r"\1CHOICE\2", html, flags=re.S)
    html = re.sub(r'name="choice" value="[^"]*"><!-- *-->', 'name="choice" value="CHOICE"><!---->', html)
    return re.sub(r'name="token" value="[^"]*"', 'name="token" value="TOKEN"', html)


def _receipt_skeleton(html: str, member: str, csrf: str) -> str:
    code = _between(html, "<code>", "</code>")
    html = html.replace(code, "RECEIPT").replace(csrf, "CSRF")
    html = re.sub(r'name="previous" value="[^"]*"', 'name="previous" value="TOKEN"', html)
    return html.replace(f'value="{member}"', 'value="MEMBER"')


class Tablet:
    """A member's tablet in one language: confirm, cast, change, as the pages do."""

    def __init__(self, client, poll: dict, member: str) -> None:
        self.client, self.poll, self.member = client, poll, member
        self.base = f"/meetings/{SLUG}/polls/{poll['id']}"
        self.previous: str | None = None

    def form(self, choice) -> dict:
        form = {"member": self.member}
        if isinstance(choice, list):
            form["candidate"] = [str(c) for c in choice]
        else:
            form["choice"] = choice
        if self.previous:
            form["previous"] = self.previous
        return form

    async def confirm(self, choice):
        response = await self.client.post_form(f"{self.base}/confirm", self.form(choice))
        assert response.status_code == 200, response.text
        return response

    async def cast(self, choice):
        """Confirm, then cast as the confirmation page's form does; the receipt."""
        confirmed = await self.confirm(choice)
        form = {
            "member": self.member,
            "choice": _between(confirmed.text, 'name="choice" value="'),
            "token": _between(confirmed.text, 'name="token" value="'),
        }
        if self.previous:
            form["previous"] = self.previous
        receipt = await self.client.post_form(f"{self.base}/ballots", form)
        assert receipt.status_code == 200 and 'id="receipt-title"' in receipt.text, receipt.text
        if self.poll["changeable"]:
            self.previous = form["token"]
        return receipt

    async def change(self):
        response = await self.client.post_form(
            f"{self.base}/change", {"member": self.member, "previous": self.previous or ""}
        )
        assert response.status_code == 200, response.text
        return response


async def _tablet(make_client, poll, member: str, language: str) -> Tablet:
    client = make_client()
    assert (await client.page_login(f"{member}@metropolis.demo")).status_code == 303
    # The language menu's choice (a cookie): it wins over the account's preference and the
    # browser's Accept-Language (governance.auth), so each page below is in ``language``.
    client.http.cookies.set(LANGUAGE_COOKIE, language)
    if language != "en":
        # The tablet's pages post through htmx (hx-boost): its requests say so. English goes
        # without, as a browser without scripts would: both paths are compared.
        client.http.headers.update({"HX-Request": "true", "HX-Boosted": "true"})
    return Tablet(client, poll, member)


async def _every_response_weighs_the_same(make_client, poll: dict, choices: list) -> dict[str, set[int]]:
    """Confirm, cast, change and the API answer for every choice of ``poll`` in every language;
    returns the sizes seen (for the failure messages of the callers)."""
    members = iter(VOTERS)
    seen: dict[str, set[int]] = {}
    for language in LANGUAGES:
        # The confirmation page: one tablet asks to confirm every choice (nothing is recorded).
        first = await _tablet(make_client, poll, next(members), language)
        confirms = {repr(c): await first.confirm(c) for c in choices}
        assert all(f'<html lang="{language}">' in r.text for r in confirms.values()), language
        _same(confirms, f"confirm ({language})")
        skeletons = {_confirm_skeleton(r.text) for r in confirms.values()}
        assert len(skeletons) == 1, f"confirm ({language}): the page differs beyond the choice itself"
        seen[f"confirm {language}"] = {len(r.content) for r in confirms.values()}
        if poll["changeable"]:
            # One tablet casts every choice in turn (changing its ballot): the receipts and the
            # change pages are compared raw, byte for byte.
            receipts, changes, reconfirms = {}, {}, {}
            for choice in choices:
                if first.previous:
                    changes[repr(choice)] = await first.change()
                    reconfirms[repr(choice)] = await first.confirm(choice)
                receipts[repr(choice)] = await first.cast(choice)
            _same(changes, f"change ({language})")
            # Each change page carries the token of the ballot it replaces (fresh each time).
            unchanged = {re.sub(r'name="previous" value="[^"]*"', "PREVIOUS", r.text) for r in changes.values()}
            assert len(unchanged) == 1, f"change ({language}): bodies differ"
            _same(reconfirms, f"confirm a change ({language})")
            bodies = {_receipt_skeleton(r.text, first.member, first.client.csrf) for r in receipts.values()}
        else:
            # A fresh member per choice: the receipts compared once member and codes are set aside.
            receipts, bodies = {}, set()
            tablets = [first] + [await _tablet(make_client, poll, next(members), language) for _ in choices[1:]]
            for tablet, choice in zip(tablets, choices, strict=True):
                receipt = await tablet.cast(choice)
                receipts[repr(choice)] = receipt
                bodies.add(_receipt_skeleton(receipt.text, tablet.member, tablet.client.csrf))
            sizes = {len(b.encode()) for b in bodies}
            assert len(sizes) == 1, f"receipt ({language}): sizes differ by choice: {sizes}"
        assert len(bodies) == 1, f"receipt ({language}): bodies differ by choice"
        if poll["changeable"]:
            _same(receipts, f"receipt ({language})")
        seen[f"receipt {language}"] = {len(r.content) for r in receipts.values()}
    # The JSON API's answer to a cast: members left over, one per choice (the same whatever
    # the language: it carries no words).
    answers = {}
    for choice, member in zip(choices, members, strict=False):
        client = await voter(make_client, member)
        typed = ",".join(str(c) for c in choice) if isinstance(choice, list) else choice
        cast = await client.send(
            "POST", f"{API}/polls/{poll['id']}/ballots", json={"member": member, "choice": typed, "token": token()}
        )
        assert cast.status_code == 201, cast.text
        answers[repr(choice)] = cast
    assert answers, "no member left for the API"
    _same(answers, "API cast answer")
    seen["api"] = {len(r.content) for r in answers.values()}
    return seen


async def test_a_motion_yes_no_abstain_weighs_the_same_on_the_wire(demo, make_client):
    desk, chair = await _sitting(make_client)
    poll = await _open(chair, await _motion(make_client, desk, chair))
    assert poll["options"] == ["yes", "no", "abstain"] and not poll["changeable"]
    seen = await _every_response_weighs_the_same(make_client, poll, ["yes", "no", "abstain"])
    assert all(len(sizes) == 1 for sizes in seen.values()), seen


async def test_a_motion_with_blank_ballots_weighs_the_same_on_the_wire(demo, make_client):
    await _rules(blank_ballots_distinct=True, ballots_changeable=True)
    desk, chair = await _sitting(make_client)
    poll = await _open(chair, await _motion(make_client, desk, chair))
    assert poll["options"] == ["yes", "no", "abstain", "blank"] and poll["changeable"]
    seen = await _every_response_weighs_the_same(make_client, poll, ["yes", "no", "abstain", "blank"])
    assert all(len(sizes) == 1 for sizes in seen.values()), seen


# Names of different lengths: "Rabat" (5 bytes), "Montréal" (8 letters, 9 bytes: é is two in
# UTF-8), "Brussels-Capital Region" (23).


async def test_an_election_for_one_seat_weighs_the_same_on_the_wire(demo, make_client):
    await _rules(ballots_changeable=True)
    desk, chair = await _sitting(make_client)
    poll = await _election(make_client, desk, chair, seats=1, candidates=CANDIDATES)
    ids = await _ids(CANDIDATES)
    choices = [[ids[c]] for c in CANDIDATES] + ["blank", "abstain"]
    seen = await _every_response_weighs_the_same(make_client, poll, choices)
    assert all(len(sizes) == 1 for sizes in seen.values()), seen


async def test_an_election_for_two_seats_weighs_the_same_on_the_wire(demo, make_client):
    await _rules(ballots_changeable=True)
    desk, chair = await _sitting(make_client)
    candidates = [*CANDIDATES, "abidjan"]
    poll = await _election(make_client, desk, chair, seats=2, candidates=candidates)
    assert poll["seats"] == 2
    ids = await _ids(candidates)
    singles = [[ids[c]] for c in candidates]
    pairs = [[ids[a], ids[b]] for i, a in enumerate(candidates) for b in candidates[i + 1 :]]
    seen = await _every_response_weighs_the_same(make_client, poll, [*singles, *pairs, "blank", "abstain"])
    assert all(len(sizes) == 1 for sizes in seen.values()), seen


# --- the live stream, against a real server ---------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wire")
    with demo_site(tmp, "wire") as env, running_server(env, tmp / "server.log") as base:
        yield base


PROGRESS_EVENTS = ("poll", "display")  # what carries "n of N voted": a meeting page's part, a display link's


def _drain(stream, count: str) -> list[tuple[str, str]]:
    """The events a stream received up to the poll part saying ``count`` voted, and any that
    follow within a short bounded wait (the same snapshot's other parts)."""
    events = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            event, data = stream.events.get(timeout=0.2)
        except queue.Empty:
            if any(e in PROGRESS_EVENTS and count in d for e, d in events):
                break
            continue
        events.append((event, data))
    assert any(e in PROGRESS_EVENTS and count in d for e, d in events), f"no poll event with {count!r}: {events}"
    return events


def _set_aside(data: str, member: str, secrets_of: tuple[str, ...]) -> str:
    for secret in secrets_of:
        data = data.replace(secret, "CSRF")
    return data.replace(member, "MEMBER").replace(member.title(), "Name")


def test_the_live_events_of_a_cast_are_the_same_whatever_the_choice(server):
    """Every screen's stream (projector, console, another member's tablet, the caster's own
    tablet, a display link) receives, after a yes, a no and an abstention, the same events:
    the same names, the same bytes once the count ("1 of 15" -> "2 of 15") is set aside."""
    base = server
    desk = _client(base, "secretary@metropolis.demo")
    chair = _client(base, "paris-idf@metropolis.demo")
    for member in VOTERS:
        assert desk.post(f"{API}/arrivals", json={"member": member}).status_code == 201
    assert chair.post(f"{API}/status", json={"status": "open"}).status_code == 200
    items = chair.get(f"{API}/agenda").json()
    assert chair.post(f"{API}/agenda/items/{items[0]['id']}/open").status_code == 200
    motion = desk.post(f"{API}/motions", json={"item": items[0]["id"], "mover": "seoul", "text_fr": "Adopter."})
    motion_id = motion.json()["id"]
    assert _client(base, "berlin@metropolis.demo").post(f"{API}/motions/{motion_id}/second").status_code == 200
    for status in ("debate", "voting"):
        assert chair.post(f"{API}/motions/{motion_id}/status", json={"status": status}).status_code == 200
    poll = chair.post(f"{API}/polls", json={"motion": motion_id, "method": "secret"})
    assert poll.status_code == 201, poll.text
    poll_id = poll.json()["id"]
    link = desk.post(f"{API}/display-links", json={"label": "wire test"})
    assert link.status_code == 201, link.text
    display = httpx.Client(base_url=base, timeout=10)
    # Three casters whose names appear nowhere else on the screens (not mover, not seconder).
    casters = {"milan": "yes", "moscow": "no", "rabat": "abstain"}
    clients = {member: _client(base, f"{member}@metropolis.demo") for member in casters}
    streams = {
        "projector": Stream(_client(base, "observer@metropolis.demo"), f"/meetings/{SLUG}/live?view=projector"),
        "console": Stream(chair, f"/meetings/{SLUG}/live?view=console"),
        "tablet": Stream(_client(base, "montreal@metropolis.demo"), f"/meetings/{SLUG}/live?view=tablet"),
        "display": Stream(display, "/display/" + link.json()["url"].rsplit("/display/", 1)[1] + "/live"),
        **{m: Stream(c, f"/meetings/{SLUG}/live?view=tablet") for m, c in clients.items()},
    }
    for stream in streams.values():
        _drain(stream, "0 of 15")
    seen: dict[str, dict[str, list[tuple[str, str]]]] = {name: {} for name in streams}
    for count, (member, choice) in enumerate(casters.items(), start=1):
        cast = clients[member].post(
            f"{API}/polls/{poll_id}/ballots", json={"member": member, "choice": choice, "token": token()}
        )
        assert cast.status_code == 201, cast.text
        for name, stream in streams.items():
            events = _drain(stream, f"{count} of 15")
            # What differs legitimately: the count; on a caster's own tablet, its name and CSRF token.
            normal = [(e, d.replace(f"{count} of 15", "N of 15")) for e, d in events]
            if name == member:
                mine = clients[member]
                secrets_of = (mine.headers["x-csrftoken"], mine.cookies.get("csrftoken") or "CSRF")
                normal = [(e, _set_aside(d, member, secrets_of)) for e, d in normal]
            seen[name][choice] = normal
    for name, by_choice in seen.items():
        if name in casters:
            continue  # a caster's own tablet differs by who voted, not by the choice: below
        kinds = {choice: [e for e, _d in events] for choice, events in by_choice.items()}
        assert len({tuple(k) for k in kinds.values()}) == 1, f"{name}: events differ by choice: {kinds}"
        bodies = {choice: [d for _e, d in events] for choice, events in by_choice.items()}
        sizes = {choice: [len(d.encode()) for d in data] for choice, data in bodies.items()}
        assert len({tuple(s) for s in sizes.values()}) == 1, f"{name}: event sizes differ by choice: {sizes}"
        assert len({tuple(b) for b in bodies.values()}) == 1, f"{name}: event data differ by choice"
    # A part rendered once and shared by readers alike never carries another reader's members
    # (the secret-ballot request form of Rabat's tablet once reached Montréal's).
    montreal = "\n".join(d for events in seen["tablet"].values() for _e, d in events)
    assert not any(f'name="member" value="{m}"' in montreal for m in casters), "another tablet's form"
    # Each caster's own tablet, at its own cast, received the same events whatever it chose.
    own = {choice: seen[member][choice] for member, choice in casters.items()}
    assert len({tuple(e for e, _d in events) for events in own.values()}) == 1, own
    assert len({tuple(d for _e, d in events) for events in own.values()}) == 1, "a caster's own stream differs"


# --- the padding itself, exhaustively over small ballots ----------------------------------------


def test_padding_fills_every_choice_to_the_same_width():
    """Every ballot a poll allows (each subset of at most ``seats`` candidates, blank,
    abstain), its words and value plus the filler make the same number of bytes, with names
    that are escaped ("&", "'") or multi-byte ("é", "ü", CJK)."""
    from itertools import combinations

    from governance.polls import padding

    assert padding.width("Montréal") == 9 and padding.width("Côte d'Ivoire") == len("Côte d&#39;Ivoire".encode())
    words = {"yes": "SÍ", "no": "NO", "abstain": "ABSTENCIÓN", "blank": "EN BLANCO"}
    target = padding.motion_target(words, list(words))
    assert {padding.width(words[o]) + padding.width(o) + len(padding.filler(target, words[o], o)) for o in words} == {
        target
    }
    names = {7: "Rabat", 12: "Montréal", 130: "Brussels-Capital Region", 4: "A & B", 2055: "Zürich", 9: "广州"}
    for seats in (1, 2, 3):
        target = padding.election_target(names, seats, words)
        totals = set()
        for k in range(1, seats + 1):
            for marked in combinations(sorted(names), k):
                label = padding.NAME_SEPARATOR.join(names[c] for c in marked)
                value = padding.ID_SEPARATOR.join(str(c) for c in marked)
                totals.add(padding.width(label) + padding.width(value) + len(padding.filler(target, label, value)))
        for unmarked in ("blank", "abstain"):
            label = words[unmarked]
            totals.add(padding.width(label) + padding.width(unmarked) + len(padding.filler(target, label, unmarked)))
        assert totals == {target}, seats
    with pytest.raises(ValueError):
        padding.filler(3, "four")
