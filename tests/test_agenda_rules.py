"""The agenda's pure rules over typed values: no database, no app (governance/agenda/rules.py).

The properties play random sequences of motions, amendments and moves through the rules the
use cases apply (``transition``, ``secondable``, ``amendment_depth``, ``amendments_voted_first``,
``amendment_fate``) and check what DOMAIN 12 and 18 promise whatever the order: a settled
motion stays settled, and an amendment is always voted before its motion.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.agenda import rules
from governance.agenda.model import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Actor,
    DecisionType,
    Item,
    ItemKind,
    ItemStatus,
    Motion,
    MotionKind,
    MotionStatus,
    Procedure,
    Special,
)

MOVER, OTHER = 11, 22  # person ids: the mover, and someone else


def item(status: str = "open", **changes: Any) -> Item:
    row: dict[str, Any] = {"id": 5, "number": "3.2", "kind": "decision", "status": status, "special": None,
                           "decision_type": "ordinary"}  # fmt: skip
    row.update(changes)
    return Item.from_row(row)


def motion(status: str = "proposed", **changes: Any) -> Motion:
    row: dict[str, Any] = {"id": 1, "item": 5, "kind": "main", "procedure": None, "amends": None, "depth": 0,
                           "status": status, "decision_type": "ordinary", "mover_member": 3, "mover_person": MOVER,
                           "version": 1}  # fmt: skip
    row.update(changes)
    return Motion.from_row(row)


def move(m: Motion, target: str, *, by_vote: bool = False, person: int = OTHER, drives: bool = True,
         secretary: bool = False, seconding_required: bool = False) -> Actor:  # fmt: skip
    return rules.transition(m, target, by_vote=by_vote, person=person, secretary=secretary, drives=drives,
                            seconding_required=seconding_required, motions_article="Art. 12 (demo)")  # fmt: skip


# --- the model ------------------------------------------------------------------------------


def test_the_enums_are_the_stored_strings() -> None:
    assert [s.value for s in MotionStatus] == ["proposed", "seconded", "debate", "voting", "adopted", "rejected",
                                               "withdrawn", "postponed", "referred"]  # fmt: skip
    assert [k.value for k in MotionKind] == ["main", "amendment", "procedural"]
    assert [p.value for p in Procedure] == ["postpone", "refer", "table", "close_debate", "amend_agenda"]
    assert [s.value for s in ItemStatus] == ["pending", "open", "closed", "postponed", "withdrawn"]
    assert set(OPEN_STATUSES) | set(FINAL_STATUSES) == set(MotionStatus)
    assert not set(OPEN_STATUSES) & set(FINAL_STATUSES)


def test_rows_decode_once() -> None:
    m = motion(kind="amendment", amends=4, depth=1, procedure=None)
    assert (m.kind, m.amends, m.depth, m.status) == (MotionKind.amendment, 4, 1, MotionStatus.proposed)
    assert item(special="agenda", decision_type="agenda").special == Special.agenda
    assert item(kind="information", decision_type=None).decision_type is None


# --- who drives, items ----------------------------------------------------------------------


def test_who_drives() -> None:
    assert rules.drives({"chair"}, False)
    assert not rules.drives({"secretary"}, False)
    assert rules.drives({"secretary"}, True)
    assert not rules.drives({"representative"}, True)


def test_the_member_represented_prefers_the_principal_and_never_an_observer() -> None:
    mandates = [{"member": 2, "role": "substitute", "office": "member"},
                {"member": 1, "role": "principal", "office": "member"}]  # fmt: skip
    assert rules.represented_member(mandates) == 1
    assert rules.represented_member([{"member": 1, "role": "principal", "office": "observer"}]) is None


def test_items_sort_by_the_parts_of_their_numbers() -> None:
    assert sorted(["3.10", "10", "3.9", "3"], key=rules.item_order) == ["3", "3.9", "3.10", "10"]


def test_item_problems() -> None:
    assert rules.item_problems("decision", "ordinary", None) == {}
    assert set(rules.item_problems("decision", None, None)) == {"decision_type"}
    assert set(rules.item_problems("information", "ordinary", None)) == {"decision_type"}
    assert set(rules.item_problems("discussion", None, "agenda")) == {"special"}
    assert set(rules.item_problems("decision", "budget", "minutes")) == {"decision_type"}


def test_the_agenda_changes_before_adoption_by_the_secretariat_and_after_only_once_unlocked() -> None:
    assert (
        rules.agenda_changeable(adopted=False, unlocked=False, secretary=True, drives=False, agenda_article="A")
        is False
    )
    with pytest.raises(rules.NotAllowed):
        rules.agenda_changeable(adopted=False, unlocked=False, secretary=False, drives=False, agenda_article="A")
    with pytest.raises(rules.Refusal, match=r"Art\. 7"):
        rules.agenda_changeable(adopted=True, unlocked=False, secretary=True, drives=True, agenda_article="Art. 7")
    with pytest.raises(rules.NotAllowed):
        rules.agenda_changeable(adopted=True, unlocked=True, secretary=True, drives=False, agenda_article="A")
    assert rules.agenda_changeable(adopted=True, unlocked=True, secretary=False, drives=True, agenda_article="A")


def test_taking_up_an_item() -> None:
    rules.take_up(item("pending", special="agenda", decision_type="agenda"), agenda_adopted=False)
    rules.take_up(item("pending"), agenda_adopted=True)
    with pytest.raises(rules.Refusal, match="Adopt the agenda first"):
        rules.take_up(item("pending"), agenda_adopted=False)
    with pytest.raises(rules.Refusal, match="cannot be taken up"):
        rules.take_up(item("closed"), agenda_adopted=True)
    with pytest.raises(rules.Refusal, match="motions on the floor"):
        rules.closable(item(), 1, ItemStatus.closed)
    rules.closable(item(), 1, ItemStatus.postponed)  # postponing takes the motions along


# --- motions ----------------------------------------------------------------------------------


def test_outcomes_come_only_from_votes() -> None:
    with pytest.raises(rules.Refusal, match="only by a vote"):
        move(motion("voting"), "adopted")
    assert move(motion("voting"), "adopted", by_vote=True) == Actor.vote
    with pytest.raises(rules.Refusal, match="cannot become"):
        move(motion("debate"), "adopted", by_vote=True)


def test_who_moves_a_motion() -> None:
    assert move(motion("debate"), "voting") == Actor.chair
    with pytest.raises(rules.NotAllowed):
        move(motion("debate"), "voting", drives=False)
    assert move(motion("debate"), "withdrawn", person=MOVER, drives=False) == Actor.mover
    assert move(motion("debate"), "withdrawn", secretary=True) == Actor.mover
    with pytest.raises(rules.NotAllowed, match="Only the mover"):
        move(motion("debate"), "withdrawn")
    with pytest.raises(rules.Refusal, match="cannot become"):
        move(motion("proposed"), "seconded")  # seconding is its own step
    with pytest.raises(rules.Refusal, match="needs a seconder"):
        move(motion("proposed"), "debate", seconding_required=True)
    with pytest.raises(rules.Refusal, match="cannot become nonsense"):
        move(motion("debate"), "nonsense")


def test_seconding() -> None:
    rules.secondable(motion(), seconder=4, person=OTHER)
    with pytest.raises(rules.Refusal, match="own motion"):
        rules.secondable(motion(), seconder=3, person=OTHER)
    with pytest.raises(rules.Refusal, match="own motion"):
        rules.secondable(motion(), seconder=4, person=MOVER)
    with pytest.raises(rules.Refusal, match="cannot be seconded"):
        rules.secondable(motion("debate"), seconder=4, person=OTHER)


def test_amendments() -> None:
    assert rules.amendment_depth(motion("debate"), item(), 1, "A") == 1
    with pytest.raises(rules.Refusal, match="1 level deep"):
        rules.amendment_depth(motion("debate", depth=1), item(), 1, "A")
    with pytest.raises(rules.Refusal, match="can no longer be amended"):
        rules.amendment_depth(motion("voting"), item(), 2, "A")
    with pytest.raises(rules.InvalidInput, match="same item"):
        rules.amendment_depth(motion(item=6), item(), 2, "A")
    with pytest.raises(rules.Refusal, match="2 amendments to this motion are still pending"):
        rules.amendments_voted_first(2)
    assert rules.amendment_fate(MotionStatus.rejected) == MotionStatus.withdrawn
    assert rules.amendment_fate(MotionStatus.referred) == MotionStatus.referred
    main = [("en", "Adopt the budget."), ("fr", "Adopter le budget.")]
    assert rules.amended_text(main, {"fr": "Adopter le budget 2013.", "es": "Adoptar"}) == [
        ("en", "Adopt the budget."), ("fr", "Adopter le budget 2013."), ("es", "Adoptar")]  # fmt: skip


def test_decision_types_and_numbers() -> None:
    assert rules.motion_decision_type(item(), "procedural", "amend_agenda", None) == DecisionType.agenda
    assert rules.motion_decision_type(item(), "procedural", "postpone", None) == DecisionType.procedural
    assert rules.motion_decision_type(item(), "amendment", None, motion(decision_type="budget")) == "budget"
    assert (
        rules.motion_decision_type(item(kind=ItemKind.discussion, decision_type=None), "main", None, None) == "ordinary"
    )
    assert rules.decision_number("BoD", 2012, 7) == "BoD-2012-07"
    assert rules.takes_decision_number(motion(), MotionStatus.adopted)
    assert not rules.takes_decision_number(motion(kind="amendment", amends=2), MotionStatus.adopted)
    assert not rules.takes_decision_number(motion(), MotionStatus.rejected)
    assert rules.procedure_outcome(Procedure.table) == MotionStatus.postponed
    assert rules.procedure_outcome(Procedure.close_debate) is None


def test_recusal() -> None:
    assert rules.recusal_declarant(None, 3, secretary=False, named=False) == 3
    assert rules.recusal_declarant(4, None, secretary=True, named=True) == 4
    with pytest.raises(rules.NotAllowed):
        rules.recusal_declarant(4, 3, secretary=False, named=True)
    with pytest.raises(rules.InvalidInput) as refused:
        rules.recusal_declarant(None, None, secretary=True, named=False)
    assert set(refused.value.fields) == {"member"}
    with pytest.raises(rules.Refusal, match="is Closed"):
        rules.recusable(item("closed"))
    assert rules.quorum_excludes({3, 4}, True) == frozenset()
    assert rules.quorum_excludes({3, 4}, False) == {3, 4}


# --- properties -------------------------------------------------------------------------------

STATUS_CODES = [s.value for s in MotionStatus] + ["nonsense"]


@given(st.sampled_from(FINAL_STATUSES), st.sampled_from(STATUS_CODES), st.booleans(), st.booleans())
def test_no_move_leaves_a_settled_motion(final: MotionStatus, target: str, by_vote: bool, secretary: bool) -> None:
    with pytest.raises(rules.Refusal):
        move(motion(final), target, by_vote=by_vote, secretary=secretary, person=MOVER)


def test_the_transitions_start_open_and_only_votes_decide() -> None:
    for (current, target), actor in rules.MOTION_TRANSITIONS.items():
        assert current in OPEN_STATUSES
        assert (actor == Actor.vote) == (target in rules.OUTCOMES)


# One step of a random session: (what, which motion, a target status, by a vote?). The steps
# lean towards debate and the vote, where the order of amendments matters.
TARGETS = st.one_of(st.sampled_from(["debate", "voting", "adopted", "rejected"]), st.sampled_from(STATUS_CODES))
steps = st.lists(
    st.tuples(st.sampled_from(["amend", "second", "move", "move"]), st.integers(0, 3), TARGETS, st.booleans()),
    min_size=5,
    max_size=60,
)


@settings(max_examples=500, deadline=None)
@given(steps, st.integers(1, 3))
def test_any_session_keeps_settled_motions_settled_and_votes_amendments_first(
    session: list[tuple[str, int, str, bool]], max_depth: int
) -> None:
    """Play the steps through the rules as the use cases do; refused steps change nothing."""
    on_item = item()
    motions: dict[int, Motion] = {1: motion()}
    voted: list[int] = []  # motions in the order votes settled them

    def settle_amendments(main: Motion, status: MotionStatus) -> None:
        if rules.disposes_amendments(status):
            for other in list(motions.values()):
                if other.amends == main.id and other.status in OPEN_STATUSES:
                    motions[other.id] = dataclasses.replace(other, status=rules.amendment_fate(status))

    for what, index, target, by_vote in session:
        before = dict(motions)
        chosen = motions[sorted(motions)[index % len(motions)]]
        try:
            if what == "amend":
                depth = rules.amendment_depth(chosen, on_item, max_depth, "Art. 12 (demo)")
                new_id = max(motions) + 1
                motions[new_id] = motion(id=new_id, kind="amendment", amends=chosen.id, depth=depth)
            elif what == "second":
                rules.secondable(chosen, seconder=4, person=OTHER)
                motions[chosen.id] = dataclasses.replace(chosen, status=MotionStatus.seconded)
            else:
                move(chosen, target, by_vote=by_vote)
                status = MotionStatus(target)
                if status == MotionStatus.voting:
                    rules.amendments_voted_first(rules.pending_amendments(chosen.id, motions.values()))
                motions[chosen.id] = dataclasses.replace(chosen, status=status)
                if status in rules.OUTCOMES:
                    voted.append(chosen.id)
                settle_amendments(chosen, status)
        except rules.Refusal:
            assert motions == before
        for motion_id, was in before.items():
            if was.status in FINAL_STATUSES:
                assert motions[motion_id].status == was.status, "a settled motion changed"
        for m in motions.values():
            if m.status == MotionStatus.voting:
                assert rules.pending_amendments(m.id, motions.values()) == 0
    for position, motion_id in enumerate(voted):
        amends = motions[motion_id].amends
        if amends is not None:
            assert amends not in voted[:position], "an amendment was voted after its motion"
        for other in motions.values():
            if other.amends == motion_id:
                assert other.status in FINAL_STATUSES


LANGUAGES = st.sampled_from(["en", "fr", "es"])
TEXTS = st.text(max_size=5)


@given(st.dictionaries(LANGUAGES, TEXTS), st.dictionaries(LANGUAGES, TEXTS))
def test_an_amended_text_keeps_every_language_and_takes_the_amendment(
    main: dict[str, str], amendment: dict[str, str]
) -> None:
    amended = rules.amended_text(list(main.items()), amendment)
    languages = [language for language, _text in amended]
    assert len(languages) == len(set(languages))
    assert languages[: len(main)] == list(main)  # the main text's languages first, in order
    assert dict(amended) == {**main, **amendment}


@given(st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=3).map(lambda parts: ".".join(map(str, parts)))))
def test_items_sort_like_their_numbers_parts(numbers: list[str]) -> None:
    ordered = sorted(numbers, key=rules.item_order)
    assert [rules.item_order(n) for n in ordered] == sorted(rules.item_order(n) for n in numbers)


@given(st.lists(st.tuples(st.integers(0, 1000), st.booleans(), st.booleans()), max_size=12))
def test_the_queue_is_the_waiting_requests_first_asked_first(requests: list[tuple[int, bool, bool]]) -> None:
    base = dt.datetime(2012, 11, 15, 9, tzinfo=dt.UTC)
    rows = [
        {"id": i, "item": 1, "person": 100 + i, "requested_at": base + dt.timedelta(seconds=asked),
         "given_at": base + dt.timedelta(seconds=asked + 5) if given else None,
         "ended_at": base + dt.timedelta(seconds=asked + 65) if given else None,
         "withdrawn_at": base if withdrawn and not given else None}
        for i, (asked, given, withdrawn) in enumerate(requests)
    ]  # fmt: skip
    waiting = rules.order_waiting(rows)
    assert [entry["position"] for entry in waiting] == list(range(1, len(waiting) + 1))
    assert [entry["requested_at"] for entry in waiting] == sorted(entry["requested_at"] for entry in waiting)
    assert {entry["id"] for entry in waiting} == {
        r["id"] for r in rows if r["given_at"] is None and not r["withdrawn_at"]
    }
    queue = rules.build_queue(rows, 1)
    assert queue["spoken_seconds"] == 60 * len(queue["spoken"])
