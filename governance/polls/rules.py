"""The polls context's rules: pure decisions over typed values (no table, no request, no page).

* **Opening**: which method the statutes allow (a secret ballot for elections, ballots only
  for elections), whether an uncontested election needs a vote, the options per method, and
  the electorate: each voting member attending or validly represented, minus recused members
  (a proxy held by a recused member counts for nothing), with its weight and the person who
  casts for it. What the electorate was frozen from goes into the record with its hash.
* **Casting**: a ballot's canonical content, or a refusal that says why.
* **Closing**: totals from the ballots (or the tellers' counts), the majority and the tie rule
  (``governance.polls.majority``), an election round (``governance.polls.elections``), and
  lot, drawn from a random source the caller injects (the server's CSPRNG; a test's seed).
* **Secrecy**: when a secret ballot's count or weights could give choices away.

A refusal is a ``Refusal`` (the reader's sentence, and the fields at fault when the input is
invalid); the services raise it as the matching domain error.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Literal, Protocol, TypeVar, cast

from governance.i18n import gettext as _
from governance.organisations.statutes import Statutes
from governance.polls import elections
from governance.polls.majority import Count, TieRule, decide
from governance.polls.model import (
    BALLOT_METHODS,
    CHOICES,
    BallotPaper,
    Counted,
    Effect,
    Elector,
    Electorate,
    Poll,
    PollKind,
    PollMethod,
)
from governance.record import canonical

T = TypeVar("T")
# Below this many voters a secret ballot may not be secret in practice (warn the chair).
SECRECY_MINIMUM = 5


class Refusal(Exception):
    """A rule says no. With ``fields`` the input is invalid (422); without, the request
    conflicts with the statutes or the poll's state (409)."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class Lot(Protocol):
    """A source of random draws (``secrets.SystemRandom()`` on the server)."""

    def choice(self, seq: Sequence[T]) -> T: ...

    def sample(self, population: Sequence[T], k: int) -> list[T]: ...


def invalid(message: str, field: str) -> Refusal:
    return Refusal(message, {field: message})


# --- opening --------------------------------------------------------------------------------


def check_method(statutes: Statutes, method: str, *, election: bool) -> None:
    """The statutes' word on how an election is held."""
    if election and statutes.secret_ballot_for_elections and method != PollMethod.secret:
        raise Refusal(
            _("The statutes require a secret ballot for elections ({article}).").format(
                article=statutes.secret_ballot_article
            )
        )
    if election and method not in BALLOT_METHODS:
        raise Refusal(_("An election is held by roll call or by secret ballot."))


def check_contested(statutes: Statutes, standing: Sequence[int], seats: int) -> None:
    """An election round opens only with candidates, and (where the statutes elect the
    uncontested without a vote) only with more candidates than seats (DOMAIN rule 10)."""
    if not standing:
        raise Refusal(_("Register the candidates first."))
    if len(standing) <= seats and statutes.election_uncontested_without_vote:
        message = _("{n} candidate(s) for {seats} seat(s): the statutes elect them without a vote ({article}).")
        raise Refusal(message.format(n=len(standing), seats=seats, article=statutes.election_article))


def options_for(statutes: Statutes, method: str, *, election: bool, standing: Sequence[int]) -> Any:
    """Motion: the option codes. Election: {"candidates": [ids], "method": ...}."""
    if election:
        return {"candidates": list(standing), "method": statutes.election_method.value}
    if method in BALLOT_METHODS:
        return [*CHOICES, "blank"] if statutes.blank_ballots_distinct else list(CHOICES)
    return list(CHOICES) if method == PollMethod.show_of_hands else []


def changeable(statutes: Statutes, method: str) -> bool:
    """Ballots may be changed until the close where the statutes allow it (ballots only)."""
    return statutes.ballots_changeable and method in BALLOT_METHODS


def weights_of(entitled: Iterable[int], vote_weights: Mapping[int, int] | None) -> dict[int, int]:
    """One vote per member, or the members' weights where the statutes weigh votes."""
    weights = {member: 1 for member in entitled}
    if vote_weights is not None:
        weights.update(vote_weights)
    return weights


