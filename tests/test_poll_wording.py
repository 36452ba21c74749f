"""A poll's words in the reader's language (issue 19, item 7): an election round said from its
facts (tally, valid ballots, seats, majority, tie and what settled it, next round) in EN, FR
and ES, never the stored English arithmetic; status words agree; and a played election read
in French and Spanish on the tablet and the bulletin board."""

from __future__ import annotations

import json
from typing import Any

import pytest

from governance import i18n
from governance.organisations.tables import Member
from governance.polls import wording
from tests.support.catalogue import messages_in, untranslated
from tests.support.polls import API, SLUG, VOTERS, voter
from tests.support.polls import cast_ballot as _cast
from tests.support.polls import move_motion as _motion
from tests.support.polls import open_election_item as _election_item
from tests.support.polls import open_poll as _open
from tests.support.polls import open_sitting as _sitting

NBSP = "\u00a0"
BERLIN, MILAN, LYON = 1, 2, 3
NAMES = {BERLIN: "Berlin", MILAN: "Milan", LYON: "Lyon"}


def _round(**values: Any) -> dict[str, Any]:
    """Round 1 for two seats, as the poll row stores it: Berlin 9, Milan 7, Lyon 7 of 14 valid."""
    row: dict[str, Any] = {
        "kind": "election", "status": "closed", "round": 1, "seats": 2,
        "options": json.dumps({"candidates": [BERLIN, MILAN, LYON], "method": "absolute_then_relative"}),
        "threshold_numerator": 1, "threshold_denominator": 2, "strict": True, "base": "cast_excluding_abstentions",
        "present_weight": 15, "represented_weight": 0, "members_weight": 27,
        "tally": json.dumps({str(BERLIN): 9, str(MILAN): 7, str(LYON): 7}), "valid": 14, "blank": 1, "abstain": 0,
        "elected": json.dumps([BERLIN]), "next_candidates": json.dumps([MILAN, LYON]), "outcome": "next_round",
        "tie_rule": "new_round", "casting_vote": None, "casting_vote_office": None,
        "arithmetic": "round 1, 2 seat(s), ...",
    }  # fmt: skip
    row.update(values)
    return row


def _said(language: str, row: dict[str, Any]) -> str:
    token = i18n.set_language(language)
    try:
        facts = wording.election_round(row, NAMES)
        assert facts is not None and json.loads(json.dumps(facts)) == facts  # plain JSON: the minutes keep it
        said = wording.arithmetic(language, {**row, "election": facts})
        assert said is not None
        return said
    finally:
        i18n._current.reset(token)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Round 1, 2 seats; majority required: more than 1/2 of 14 votes cast, abstentions not counted, "
                "that is 8 votes.", "14 valid ballots, blank 1, abstentions 0.",
                "Votes per candidate: Berlin 9, Milan 7, Lyon 7.", "Elected: Berlin.",
                "1 seat to fill in round 2, between Milan, Lyon."]),
        ("fr", [f"Tour 1, 2 sièges{NBSP}; majorité requise{NBSP}: plus de 1/2 de", "soit 8 voix.",
                "14 bulletins valables, blancs 1, abstentions 0.",
                f"Voix par candidat{NBSP}: Berlin 9, Milan 7, Lyon 7.",
                f"Élu{NBSP}: Berlin.", "1 siège à pourvoir au tour 2, entre Milan, Lyon."]),
        ("es", ["Vuelta 1, 2 puestos; mayoría requerida: más de 1/2 de", "es decir 8 votos.",
                "14 papeletas válidas, en blanco 1, abstenciones 0.", "Votos por candidato: Berlin 9, Milan 7, Lyon 7.",
                "Elegido: Berlin.", "1 puesto por cubrir en la vuelta 2, entre Milan, Lyon."]),
    ],
)  # fmt: skip
def test_a_round_with_a_seat_left_is_said_in_each_language(language: str, expected: list[str]) -> None:
    said = _said(language, _round())
    for words in expected:
        assert words in said, (language, words, said)
    assert "seat(s)" not in said


@pytest.mark.parametrize(
    ("language", "word"), [("en", "Elected"), ("fr", "Élus"), ("es", "Elegidos")]
)  # fmt: skip
def test_elected_agrees_with_member_in_the_plural(language: str, word: str) -> None:
    token = i18n.set_language(language)
    try:
        assert wording.elected_word(2) == word
        assert wording.elected_word(1) == {"en": "Elected", "fr": "Élu", "es": "Elegido"}[language]
    finally:
        i18n._current.reset(token)


