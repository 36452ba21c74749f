"""The polls' pure rules over typed values: no database, no app (governance/polls/rules.py)."""

from __future__ import annotations

import json
import random

import pytest

from governance.polls import elections, rules
from governance.polls.model import BallotPaper, Poll, PollKind


def poll(**changes: object) -> Poll:
    row: dict[str, object] = {
        "id": 7, "motion": 3, "round": 1, "method": "roll_call", "status": "open", "kind": "motion",
        "options": '["yes","no","abstain"]', "seats": 1, "threshold_numerator": 1, "threshold_denominator": 2,
        "strict": True, "base": "cast_excluding_abstentions", "tie_rule": "lot", "majority_article": "Art. 9 (demo)",
        "electorate_size": 6, "present_weight": 6, "represented_weight": 0, "members_weight": 8,
        "arithmetic": None, "outcome": None, "elected": None, "next_candidates": None,
    }  # fmt: skip
    row.update(changes)
    return Poll.from_row(row)


class Drawn:
    """A random source that always draws what the test says (the injected lot)."""

    def __init__(self, choice: object = None, sample: list[int] | None = None) -> None:
        self._choice, self._sample = choice, sample

    def choice(self, seq):  # type: ignore[no-untyped-def]
        assert self._choice in seq
        return self._choice

    def sample(self, population, k):  # type: ignore[no-untyped-def]
        assert self._sample is not None and len(self._sample) == k and set(self._sample) <= set(population)
        return list(self._sample)


@pytest.mark.parametrize("drawn", ["adopted", "rejected"])
def test_a_tie_decided_by_lot_takes_the_injected_draw_and_says_so(drawn):
    counted = rules.count_motion(poll(), {"yes": 2, "no": 2, "abstain": 2}, chair_vote=None, lot=Drawn(drawn))
    assert counted.values["outcome"] == drawn
    assert counted.values["arithmetic"].endswith(f"lot drawn: {drawn}")
    assert counted.effect == (drawn, counted.values["arithmetic"])


def test_a_seeded_lot_is_reproducible():
    outcomes = {
        rules.count_motion(poll(), {"yes": 1, "no": 1, "abstain": 0}, chair_vote=None, lot=random.Random(seed))
        .values["outcome"]
        for seed in (1, 1, 1)
    }
    assert len(outcomes) == 1


def test_the_tellers_are_named_in_the_arithmetic():
    counted = rules.count_motion(
        poll(method="show_of_hands"), {"yes": 4, "no": 1, "abstain": 1}, chair_vote=None, lot=Drawn(), tellers="A, B"
    )
    assert counted.values["tellers"] == "A, B" and counted.values["outcome"] == "adopted"
    assert counted.values["arithmetic"].endswith("; counted by A, B")
    assert counted.values["blank"] == 0


def test_an_election_tie_drawn_by_lot_elects_the_injected_sample():
    # Round 3 is relative: C leads; with two seats, A and B tie for the second.
    options = json.dumps({"candidates": [1, 2, 3], "method": "absolute_then_relative"})
    two_seats = poll(kind="election", method="secret", seats=2, round=3, options=options)
    ballots = [elections.Ballot((1,)), elections.Ballot((2,)), elections.Ballot((3,), 2)]
    names = {1: "A", 2: "B", 3: "C"}
    counted = rules.count_election(two_seats, ballots, 0, earlier=[], names=names, lot=Drawn(sample=[2]))
    assert counted.values["outcome"] == "elected"
    assert json.loads(counted.values["elected"]) == [3, 2]
    assert "lot drawn: B" in counted.values["arithmetic"]


def test_the_electorate_leaves_out_proxies_held_by_recused_members():
    frozen = rules.electorate(
        weights={1: 1, 2: 3, 3: 1, 4: 1},
        attending={1, 2},
        represented_by={3: 2, 4: 1},
        representatives={1: 101, 2: 102},
        recused={2},
    )
    # Member 2 is recused (the caller leaves it out of the weights in practice); its proxy
    # from 3 counts for nothing, while 4's proxy held by 1 does.
    assert [(e.member, e.voter, e.proxy_holder) for e in frozen.electors] == [
        (1, 101, None), (2, 102, None), (4, 101, 1)
    ]  # fmt: skip
    assert (frozen.present_weight, frozen.represented_weight, frozen.members_weight) == (4, 1, 6)


def test_a_ballot_outside_the_paper_is_refused_with_the_field_at_fault():
    paper = BallotPaper(PollKind.election, (), (1, 2, 3), "absolute_then_relative", 2)
    assert rules.ballot_content(paper, "3,1") == "1,3"
    with pytest.raises(rules.Refusal) as refused:
        rules.ballot_content(paper, "1,2,3")
    assert refused.value.fields == {"choice": refused.value.message}
    with pytest.raises(rules.Refusal):
        rules.ballot_content(BallotPaper(PollKind.motion, ("yes", "no"), (), None, 1), "abstain")


def test_secrecy_warnings():
    assert rules.secrecy_warning("roll_call", 2, []) is None
    assert rules.secrecy_warning("secret", 4, []) is not None
    assert rules.unique_weights([1, 1, 2, 3, 3]) == [2]
    assert rules.unique_weights([1, 1]) == []
    assert rules.secrecy_warning("secret", 9, [2]) is not None