def electorate(
    *,
    weights: Mapping[int, int],
    attending: Collection[int],
    represented_by: Mapping[int, int],
    representatives: Mapping[int, int],
    recused: Collection[int],
) -> Electorate:
    """The electorate of a poll: each entitled member (``weights``' keys) attending, or
    represented by a proxy holder who is not recused, with the person who casts its vote."""
    electors: list[Elector] = []
    for member in sorted(weights):
        if member in attending:
            electors.append(Elector(member, representatives[member], None, weights[member]))
        elif member in represented_by:
            holder = represented_by[member]
            if holder in recused:
                continue
            electors.append(Elector(member, representatives[holder], holder, weights[member]))
    present = sum(e.weight for e in electors if e.proxy_holder is None)
    total = sum(e.weight for e in electors)
    return Electorate(tuple(electors), present, total - present, sum(weights.values()))


def frozen_electorate(
    frozen: Electorate,
    slug: Mapping[int, str],
    *,
    attending: Iterable[int],
    represented_by: Mapping[int, int],
    recused: Iterable[int],
    voters: Iterable[int],
) -> dict[str, Any]:
    """What the electorate was frozen from, so anyone can check it (docs/record-format.md §3),
    with the hash that commits to it, and the voting rights as at this opening (``voters``, and
    the "all members" base): a later change of a member's rights never rewrites a past poll."""
    entries = [
        {
            "member": slug[e.member],
            "weight": e.weight,
            "proxy_holder": slug[e.proxy_holder] if e.proxy_holder else None,
        }
        for e in frozen.electors
    ]
    return {
        "attending": sorted(slug[m] for m in attending if m in slug),
        "proxies": sorted([slug[g], slug[h]] for g, h in represented_by.items() if g in slug and h in slug),
        "recused": sorted(slug[m] for m in recused if m in slug),
        "electorate": sorted(entries, key=lambda e: str(e["member"])),
        "electorate_hash": canonical.electorate_hash(entries),
        "voters": sorted(slug[m] for m in voters if m in slug),
        "members_weight": frozen.members_weight,
    }


# --- elections: who stands -------------------------------------------------------------------


def elected_so_far(rounds: Iterable[Mapping[str, Any]]) -> list[int]:
    """Everyone elected in the motion's closed rounds, in order."""
    elected: list[int] = []
    for row in rounds:
        elected += json.loads(row["elected"] or "[]")
    return elected


def standing(nominated: Sequence[int], elected: Collection[int], carried: str | None) -> list[int]:
    """The candidates standing in the next round: nominated, not withdrawn (the caller's
    ``nominated``), not yet elected, and among those the last round carried over, if any."""
    candidates = [c for c in nominated if c not in elected]
    if carried:
        kept = set(json.loads(carried))
        candidates = [c for c in candidates if c in kept]
    return candidates


def check_unopposed(statutes: Statutes, standing: Sequence[int], seats_left: int) -> None:
    """An election without a vote: only where the statutes allow it and candidates <= seats."""
    if not standing:
        raise Refusal(_("There is no candidate."))
    if len(standing) > seats_left:
        raise Refusal(_("There are more candidates than seats: hold the vote."))


# --- casting --------------------------------------------------------------------------------


def ballot_content(paper: BallotPaper, choice: str) -> str:
    """The canonical content of a ballot on ``paper``, or a refusal that says why."""
    if paper.kind == PollKind.motion:
        if choice not in paper.options:
            words = {"yes": _("yes"), "no": _("no"), "abstain": _("abstain"), "blank": _("blank")}
            message = _("Choose one of: {options}.").format(options=", ".join(str(words[o]) for o in paper.options))
            raise invalid(message, "choice")
        return choice
    if choice in ("blank", "abstain"):
        return choice
    try:
        marks = [int(part) for part in choice.split(",")]
    except ValueError:
        marks = [-1]
    problem = elections.check_ballot(marks, paper.candidates, paper.seats)
    if problem == "too_many":
        message = _("Mark at most {seats} candidate(s).").format(seats=paper.seats)
    elif problem is not None:
        message = _("Mark only the candidates on the ballot, each once.")
    else:
        return ",".join(str(mark) for mark in sorted(marks))
    raise invalid(message, "choice")


def closed_message(status: str, void_reason: str | None, closed_at: dt.datetime | None) -> str:
    """Why a ballot was not recorded: the poll was voided, or closed (and when)."""
    if status == "void":
        return _("This vote was declared void ({reason}): your ballot was not recorded.").format(reason=void_reason)
    time = closed_at.astimezone(dt.UTC).strftime("%H:%M:%S") if closed_at else ""
    return _("The poll closed at {time} (UTC): your ballot was not recorded.").format(time=time)


# --- closing: motions ------------------------------------------------------------------------


