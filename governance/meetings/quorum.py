"""Voting rights, proxies that count, and the quorum: pure functions over plain data.

Exact arithmetic throughout (``fractions.Fraction``, never floats): the quorum is the
statute's fraction of the total, rounded up to whole members, or one more than the
fraction when the statute says "more than". The property tests in
``tests/test_quorum_rules.py`` pin down the behaviour a statute would expect.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from governance.organisations.statutes import Statutes
from governance.vocabulary import QuorumCounts, QuorumOf


@dataclass(frozen=True)
class VotingRight:
    votes: bool
    reason: str | None = None  # why not, for the register ("associate member", "fee 2012 unpaid")


def voting_right(
    *, category: str, voting_categories: Iterable[str], arrears_remove_vote: bool, fee_paid: bool | None, year: int
) -> VotingRight:
    """Rule 2: non-voting categories and (when the rule says so) members in arrears do not vote."""
    if category not in set(voting_categories):
        return VotingRight(False, f"category:{category}")
    if arrears_remove_vote and not fee_paid:
        return VotingRight(False, f"arrears:{year}")
    return VotingRight(True)


@dataclass(frozen=True)
class QuorumRule:
    counts_represented: bool  # "present or represented" rather than "present"
    of_all_members: bool  # the total is all seated members, not only those who vote
    fraction: Fraction
    minimum: int
    strict: bool  # "more than" the fraction rather than "at least"

    def __post_init__(self) -> None:
        if not 0 <= self.fraction <= 1 or self.minimum < 0:
            raise ValueError("a quorum is a fraction between 0 and 1 and a non-negative minimum")


def rule_for(statutes: Statutes, convocation: int) -> QuorumRule:
    """The statutes' quorum rule for the first or second convocation."""
    return QuorumRule(
        counts_represented=statutes.quorum_counts == QuorumCounts.present_or_represented,
        of_all_members=statutes.quorum_of == QuorumOf.all_members,
        fraction=statutes.quorum_fraction(convocation),
        minimum=statutes.quorum_minimum_for(convocation),
        strict=statutes.quorum_strict,
    )


def required_count(rule: QuorumRule, total: int) -> int:
    """How many members the quorum needs out of ``total``."""
    share = rule.fraction * total
    needed = math.floor(share) + 1 if rule.strict else math.ceil(share)
    return max(rule.minimum, needed)


@dataclass(frozen=True)
class ProxyState:
    grantor: int
    holder: int
    accepted: bool
    validated: bool
    revoked: bool
    # The grantor's own consent: its signed proxy form is on file, or it confirmed from its account.
    grantor_agreed: bool
    whole_meeting: bool = True


def counting_proxies(
    proxies: Iterable[ProxyState], attending: Mapping[int, str], voters: set[int], holder_must_vote: bool
) -> dict[int, int]:
    """grantor -> holder for every proxy that counts now (rule 3).

    A proxy counts when its grantor agreed (signed form or own confirmation), its holder
    accepted it, the secretariat validated it and it is not revoked; its grantor is absent
    (a grantor who attends votes itself) and votes; its holder attends (a proxy held by
    someone absent counts for nothing) and, when the statutes say so, votes too.
    Chains are refused when a proxy is given, but a proxy whose holder has itself given
    one is ignored here as well, so that a vote never travels twice.
    """
    live = [p for p in proxies if p.grantor_agreed and p.accepted and p.validated and not p.revoked]
    grantors = {p.grantor for p in live}
    counted: dict[int, int] = {}
    # Item-scoped proxies count only in the polls on their items, not in the meeting's quorum.
    for proxy in (p for p in live if p.whole_meeting):
        if proxy.grantor in attending or proxy.grantor not in voters:
            continue
        if proxy.holder not in attending or proxy.holder in grantors:
            continue
        if holder_must_vote and proxy.holder not in voters:
            continue
        counted[proxy.grantor] = proxy.holder
    return counted


@dataclass(frozen=True)
class QuorumResult:
    present: int
    remote: int
    represented: int
    counted: int
    total: int
    required: int
    met: bool


def compute_quorum(
    rule: QuorumRule,
    *,
    seated: set[int],
    voters: set[int],
    attending: Mapping[int, str],
    represented: Iterable[int],
) -> QuorumResult:
    """The quorum (rule 4) from who is seated, who votes, who attends (member -> "present"
    or "remote") and whose proxy counts."""
    population = seated if rule.of_all_members else voters & seated
    present = sum(1 for member, mode in attending.items() if member in population and mode == "present")
    remote = sum(1 for member, mode in attending.items() if member in population and mode == "remote")
    by_proxy = sum(1 for member in set(represented) if member in population and member not in attending)
    counted = present + remote + (by_proxy if rule.counts_represented else 0)
    total = len(population)
    required = required_count(rule, total)
    return QuorumResult(
        present=present,
        remote=remote,
        represented=by_proxy,
        counted=counted,
        total=total,
        required=required,
        met=counted >= required,
    )
