"""The polls context's typed state: what a poll is once its row is decoded.

A ``poll`` row is decoded once (``Poll.from_row``): options from their JSON, the frozen
majority as a ``Majority`` with an exact ``Fraction``, elected and next candidates as tuples.
The rules (``governance.polls.rules``) decide over these values; the store
(``governance.polls.store``) alone reads and writes the rows they come from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from governance.polls.majority import Base, Majority


class PollStatus(StrEnum):
    open = "open"
    closed = "closed"
    void = "void"


class PollMethod(StrEnum):
    roll_call = "roll_call"  # named ballots on the tablets
    secret = "secret"  # noqa: S105  (ballots apart from participation)
    show_of_hands = "show_of_hands"  # the tellers enter the counts
    unanimous_consent = "unanimous_consent"  # the chair asks for objections

    @property
    def by_ballot(self) -> bool:
        return self in (PollMethod.roll_call, PollMethod.secret)


class PollKind(StrEnum):
    motion = "motion"
    election = "election"


class Choice(StrEnum):
    yes = "yes"
    no = "no"
    abstain = "abstain"
    blank = "blank"  # only where the rule set distinguishes blank ballots


# The stored codes, as plain strings (they go into JSON, the record and the database).
METHODS: tuple[str, ...] = tuple(method.value for method in PollMethod)
BALLOT_METHODS: tuple[str, ...] = (PollMethod.roll_call.value, PollMethod.secret.value)
CHOICES: tuple[str, ...] = (Choice.yes.value, Choice.no.value, Choice.abstain.value)


def _ids(value: object) -> tuple[int, ...]:
    """A JSON list of member ids (``elected``, ``next_candidates``), or empty."""
    return tuple(int(v) for v in json.loads(str(value))) if value else ()


@dataclass(frozen=True)
class BallotPaper:
    """What a ballot may say: the option codes of a motion, or the candidates of an election
    round with the seats it fills (at most that many marks)."""

    kind: PollKind
    options: tuple[str, ...]  # a motion's option codes ("yes", "no", "abstain"[, "blank"])
    candidates: tuple[int, ...]  # an election's candidates (member ids)
    election_method: str | None
    seats: int

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> BallotPaper:
        """From the poll row's ``kind``, ``options`` (JSON) and ``seats``."""
        options = json.loads(row["options"])
        if row["kind"] == PollKind.election:
            return cls(PollKind.election, (), tuple(int(c) for c in options["candidates"]), options["method"],
                       int(row["seats"]))  # fmt: skip
        return cls(PollKind.motion, tuple(str(o) for o in options), (), None, int(row["seats"]))


@dataclass(frozen=True)
class Poll:
    """A poll as frozen when it opened, with what its close has recorded so far."""

    id: int
    motion: int
    round: int
    method: PollMethod
    status: PollStatus
    paper: BallotPaper
    majority: Majority
    tie_rule: str
    majority_article: str
    electorate_size: int
    present_weight: int
    represented_weight: int
    members_weight: int
    arithmetic: str | None
    outcome: str | None
    elected: tuple[int, ...]
    next_candidates: tuple[int, ...]

    @property
    def kind(self) -> PollKind:
        return self.paper.kind

    @property
    def seats(self) -> int:
        return self.paper.seats

    @property
    def secret(self) -> bool:
        return self.method == PollMethod.secret

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Poll:
        base: Base = row["base"]
        return cls(
            id=int(row["id"]),
            motion=int(row["motion"]),
            round=int(row["round"]),
            method=PollMethod(row["method"]),
            status=PollStatus(row["status"]),
            paper=BallotPaper.from_row(row),
            majority=Majority(
                Fraction(int(row["threshold_numerator"]), int(row["threshold_denominator"])), bool(row["strict"]), base
            ),
            tie_rule=str(row["tie_rule"]),
            majority_article=str(row["majority_article"]),
            electorate_size=int(row["electorate_size"]),
            present_weight=int(row["present_weight"]),
            represented_weight=int(row["represented_weight"]),
            members_weight=int(row["members_weight"]),
            arithmetic=row["arithmetic"],
            outcome=row["outcome"],
            elected=_ids(row["elected"]),
            next_candidates=_ids(row["next_candidates"]),
        )


@dataclass(frozen=True)
class Elector:
    """A member in a poll's frozen electorate: its weight, and the person who casts for it
    (its own representative, or the representative of the member holding its proxy)."""

    member: int
    voter: int
    proxy_holder: int | None
    weight: int


@dataclass(frozen=True)
class Electorate:
    """The electorate frozen at opening, with the weights the majority's bases need."""

    electors: tuple[Elector, ...]
    present_weight: int  # electors voting in person (not by proxy)
    represented_weight: int  # electors represented by a proxy holder
    members_weight: int  # every member entitled to vote, attending or not

    @property
    def size(self) -> int:
        return len(self.electors)


# What a close does to the motion: (its new status, the note), or nothing yet (a new round,
# a casting vote awaited).
Effect = tuple[str, str] | None


@dataclass(frozen=True)
class Counted:
    """A poll's result as its close records it: column values (by column name) and the effect."""

    values: dict[str, Any]
    effect: Effect