def totals(ballots: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The weight of each choice over a poll's ballots (``choice``, ``weight``)."""
    rows = list(ballots)
    return {choice: sum(r["weight"] for r in rows if r["choice"] == choice) for choice in (*CHOICES, "blank")}


def tellers_counts(counts: Mapping[str, object] | None, tellers: str) -> dict[str, int]:
    """The tellers' counts of a show of hands, signed with their names."""
    if not tellers.strip():
        raise invalid(_("Name the tellers who counted the hands."), "tellers")
    found: dict[str, int] = {}
    problems: dict[str, str] = {}
    for choice in CHOICES:
        value = (counts or {}).get(choice)
        if not isinstance(value, int) or value < 0 or value > 1_000_000:
            problems[choice] = _("Enter a whole number, 0 or more.")
        else:
            found[choice] = value
    if problems:
        raise Refusal(_("Enter the tellers' counts."), problems)
    return found


def check_hands(counted: Mapping[str, int], electorate_weight: int) -> None:
    """The hands counted cannot outnumber the electorate's votes."""
    if sum(counted.values()) > electorate_weight:
        message = _("The counts add up to {sum}, more than the {n} votes of the electorate.").format(
            sum=sum(counted.values()), n=electorate_weight
        )
        raise invalid(message, "yes")


def count_motion(
    poll: Poll, counted: Mapping[str, int], *, chair_vote: str | None, lot: Lot, tellers: str | None = None
) -> Counted:
    """Decide a motion from its totals with the frozen majority and tie rule; lot, when the
    tie rule asks for it, is drawn from ``lot`` and the draw is in the arithmetic."""
    result = decide(
        poll.majority,
        Count(
            yes=counted["yes"],
            no=counted["no"],
            abstain=counted["abstain"],
            blank=counted.get("blank", 0),
            present=poll.present_weight,
            represented=poll.represented_weight,
            members=poll.members_weight,
        ),
        tie_rule=cast(TieRule, poll.tie_rule),
        secret=poll.secret,
        chair_vote=cast(Literal["yes", "no", "abstain"] | None, chair_vote),
    )
    outcome: str = result.outcome
    arithmetic = f"{result.arithmetic} ({poll.majority_article})"
    if outcome == "tie_lot":
        outcome = lot.choice(["adopted", "rejected"])
        arithmetic += f"; lot drawn: {outcome}"
    values: dict[str, Any] = {}
    if tellers is not None:
        values["tellers"] = tellers
        arithmetic += "; " + _("counted by {tellers}").format(tellers=tellers)
    values.update(
        yes=counted["yes"],
        no=counted["no"],
        abstain=counted["abstain"],
        blank=counted.get("blank", 0),
        outcome=outcome,
        arithmetic=arithmetic,
    )
    return Counted(values, (outcome, arithmetic) if outcome in ("adopted", "rejected") else None)


def consent(poll: Poll) -> Counted:
    """No objection: adopted by unanimous consent."""
    arithmetic = _("No objection among {n} members entitled to vote: adopted by unanimous consent.").format(
        n=poll.electorate_size
    )
    return Counted({"outcome": "adopted", "arithmetic": arithmetic}, ("adopted", arithmetic))


# --- closing: elections ----------------------------------------------------------------------


def election_ballots(rows: Iterable[Mapping[str, Any]]) -> tuple[list[elections.Ballot], int]:
    """(the ballots, the weight of abstentions) from a round's ballot rows."""
    ballots: list[elections.Ballot] = []
    abstain = 0
    for row in rows:
        if row["choice"] == "abstain":
            abstain += row["weight"]
        elif row["choice"] == "blank":
            ballots.append(elections.Ballot((), row["weight"]))
        else:
            ballots.append(elections.Ballot(tuple(int(m) for m in row["choice"].split(",")), row["weight"]))
    return ballots, abstain


def count_election(
    poll: Poll,
    ballots: Sequence[elections.Ballot],
    abstain: int,
    *,
    earlier: Sequence[int],
    names: Mapping[int, str],
    lot: Lot,
) -> Counted:
    """Count an election round; a tie follows the frozen tie rule (lot drawn from ``lot``)."""
    result = elections.count_round(
        method=cast(elections.Method, poll.paper.election_method),
        round_number=poll.round,
        seats=poll.seats,
        majority=poll.majority,
        candidates=poll.paper.candidates,
        ballots=ballots,
        turnout=elections.Turnout(
            abstain=abstain,
            present=poll.present_weight,
            represented=poll.represented_weight,
            members=poll.members_weight,
        ),
        names=names,
    )
    elected = list(result.elected)
    arithmetic = f"{result.arithmetic} ({poll.majority_article})"
    outcome: str = result.outcome
    following = list(result.next_candidates)
    if result.outcome == "tie":
        rule = poll.tie_rule
        if rule == "new_round":
            outcome = "tie_new_round"
        elif rule == "casting_vote":
            outcome = "tie_casting_vote"
        elif rule == "lot":
            drawn = lot.sample(list(result.tied), poll.seats - len(elected))
            elected += drawn
            arithmetic += "; lot drawn: " + ", ".join(names[c] for c in drawn)
            outcome, following = "elected", []
        else:  # "fails", and the chair's vote, which never prevails in a secret ballot
            outcome, following = "not_elected", []
            arithmetic += "; no one elected to the tied seat(s)"
    values: dict[str, Any] = {
        "abstain": abstain,
        "blank": result.blank,
        "valid": result.valid,
        "tally": json.dumps({str(c): v for c, v in result.votes.items()}, separators=(",", ":")),
        "elected": json.dumps(elected),
        "next_candidates": json.dumps(following) if outcome in ("next_round", "tie_new_round", "tie_casting_vote")
        else None,
        "outcome": outcome,
        "arithmetic": arithmetic,
    }  # fmt: skip
    effect = election_effect([*earlier, *elected], names, arithmetic) if outcome in ("elected", "not_elected") else None
    return Counted(values, effect)


def election_effect(elected: Sequence[int], names: Mapping[int, str], arithmetic: str) -> Effect:
    if not elected:
        return "rejected", arithmetic
    return "adopted", _("Elected: {names}").format(names=", ".join(names[c] for c in elected)) + f" ({arithmetic})"


# --- casting votes ---------------------------------------------------------------------------


def settle_motion_tie(poll: Poll, choice: str, office: str | None) -> Counted:
    """The office's casting vote (yes or no) settles a motion's tie."""
    if choice not in ("yes", "no"):
        raise invalid(_("A casting vote is yes or no."), "choice")
    outcome = "adopted" if choice == "yes" else "rejected"
    arithmetic = f"{poll.arithmetic}; casting vote ({office}): {choice}: {outcome}"
    return Counted({"outcome": outcome, "arithmetic": arithmetic}, (outcome, arithmetic))


def tie_choice(poll: Poll, choice: str) -> list[int]:
    """The tied candidates the casting vote chooses: exactly as many as seats are left."""
    seats_left = poll.seats - len(poll.elected)
    try:
        chosen = sorted({int(part) for part in choice.split(",")})
    except ValueError:
        chosen = []
    if len(chosen) != seats_left or not set(chosen) <= set(poll.next_candidates):
        raise invalid(_("Choose {n} of the tied candidates.").format(n=seats_left), "choice")
    return chosen


def settle_election_tie(
    poll: Poll, chosen: Sequence[int], office: str | None, *, earlier: Sequence[int], names: Mapping[int, str]
) -> Counted:
    """The office's casting vote elects ``chosen`` among the tied candidates."""
    elected = [*poll.elected, *chosen]
    arithmetic = f"{poll.arithmetic}; casting vote ({office}): " + ", ".join(names[c] for c in chosen)
    values = {"elected": json.dumps(elected), "next_candidates": None, "outcome": "elected", "arithmetic": arithmetic}
    return Counted(values, election_effect([*earlier, *elected], names, arithmetic))


# --- secrecy --------------------------------------------------------------------------------


def unique_weights(weights: Iterable[int]) -> list[int]:
    """Weights held by one elector only, where weights differ at all."""
    counted = Counter(weights)
    return sorted(w for w, n in counted.items() if n == 1) if len(counted) > 1 else []


def secrecy_warning(method: str, electorate_size: int, unique: Sequence[int]) -> str | None:
    """Why the chair should doubt a secret ballot's secrecy (rule 8), or None.

    Too few voters lets the count give choices away; a weight that a single elector holds
    makes that elector's published ballot recognisable."""
    if method != PollMethod.secret:
        return None
    if electorate_size < SECRECY_MINIMUM:
        return _("Few voters: in a secret ballot this small, choices could be inferred from the count.")
    if unique:
        return _(
            "Weights {weights} are each held by one member only: their published ballots could be recognised."
        ).format(weights=", ".join(str(w) for w in unique))
    return None
