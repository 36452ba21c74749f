"""Property tests (hypothesis) for attendance's pure rules (governance.meetings.attendance_rules):
the register's tally, the item's quorum without the recused, who casts for whom and the
electorate built from them, what a proxy lacks, and the proxy consent steps. No database."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from governance.meetings import attendance_rules as rules
from governance.meetings.attendance_model import MemberState, Missing, ProxyStep
from governance.meetings.attendance_rules import Actor, StepRefusal, TimeRefusal, UndoRefusal
from governance.meetings.quorum import QuorumRule, counting_proxies
from governance.polls import rules as poll_rules

NOW = dt.datetime(2026, 5, 1, 18, 0, tzinfo=dt.UTC)
AT = NOW - dt.timedelta(minutes=5)
CATEGORIES = ("full", "associate")

quorum_rules = st.builds(
    QuorumRule,
    counts_represented=st.booleans(),
    of_all_members=st.booleans(),
    fraction=st.builds(Fraction, st.integers(0, 6), st.integers(6, 12)),
    minimum=st.integers(0, 5),
    strict=st.booleans(),
)
maybe_at = st.one_of(st.none(), st.just(AT))


@st.composite
def proxy_rows(draw, grantor: int, holder: int, proxy_id: int):
    return {
        "id": proxy_id,
        "grantor": grantor,
        "holder": holder,
        "scope": draw(st.sampled_from(["meeting", "meeting", "items"])),
        "accepted_at": draw(maybe_at),
        "validated_at": draw(maybe_at),
        "revoked_at": draw(st.one_of(st.none(), st.none(), st.just(AT))),
        "grantor_confirmed_at": draw(maybe_at),
        "form_sha256": draw(st.sampled_from(["", "", "ab" * 32])),
    }


@st.composite
def registers(draw):
    """Rows a register is tallied from: seats, fees, stays (some ended), excusals, proxies."""
    size = draw(st.integers(0, 25))
    members = list(range(1, size + 1))
    seats = [
        {"id": m, "slug": f"m{m}", "name": f"Member {m:02}", "category": draw(st.sampled_from(CATEGORIES))}
        for m in members
    ]
    fees = {m: draw(st.booleans()) for m in members if draw(st.booleans())}
    stays = []
    for m in members:
        for ended in draw(st.lists(st.booleans(), max_size=2)):
            stays.append(
                {
                    "member": m,
                    "person": 100 + m,
                    "mode": draw(st.sampled_from(["present", "remote"])),
                    "role": "principal",
                    "arrived_at": AT,
                    "departed_at": NOW if ended else None,
                    "person_name": f"Person {m}",
                }
            )
    # At most one open stay per member, as the store guarantees.
    seen: set[int] = set()
    stays = [s for s in stays if s["departed_at"] is not None or not (s["member"] in seen or seen.add(s["member"]))]
    excused = set(draw(st.lists(st.sampled_from(members), max_size=size))) if members else set()
    proxies = []
    if len(members) >= 2:
        pairs = draw(st.lists(st.tuples(st.sampled_from(members), st.sampled_from(members)), max_size=size))
        for i, (grantor, holder) in enumerate(pairs):
            if grantor != holder:
                proxies.append(draw(proxy_rows(grantor, holder, i + 1)))
    return {
        "seats": seats,
        "fees": fees,
        "stays": stays,
        "excused": excused,
        "proxies": proxies,
        "rule": draw(quorum_rules),
        "voting_categories": ("full",),
        "arrears_remove_vote": draw(st.booleans()),
        "holder_must_vote": draw(st.booleans()),
        "year": 2026,
        "articles": {"voting_categories_article": "art. 5", "arrears_article": "art. 7"},
    }


@given(registers())
def test_every_seat_has_exactly_one_line_and_state(facts):
    tally = rules.tally(**facts)
    assert [line.id for line in tally.lines] == [s["id"] for s in facts["seats"]]
    for line in tally.lines:
        if line.id in tally.attending:
            assert line.state == tally.attending[line.id]
        elif line.id in tally.represented_by:
            assert line.state is MemberState.represented
        elif line.id in facts["excused"]:
            assert line.state is MemberState.excused
        else:
            assert line.state is MemberState.absent


@given(registers())
def test_a_proxy_counts_only_when_complete_and_its_holder_attends(facts):
    tally = rules.tally(**facts)
    live = {p["grantor"]: p for p in facts["proxies"] if p["revoked_at"] is None}
    for grantor, holder in tally.represented_by.items():
        assert grantor not in tally.attending  # a grantor who attends votes itself
        assert holder in tally.attending  # a proxy held by someone absent counts for nothing
        assert grantor in tally.voters
        assert not rules.proxy_missing(live[grantor])
        assert live[grantor]["scope"] == "meeting"  # item proxies count in their polls only


@given(registers())
def test_the_quorum_counts_the_attending_and_the_represented(facts):
    tally = rules.tally(**facts)
    rule = facts["rule"]
    population = set(tally.names) if rule.of_all_members else tally.voters
    q = tally.quorum
    assert q.present + q.remote == sum(1 for m in tally.attending if m in population)
    assert q.represented == sum(1 for m in tally.represented_by if m in population)
    assert q.counted == q.present + q.remote + (q.represented if rule.counts_represented else 0)
    assert q.total == len(population)
    assert q.met == (q.counted >= q.required)


@given(registers(), st.data())
def test_recused_members_leave_the_items_quorum(facts, data):
    tally = rules.tally(**facts)
    members = sorted(tally.names)
    recused = set(data.draw(st.lists(st.sampled_from(members), max_size=5))) if members else set()
    kwargs = {
        "seated": tally.names.keys(),
        "voters": tally.voters,
        "attending": tally.attending,
        "represented_by": tally.represented_by,
        "recused": recused,
    }
    kept = rules.item_quorum(facts["rule"], tally.quorum, recused_count=True, **kwargs)
    assert kept == tally.quorum  # the statutes keep them
    item = rules.item_quorum(facts["rule"], tally.quorum, recused_count=False, **kwargs)
    population = set(tally.names) if facts["rule"].of_all_members else tally.voters
    assert item.total == len(population - recused)
    assert item.present + item.remote == sum(1 for m in tally.attending if m in population - recused)
    assert item.represented == sum(1 for m in tally.represented_by if m in population - recused)
    if not recused:
        assert item == tally.quorum


@given(registers(), st.data())
def test_the_electorates_weights_add_up_to_present_plus_represented(facts, data):
    tally = rules.tally(**facts)
    members = sorted(tally.names)
    recused = set(data.draw(st.lists(st.sampled_from(members), max_size=4))) if members else set()
    entitled = rules.entitled(tally.voters, recused)
    weights = poll_rules.weights_of(entitled, {m: data.draw(st.integers(1, 5)) for m in entitled})
    representatives = {**tally.representatives}
    electorate = poll_rules.electorate(
        weights=weights,
        attending=tally.attending,
        represented_by=tally.represented_by,
        representatives=representatives,
        recused=recused,
    )
    total = sum(e.weight for e in electorate.electors)
    assert electorate.present_weight + electorate.represented_weight == total
    assert electorate.present_weight == sum(weights[m] for m in entitled if m in tally.attending)
    assert electorate.members_weight == sum(weights.values())
    # The electorate is exactly the entitled members someone casts for (who_casts).
    casting = {
        m: rules.who_casts(m, attending=tally.attending, represented_by=tally.represented_by, recused=recused)
        for m in entitled
    }
    assert {e.member for e in electorate.electors} == {m for m, by in casting.items() if by is not None}
    for e in electorate.electors:
        assert e.member not in recused
        assert e.voter == representatives[casting[e.member]]


@given(registers(), st.data())
def test_a_member_whose_holder_is_recused_never_votes(facts, data):
    tally = rules.tally(**facts)
    holders = sorted(set(tally.represented_by.values()))
    if not holders:
        return
    recused = set(data.draw(st.lists(st.sampled_from(holders), min_size=1, max_size=3)))
    entitled = rules.entitled(tally.voters, recused)
    electorate = poll_rules.electorate(
        weights=poll_rules.weights_of(entitled, None),
        attending=tally.attending,
        represented_by=tally.represented_by,
        representatives=tally.representatives,
        recused=recused,
    )
    voting = {e.member for e in electorate.electors}
    for grantor, holder in tally.represented_by.items():
        if holder in recused:
            assert grantor not in voting
            assert (
                rules.who_casts(
                    grantor, attending=tally.attending, represented_by=tally.represented_by, recused=recused
                )
                is None
            )
    assert all(e.proxy_holder not in recused for e in electorate.electors)


@given(st.data())
def test_what_a_proxy_lacks(data):
    proxy = data.draw(proxy_rows(1, 2, 1))
    missing = rules.proxy_missing(proxy)
    if proxy["revoked_at"] is not None:
        assert missing == []
        return
    assert (Missing.grantor in missing) == (not proxy["form_sha256"] and proxy["grantor_confirmed_at"] is None)
    assert (Missing.holder in missing) == (proxy["accepted_at"] is None)
    assert (Missing.validation in missing) == (proxy["validated_at"] is None)
    # Complete (nothing missing) is exactly what the quorum's rules count, attendance aside.
    counted = counting_proxies([rules.proxy_state(proxy)], {2: "present"}, {1, 2}, holder_must_vote=False)
    assert bool(counted) == (not missing and proxy["scope"] == "meeting")


actors = st.builds(Actor, secretary=st.booleans(), for_grantor=st.booleans(), for_holder=st.booleans())


@given(st.sampled_from(list(ProxyStep)), actors, st.data())
def test_the_consent_steps(step, actor, data):
    proxy = data.draw(proxy_rows(1, 2, 1))
    refusal = rules.step_refusal(step, proxy, actor)
    may = {
        ProxyStep.accept: actor.for_holder,
        ProxyStep.accept_in_room: actor.secretary,
        ProxyStep.confirm: actor.for_grantor,  # the secretariat never gives the grantor's word
        ProxyStep.validate: actor.secretary,
        ProxyStep.revoke: actor.secretary or actor.for_grantor,
    }[step]
    if not may:
        assert refusal is not None and refusal.forbidden
        return
    taken = {
        ProxyStep.accept: proxy["accepted_at"],
        ProxyStep.accept_in_room: proxy["accepted_at"],
        ProxyStep.confirm: proxy["grantor_confirmed_at"],
        ProxyStep.validate: proxy["validated_at"],
        ProxyStep.revoke: None,
    }[step]
    if taken is not None:
        assert refusal is not None and not refusal.forbidden
    else:
        assert refusal is None


def test_the_secretariat_cannot_confirm_for_the_grantor():
    proxy = {"grantor_confirmed_at": None, "accepted_at": None, "validated_at": None}
    refusal = rules.step_refusal(ProxyStep.confirm, proxy, Actor(secretary=True, for_grantor=False, for_holder=True))
    assert refusal is StepRefusal.grantor_confirms


@given(st.integers(-600, 600))
def test_times_given(seconds):
    at = NOW + dt.timedelta(seconds=seconds)
    assert rules.time_refusal(at.replace(tzinfo=None), NOW) is TimeRefusal.naive
    expected = TimeRefusal.future if dt.timedelta(seconds=seconds) > rules.CLOCK_SKEW else None
    assert rules.time_refusal(at, NOW) is expected


@given(st.integers(0, 300), st.booleans(), st.booleans(), st.booleans())
def test_undoing_an_arrival(seconds, secretary, recorded_it, vote_since):
    arrived = NOW - dt.timedelta(seconds=seconds)
    refusal = rules.undo_refusal(NOW, arrived, secretary=secretary, recorded_it=recorded_it, vote_since=vote_since)
    if not (secretary or recorded_it):
        assert refusal is UndoRefusal.not_recorder
    elif dt.timedelta(seconds=seconds) > rules.UNDO_WINDOW:
        assert refusal is UndoRefusal.too_late
    else:
        assert refusal is (UndoRefusal.vote_since if vote_since else None)


def test_check_in_defaults_and_remote():
    mandates = [
        {"person": 3, "role": "substitute"},
        {"person": 2, "role": "delegate"},
        {"person": 1, "role": "principal"},
    ]
    assert rules.default_representative(mandates) == 1
    assert rules.default_representative(mandates[:2]) == 2
    assert rules.default_representative([]) is None
    assert rules.substitute_blocked("substitute", "delegate")
    assert not rules.substitute_blocked("delegate", "substitute")
    assert rules.remote_refusal("present", remote_allowed=False, meeting_mode="in_person") is None
    assert rules.remote_refusal("remote", remote_allowed=False, meeting_mode="hybrid") is rules.RemoteRefusal.statutes
    assert (
        rules.remote_refusal("remote", remote_allowed=True, meeting_mode="in_person") is rules.RemoteRefusal.in_person
    )
    assert rules.remote_refusal("remote", remote_allowed=True, meeting_mode="hybrid") is None