def test_a_tie_settled_by_lot_by_the_casting_vote_or_by_no_one() -> None:
    # Round 3 (relative): Milan 7, Lyon 7 for the last seat.
    tie = {"round": 3, "seats": 1, "tally": json.dumps({str(MILAN): 7, str(LYON): 7}), "valid": 14,
           "options": json.dumps({"candidates": [MILAN, LYON], "method": "absolute_then_relative"})}  # fmt: skip
    lot = _round(**tie, elected=json.dumps([LYON]), next_candidates=None, outcome="elected", tie_rule="lot")
    assert _said("fr", lot).endswith(f"Égalité entre Milan, Lyon pour 1 siège. Tirage au sort{NBSP}: Lyon.")
    assert "relativa" in _said("es", lot) and _said("es", lot).endswith("Sorteo: Lyon.")
    casting = _round(**tie, elected=json.dumps([MILAN]), next_candidates=None, outcome="elected",
                     tie_rule="casting_vote", casting_vote=str(MILAN), casting_vote_office="president")  # fmt: skip
    assert _said("en", casting).endswith("Casting vote (President): Milan.")
    assert _said("fr", casting).endswith(f"Voix prépondérante (Président){NBSP}: Milan.")
    awaited = _round(**tie, elected="[]", next_candidates=json.dumps([MILAN, LYON]), outcome="tie_casting_vote",
                     tie_rule="casting_vote")  # fmt: skip
    assert _said("es", awaited).endswith("El voto de calidad resuelve el empate.")
    # Two seats, four candidates tied at the cut-off: no one is elected to the tied seats.
    four = {str(c): 5 for c in (1, 2, 3, 4)}
    nobody = _round(seats=2, round=3, tally=json.dumps(four), valid=10, elected="[]", next_candidates=None,
                    outcome="not_elected", tie_rule="fails",
                    options=json.dumps({"candidates": [1, 2, 3, 4], "method": "absolute_then_relative"}))  # fmt: skip
    said = _said("fr", nobody)
    assert "pour 2 sièges." in said and said.endswith("Personne n'est élu aux sièges en jeu.")


def test_without_its_valid_ballots_a_round_keeps_its_stored_text() -> None:
    assert wording.election_round(_round(valid=None), NAMES) is None
    assert wording.arithmetic("fr", _round(valid=None)) is None  # the page shows the stored text


def test_the_systems_void_reasons_and_the_tellers_are_translated() -> None:
    token = i18n.set_language("es")
    try:
        assert wording.void_reason("candidates changed") == "candidaturas modificadas"
        assert wording.void_reason("the room's microphones failed") == "the room's microphones failed"
        poll = {"threshold_numerator": 1, "threshold_denominator": 2, "strict": True, "tie_rule": "lot",
                "base": "cast_excluding_abstentions", "yes": 6, "no": 6, "abstain": 0, "outcome": "rejected",
                "tellers": "Ana Ruiz"}  # fmt: skip
        said = wording.arithmetic("es", poll) or ""
        assert "El empate se resolvió por sorteo." in said and "Recuento por Ana Ruiz." in said
    finally:
        i18n._current.reset(token)


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_word_of_the_poll_panel_and_the_board_is_translated(language: str) -> None:
    printed = messages_in(
        "governance/polls/wording.py", "templates/meetings/_poll.html", "templates/meetings/_poll_words.html",
        "templates/meetings/board.html",
    )  # fmt: skip
    assert untranslated(language, printed) == []


async def test_a_played_election_reads_in_french_and_spanish(demo, make_client):
    desk, chair = await _sitting(make_client)
    item_id = await _election_item(make_client, desk, chair)
    motion = await _motion(make_client, desk, chair, item_id=item_id, seats=2)
    for member in ("berlin", "milan", "lyon"):
        assert (
            await chair.send("POST", f"{API}/motions/{motion['id']}/candidates", json={"member": member})
        ).status_code == 201
    poll = await _open(chair, motion, "secret")
    ids = {m["slug"]: m["id"] for m in await Member.select(Member.slug, Member.id).where(
        Member.slug.is_in(["berlin", "milan", "lyon"]) & (Member.organisation.slug == "metropolis"))}  # fmt: skip
    b, m, ly = ids["berlin"], ids["milan"], ids["lyon"]
    marks = [f"{b},{m}"] * 5 + [f"{b},{ly}"] * 4 + [f"{m}"] * 2 + [f"{ly}"] * 2 + ["blank", f"{ly}"]
    for slug, choice in zip(VOTERS, marks, strict=True):
        assert (await _cast(await voter(make_client, slug), poll, slug, choice)).status_code == 201
    closed = (await chair.send("POST", f"{API}/polls/{poll['id']}/close")).json()
    assert closed["outcome"] == "next_round" and "1 seat(s) to fill in round 2" in closed["arithmetic"]  # the record's

    expected = {
        "fr": ("14 bulletins valables", "Voix par candidat", "1 siège à pourvoir au tour 2", "Élu"),
        "es": ("14 papeletas válidas", "Votos por candidato", "1 puesto por cubrir en la vuelta 2", "Elegido"),
    }
    for language, words in expected.items():
        tablet = make_client()
        await tablet.page_login("berlin@metropolis.demo")
        await tablet.get(f"/language/{language}?next=/")
        for url in (f"/meetings/{SLUG}", f"/meetings/{SLUG}/polls/{poll['id']}/board"):
            page = (await tablet.get(url)).text
            for word in words:
                assert word in page, (language, url, word)
            for english in ("seat(s)", "valid 14", "round 1, 2", "Another round is needed", "Elected"):
                assert english not in page, (language, url, english)
