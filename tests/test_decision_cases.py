"""Decisions the statutes would accept, judged from the outside.

The decision cases of ``shared/conformance`` (and ours, ``tests/conformance``) run through both
implementations: the server's (``governance rules check``, the function that closes polls) and
the verifier's own (``python -m governance.verify --rules``). Hypothesis then looks for any vote
on which the two disagree. Finally the budget roll call that adopted a motion below its majority
(10 yes with the chair, 10 no, 6 abstentions over 26 present or represented) is replayed
through the API on a fresh demo: it must be rejected, with arithmetic that says why.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.polls.decision_cases import case_outcome as server_decides
from governance.verify.rules import case_outcome as verifier_decides

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "conformance" / "decisions.json"
OURS = ROOT / "tests" / "conformance" / "decisions-more.json"
CASE_FILES = [path for path in (SHARED, OURS) if path.exists()]
COMMANDS = {
    "server": [sys.executable, "-m", "governance.cli", "rules", "check"],
    "verifier": [sys.executable, "-m", "governance.verify", "--rules"],
}


def _run(which: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMANDS[which], str(path)], capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_the_shared_cases_are_there():
    # CI lays shared/ beside the clone; the Makefile runs them too. A missing file must not
    # silently turn this module into a run of our own cases only.
    assert SHARED.exists() or "CI" not in __import__("os").environ, SHARED


@pytest.mark.parametrize("which", sorted(COMMANDS))
@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_every_case_passes_through_both_implementations(which, path):
    done = _run(which, path)
    lines = done.stdout.splitlines()
    cases = json.loads(path.read_text())["cases"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines == [f"ok {case['name']}" for case in cases]


@pytest.mark.parametrize("which", sorted(COMMANDS))
def test_a_wrong_expectation_fails_with_what_was_expected(which, tmp_path):
    cases = json.loads(OURS.read_text())
    budget = next(c for c in cases["cases"] if "budget roll call" in c["name"])
    budget["expect"]["outcome"] = "adopted"  # what the first round's server answered
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(cases))
    done = _run(which, wrong)
    assert done.returncode == 1
    failures = [line for line in done.stdout.splitlines() if line.startswith("FAIL")]
    assert failures == [f"FAIL {budget['name']}: outcome expected 'adopted', got 'rejected'"]


@pytest.mark.parametrize("which", sorted(COMMANDS))
def test_a_malformed_file_or_case_fails_without_a_traceback(which, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "governance-decision-cases/1", "cases": [{"name": "no majority"}]}))
    done = _run(which, bad)
    assert done.returncode == 1 and "FAIL no majority: malformed case" in done.stdout
    assert "Traceback" not in done.stderr
    bad.write_text("{not json")
    done = _run(which, bad)
    assert done.returncode == 1 and "Traceback" not in done.stderr


BASES = ["cast_excluding_abstentions", "cast_including_abstentions", "present", "present_or_represented", "all_members"]


@st.composite
def votes(draw):
    yes, no, abstain, blank = (draw(st.integers(0, 40)) for _ in range(4))
    tie = draw(st.booleans())
    if tie:
        no = yes
    present = yes + no + abstain + blank + draw(st.integers(0, 5))
    represented = draw(st.integers(0, 5))
    denominator = draw(st.integers(1, 5))
    return {
        "name": "drawn",
        "majority": {
            "fraction": str(Fraction(draw(st.integers(1, denominator)), denominator)),
            "strict": draw(st.booleans()),
            "base": draw(st.sampled_from(BASES)),
        },
        "tie_rule": draw(st.sampled_from(["fails", "chair_prevails", "casting_vote", "new_round", "lot"])),
        "secret": draw(st.booleans()),
        "counts": {"yes": yes, "no": no, "abstain": abstain, "blank": blank, "present": present,
                   "represented": represented, "members": present + represented + draw(st.integers(0, 10))},
        "chair_vote": draw(st.sampled_from([None, "yes", "no", "abstain"])),
        "casting_vote": draw(st.sampled_from([None, "yes", "no"])),
        "lot": draw(st.sampled_from([None, "yes", "no"])),
    }  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(votes())
def test_the_server_and_the_verifier_never_disagree(case):
    server, verifier = server_decides(case), verifier_decides(case)
    assert server == verifier
    # And what neither may ever do: adopt below the requirement over the base.
    if server["outcome"] == "adopted" and case["tie_rule"] != "casting_vote" and case["chair_vote"] is None:
        assert case["counts"]["yes"] >= server["required"] or (server["tie"] and case["lot"] == "yes")


# --- the budget roll call, through the API -------------------------------------------------

SLUG = "metropolis-bod-2012"
API = f"/api/v1/meetings/{SLUG}"


async def _voter(make_client, member):
    client = make_client()
    assert (await client.api_login(f"{member}@metropolis.demo")).status_code == 200
    return client


async def _put_to_the_vote(desk, chair, make_client, item, mover, seconder, text):
    # French is the Metropolis Board's authoritative language.
    motion = await desk.send("POST", f"{API}/motions", json={"item": item, "mover": mover, "text_fr": text})
    assert motion.status_code == 201, motion.text
    motion = motion.json()
    await (await _voter(make_client, seconder)).send("POST", f"{API}/motions/{motion['id']}/second")
    for status in ("debate", "voting"):
        moved = await chair.send("POST", f"{API}/motions/{motion['id']}/status", json={"status": status})
        assert moved.status_code == 200, moved.text
    opened = await chair.send("POST", f"{API}/polls", json={"motion": motion["id"], "method": "roll_call"})
    assert opened.status_code == 201, opened.text
    return motion, opened.json()


async def test_a_tie_below_the_majority_rejects_the_budget_whatever_the_chair_voted(demo, make_client):
    desk, chair = make_client(), make_client()
    await desk.api_login("secretary@metropolis.demo")
    await chair.api_login("paris-idf@metropolis.demo")
    register = (await desk.get(f"{API}/register")).json()["members"]
    voters = sorted(m["member"] for m in register if m["votes"])
    assert len(voters) == 27 and "paris-idf" in voters
    present = [m for m in voters if m != "toronto"]  # 26 present: the base of the budget's majority
    for member in present:
        assert (await desk.send("POST", f"{API}/arrivals", json={"member": member})).status_code == 201
    assert (await chair.send("POST", f"{API}/status", json={"status": "open"})).status_code == 200
    items = {item["number"]: item for item in (await chair.get(f"{API}/agenda")).json()}
    clients = {member: await _voter(make_client, member) for member in present}

    async def roll_call(poll, choices):
        for member, choice in choices.items():
            cast = await clients[member].send(
                "POST",
                f"{API}/polls/{poll['id']}/ballots",
                json={"member": member, "choice": choice, "token": secrets.token_urlsafe(24)},
            )
            assert cast.status_code == 201, cast.text
        closed = await chair.send("POST", f"{API}/polls/{poll['id']}/close")
        assert closed.status_code == 200, closed.text
        return closed.json()

    # The agenda first (a vote too), then the budget.
    agenda_item = min(items.values(), key=lambda item: [int(n) for n in item["number"].split(".")])
    await chair.send("POST", f"{API}/agenda/items/{agenda_item['id']}/open")
    _m, poll = await _put_to_the_vote(desk, chair, make_client, agenda_item["id"], "seoul", "berlin",
                                      "Le Conseil adopte l'ordre du jour.")  # fmt: skip
    assert (await roll_call(poll, dict.fromkeys(present, "yes")))["outcome"] == "adopted"
    await chair.send("POST", f"{API}/agenda/items/{agenda_item['id']}/close")

    budget = next(item for item in items.values() if item["decision_type"] == "budget")
    assert (await chair.send("POST", f"{API}/agenda/items/{budget['id']}/open")).status_code == 200
    motion, poll = await _put_to_the_vote(desk, chair, make_client, budget["id"], "barcelona", "berlin",
                                          "Le Conseil adopte le budget 2013 de 3 200 000 EUR.")  # fmt: skip
    others = [m for m in present if m != "paris-idf"]
    choices = {"paris-idf": "yes", **dict.fromkeys(others[:9], "yes"), **dict.fromkeys(others[9:19], "no"),
               **dict.fromkeys(others[19:], "abstain")}  # fmt: skip
    assert list(choices.values()).count("abstain") == 6
    closed = await roll_call(poll, choices)
    assert (closed["yes"], closed["no"], closed["abstain"]) == (10, 10, 6)
    assert closed["outcome"] == "rejected", closed["arithmetic"]
    assert closed["arithmetic"].startswith(
        "more than 1/2 of 26 (present or represented) = 14; yes 10, no 10, abstain 6: "
        "tie, not decisive (yes + 1 = 11 < 14): the tie rule cannot supply the majority, rejected"
    ), closed["arithmetic"]
    assert closed["casting_vote"] in (None, False), closed
    decided = (await desk.get(f"{API}/motions/{motion['id']}")).json()
    assert decided["status"] == "rejected" and not decided.get("decision_number")
    # A French tablet reads the same arithmetic in French, from the poll's numbers.
    tablet = clients["lyon"]
    await tablet.get(f"/language/fr?next=/meetings/{SLUG}")
    page = (await tablet.get(f"/meetings/{SLUG}")).text
    assert "Majorité requise : plus de 1/2 des 26 membres présents ou représentés, soit 14 voix pour." in page, page
    assert "Le partage des voix n'est pas décisif" in page or "Le partage des voix n&#39;est pas décisif" in page
    assert "more than 1/2 of 26" not in page
