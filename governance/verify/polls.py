"""Step 4 of record format §8, poll by poll: the rules frozen at the opening, the electorate
(attendance, proxies, recusals), the ballots and their Merkle tree, the result re-counted and
re-decided, and any casting vote."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from governance.verify import merkle, rules
from governance.verify.broken import Broken, is_int, need, sha256_hex, short
from governance.verify.bundle import DECISIONS, Bundle, Event, PollEvents
from governance.verify.canonical import CanonicalError, dumps, loads_canonical

NONCE = re.compile(r"[0-9a-f]{32}")
# What poll_opened freezes, compared with the record's poll of the same name.
FROZEN = ("motion", "round", "method", "kind", "options", "seats", "majority", "tie_rule", "electorate_hash")
# The counts of poll_closed that the record's poll result repeats.
RESULT_KEYS = ("yes", "no", "abstain", "blank", "tally", "elected", "tellers", "outcome", "arithmetic")
MOTION_CHOICES = ("yes", "no", "abstain", "blank")
# (grantor, holder) -> [(height, the proxy's state)], from the attendance events.
ProxyStates = dict[tuple[str, str], list[tuple[int, Any]]]


def check_polls(bundle: Bundle) -> None:
    bundle.say("4. polls:")
    states = proxy_states(bundle.events)
    for poll_id in sorted(bundle.polls):
        PollCheck(bundle, states, bundle.polls[poll_id], bundle.per_poll[poll_id]).run()


def proxy_states(events: list[Event]) -> ProxyStates:
    """(grantor, holder) -> [(height, the proxy's state)] from the attendance events that
    record a proxy step with its state (``proxy``); empty for a record written before."""
    states: ProxyStates = {}
    for event in events:
        change = event.payload.get("change") if event.type == "attendance" else None
        if isinstance(change, str) and change.startswith("proxy-") and "proxy" in event.payload:
            _kind, _sep, pair = change.partition(":")
            grantor, _sep, holder = pair.partition(":")
            states.setdefault((grantor, holder), []).append((event.height, event.payload["proxy"]))
    return states


def check_proxy_consent(states: ProxyStates, where: str, grantor: str, holder: str, before: int) -> None:
    """A proxy that carries a vote was, at its last recorded step before the electorate was
    fixed, complete: the grantor's signed form (by its SHA-256) or its own confirmation,
    the holder's acceptance, the validation, not revoked. Records whose attendance events
    carry no proxy states (written before they existed) are not checked here."""
    if not states:
        return
    earlier = [state for height, state in states.get((grantor, holder), []) if height < before]
    need(bool(earlier), f"{where}: the proxy of {grantor} to {holder} has no recorded step before the vote")
    state = earlier[-1]
    form = state.get("form") if isinstance(state, dict) else None
    need(
        isinstance(state, dict)
        and (
            (isinstance(form, dict) and isinstance(form.get("sha256"), str) and len(form["sha256"]) == 64)
            or isinstance(state.get("grantor_confirmed"), dict)
        )
        and isinstance(state.get("accepted"), dict)
        and state.get("validated") is True
        and state.get("revoked") is not True
        and state.get("missing") == [],
        f"{where}: the proxy of {grantor} to {holder} carries a vote without the grantor's signed form or "
        "confirmation, the holder's acceptance and the validation",
    )


class PollCheck:
    """Section 4 for one poll: the electorate, the ballots, the tree and the result."""

    def __init__(self, bundle: Bundle, proxies: ProxyStates, poll: dict[str, Any], events: PollEvents) -> None:
        self.bundle = bundle
        self.proxies = proxies
        self.poll = poll
        self.events = events
        self.where = f"poll {poll['id']}"
        self.electors: dict[str, dict[str, Any]] = {}
        self.turnout = rules.Turnout(0, 0, 0)
        self.fixed_height = 0  # the electorate_fixed event's height

    def run(self) -> None:
        poll, where = self.poll, self.where
        # The result is read only once the status says the poll was counted: a void poll and a
        # poll still open at the export have none (and no ballots published).
        for part, shape in (("electorate", list), ("participation", list), ("leaves", list)):
            need(isinstance(poll.get(part), shape), f"{where}: {part} missing or not a {shape.__name__}")
        opened = self.events.one("poll_opened", where)
        fixed = self.events.one("electorate_fixed", where)
        assert opened is not None and fixed is not None
        need(fixed.height == opened.height - 1, f"{where}: electorate_fixed is not the event just before poll_opened")
        for name in FROZEN:
            need(poll.get(name) == opened.payload.get(name), f"{where}: {name} differs from poll_opened")
        self.majority = self.check_frozen_rules()
        self.fixed_height = fixed.height
        self.check_electorate(fixed.payload, opened.payload)
        status = poll.get("status")
        closed = self.events.one("poll_closed", where, required=False)
        voided = self.events.one("poll_voided", where, required=False)
        objection = self.events.all("consent_objection")
        kind = f"{poll['method']}, {poll['kind']}"
        heading = f"   poll {poll['id']} (motion {poll.get('motion')}, round {poll['round']}, {kind})"
        if status in ("void", "open"):
            need(
                not poll["leaves"] and poll.get("result") is None,
                f"{where}: {status}, yet record.json gives it ballots or a result",
            )
            need(closed is None and not objection, f"{where}: {status} but closed in the log")
            need(not self.events.all("casting_vote"), f"{where}: {status}, yet a casting vote settles it")
        if status == "void":
            need(voided is not None, f"{where}: void without a poll_voided event")
            assert voided is not None
            need(opened.height < voided.height, f"{where}: poll_voided comes before poll_opened")
            self.bundle.say(f"{heading}: void ({voided.payload.get('reason')}); its ballots never count")
            return
        need(voided is None, f"{where}: status {status!r} but a poll_voided event")
        if status == "open":
            self.bundle.say(
                f"{heading}: open at export ({len(poll['participation'])} of {len(self.electors)} voted), not counted"
            )
            return
        need(status == "closed", f"{where}: unknown status {status!r}")
        need(isinstance(poll.get("result"), dict), f"{where}: result missing or not a dict")
        if objection:
            need(
                poll["method"] == "unanimous_consent"
                and not self.events.all("casting_vote")
                and closed is None
                and not poll["leaves"]
                and poll["result"].get("outcome") == "objection",
                f"{where}: an objection must end a call for unanimous consent with outcome 'objection'",
            )
            self.bundle.say(f"{heading}: objection by {objection[0].payload.get('member')}, no consent OK")
            return
        need(closed is not None, f"{where}: closed without a poll_closed event")
        assert closed is not None
        need(opened.height < closed.height, f"{where}: poll_closed comes before poll_opened")
        self.check_ballots(closed.payload)
        summary = self.check_result(closed.payload)
        self.bundle.say(f"{heading}: {len(poll['leaves'])} ballots, root {short(poll['merkle_root'])}, {summary} OK")

    def check_frozen_rules(self) -> rules.Majority:
        poll, where = self.poll, self.where
        majority = poll.get("majority")
        need(
            isinstance(majority, dict)
            and is_int(majority.get("numerator"), 1)
            and is_int(majority.get("denominator"), 1)
            and majority["numerator"] <= majority["denominator"]
            and isinstance(majority.get("strict"), bool)
            and majority.get("base") in rules.BASES,
            f"{where}: malformed majority {majority!r}",
        )
        assert isinstance(majority, dict)
        need(poll.get("tie_rule") in rules.TIE_RULES, f"{where}: unknown tie rule {poll.get('tie_rule')!r}")
        need(
            poll.get("method") in ("roll_call", "secret", "show_of_hands", "unanimous_consent"),
            f"{where}: unknown method {poll.get('method')!r}",
        )
        need(is_int(poll.get("seats"), 1) and is_int(poll.get("round"), 1), f"{where}: malformed seats or round")
        if poll.get("kind") == "election":
            options = poll.get("options")
            need(
                isinstance(options, dict)
                and options.get("method") in rules.ELECTION_METHODS
                and isinstance(options.get("candidates"), list)
                and all(is_int(c) for c in options["candidates"])
                and poll["method"] in ("roll_call", "secret"),
                f"{where}: malformed election options",
            )
        else:
            need(
                poll.get("kind") == "motion"
                and isinstance(poll.get("options"), list)
                and set(poll["options"]) <= set(MOTION_CHOICES),
                f"{where}: malformed motion options",
            )
        return rules.Majority(
            Fraction(majority["numerator"], majority["denominator"]), majority["strict"], majority["base"]
        )

    # §3 ----------------------------------------------------------------------------------------

    def check_electorate(self, fixed: dict[str, Any], opened: dict[str, Any]) -> None:
        poll, where = self.poll, self.where
        electorate = poll["electorate"]
        for elector in electorate:
            need(
                isinstance(elector, dict)
                and set(elector) == {"member", "weight", "proxy_holder"}
                and isinstance(elector["member"], str)
                and is_int(elector["weight"], 1)
                and (elector["proxy_holder"] is None or isinstance(elector["proxy_holder"], str)),
                f"{where}: malformed elector {elector!r}",
            )
        slugs = [elector["member"] for elector in electorate]
        need(slugs == sorted(set(slugs)), f"{where}: electors are not sorted by member, or one is repeated")
        digest = sha256_hex(dumps(electorate))
        need(digest == poll.get("electorate_hash"), f"{where}: electorate hash differs from the listed electorate")
        need(opened.get("electorate") == len(electorate), f"{where}: poll_opened counts another number of electors")
        need(
            fixed.get("electorate") == electorate and fixed.get("electorate_hash") == digest,
            f"{where}: electorate differs from electorate_fixed",
        )
        try:
            attending = set(fixed["attending"])
            recused = set(fixed["recused"])
            proxies = {(grantor, holder) for grantor, holder in fixed["proxies"]}
        except (KeyError, TypeError, ValueError) as error:
            raise Broken(f"{where}: electorate_fixed lacks attending, proxies or recused lists") from error
        grantors = {grantor for grantor, _ in proxies}
        voters, members_weight = self.frozen_rights(fixed, recused, electorate)
        for elector in electorate:
            member, holder = elector["member"], elector["proxy_holder"]
            need(member in voters, f"{where}: elector {member} has no right to vote")
            need(member not in recused, f"{where}: recused member {member} is an elector")
            if member in attending:
                need(holder is None, f"{where}: elector {member} attends but names a proxy holder")
                continue
            need(
                holder is not None and (member, holder) in proxies,
                f"{where}: elector {member} neither attends nor is represented by a listed proxy",
            )
            need(holder in attending, f"{where}: proxy holder {holder} of {member} does not attend")
            need(holder not in grantors, f"{where}: proxy holder {holder} of {member} is itself represented")
            check_proxy_consent(self.proxies, where, member, holder, self.fixed_height)
        for member in sorted(attending - recused):
            need(
                member not in voters or member in slugs,
                f"{where}: {member} attends with the right to vote, not recused, but is not an elector",
            )
        self.electors = {elector["member"]: elector for elector in electorate}
        present = sum(e["weight"] for e in electorate if e["proxy_holder"] is None)
        represented = sum(e["weight"] for e in electorate if e["proxy_holder"] is not None)
        need(
            members_weight >= present + represented and members_weight >= len(voters - recused),
            f"{where}: all members weigh {members_weight}, fewer than the electorate or the voters",
        )
        self.turnout = rules.Turnout(present, represented, members_weight)

    def frozen_rights(self, fixed: dict[str, Any], recused: set[str], electorate: list[Any]) -> tuple[set[str], int]:
        """Who had the right to vote when the poll opened, and the weight of all members then.

        Read from electorate_fixed (``voters``, ``members_weight``), never from today's member
        data: a fee marked unpaid after the meeting does not change who could vote at it. A
        record from before those fields existed falls back on the members' rights at export."""
        where, voters, weight = self.where, fixed.get("voters"), fixed.get("members_weight")
        if voters is not None or weight is not None:
            need(
                isinstance(voters, list)
                and all(isinstance(v, str) for v in voters)
                and voters == sorted(set(voters))
                and is_int(weight),
                f"{where}: electorate_fixed's voters or members_weight malformed",
            )
            assert isinstance(voters, list) and isinstance(weight, int)
            return set(voters), weight
        members = self.bundle.members
        for member in fixed["attending"]:
            need(member in members, f"{where}: attending {member} is not a member of the record")
        electors = {e["member"]: e["weight"] for e in electorate if isinstance(e, dict)}
        # All members: those with the right to vote, less the recused, by weight (the elector's,
        # else the member's own "weight", 1 when the record gives none).
        total = sum(
            electors.get(slug, m.get("weight", 1)) for slug, m in members.items() if m["votes"] and slug not in recused
        )
        return {slug for slug, m in members.items() if m["votes"]}, total

    # §4, §5 ------------------------------------------------------------------------------------

    def check_ballots(self, closed: dict[str, Any]) -> None:
        poll, where = self.poll, self.where
        leaves, participation = poll["leaves"], poll["participation"]
        need(len(leaves) == len(participation), f"{where}: {len(leaves)} ballots but {len(participation)} participants")
        need(
            all(isinstance(p, str) for p in participation) and participation == sorted(set(participation)),
            f"{where}: participation is not sorted, or repeats a member",
        )
        for member in participation:
            need(member in self.electors, f"{where}: participant {member} is not an elector")
        self.ballots = [self.parse_leaf(number, leaf) for number, leaf in enumerate(leaves, start=1)]
        cast = sum(ballot["weight"] for ballot in self.ballots)
        expected = sum(self.electors[member]["weight"] for member in participation)
        need(cast == expected, f"{where}: total ballot weight {cast} differs from participants' weight {expected}")
        if poll["method"] == "roll_call":
            voters = [ballot["member"] for ballot in self.ballots]
            need(sorted(voters) == participation, f"{where}: the roll-call ballots' members are not the participants")
            for number, ballot in enumerate(self.ballots, start=1):
                need(
                    ballot["weight"] == self.electors[ballot["member"]]["weight"],
                    f"{where}: ballot {number} does not carry {ballot['member']}'s weight",
                )
        else:
            weights = {elector["weight"] for elector in self.electors.values()}
            for number, ballot in enumerate(self.ballots, start=1):
                need(
                    ballot["weight"] in weights,
                    f"{where}: ballot {number} weighs {ballot['weight']}, no elector's weight",
                )
            need(
                Counter(b["weight"] for b in self.ballots)
                == Counter(self.electors[m]["weight"] for m in participation),
                f"{where}: the ballots' weights are not the participants' weights",
            )
        receipts = [sha256_hex(leaf.encode("utf-8")) for leaf in leaves]
        for number in range(1, len(receipts)):
            need(receipts[number - 1] != receipts[number], f"{where}: ballot {number + 1} repeats ballot {number}")
            need(receipts[number - 1] < receipts[number], f"{where}: ballot {number + 1} is out of receipt order")
        root = merkle.root([leaf.encode("utf-8") for leaf in leaves]).hex()
        need(root == closed.get("merkle_root"), f"{where}: Merkle root differs from poll_closed")
        need(root == poll.get("merkle_root"), f"{where}: Merkle root differs from record.json")
        need(
            closed.get("ballots") == len(leaves),
            f"{where}: {len(leaves)} ballots but poll_closed says {closed.get('ballots')}",
        )
        need(
            sha256_hex(dumps(participation)) == closed.get("participation_hash"),
            f"{where}: participation hash differs from poll_closed",
        )

    def parse_leaf(self, number: int, leaf: Any) -> dict[str, Any]:
        poll, name = self.poll, f"{self.where}: ballot {number}"
        need(isinstance(leaf, str), f"{name} is not a string")
        try:
            ballot = loads_canonical(leaf.encode("utf-8"))
        except CanonicalError as error:
            raise Broken(f"{name} does not parse: {error}") from error
        keys = {"poll", "choice", "weight", "nonce"} | ({"member"} if poll["method"] == "roll_call" else set())
        need(isinstance(ballot, dict) and set(ballot) == keys, f"{name} has keys other than {', '.join(sorted(keys))}")
        assert isinstance(ballot, dict)
        need(ballot["poll"] == poll["id"], f"{name} is for poll {ballot['poll']}")
        need(is_int(ballot["weight"], 1), f"{name} has no valid weight")
        need(
            isinstance(ballot["nonce"], str) and NONCE.fullmatch(ballot["nonce"]) is not None,
            f"{name} has no 32-hex-digit nonce",
        )
        need(
            poll["method"] != "roll_call" or ballot["member"] in self.electors,
            f"{name} names {ballot.get('member')!r}, not an elector",
        )
        need(poll["method"] in ("roll_call", "secret"), f"{name}: a {poll['method']} has no ballots")
        choice = ballot["choice"]
        need(isinstance(choice, str), f"{name} has no valid choice")
        if poll["kind"] == "motion":
            need(choice in poll["options"], f"{name}: choice {choice!r} is not an option")
            return ballot
        if choice in ("blank", "abstain"):
            ballot["marks"] = () if choice == "blank" else None
            return ballot
        parts = choice.split(",")
        need(all(p.isascii() and p.isdigit() and str(int(p)) == p for p in parts), f"{name}: malformed choice")
        marks = tuple(int(p) for p in parts)
        need(list(marks) == sorted(set(marks)), f"{name}: candidates not ascending, or repeated")
        need(len(marks) <= poll["seats"], f"{name} marks more candidates than seats")
        need(set(marks) <= set(poll["options"]["candidates"]), f"{name} marks someone who is not a candidate")
        ballot["marks"] = marks
        return ballot

    def check_result(self, closed: dict[str, Any]) -> str:
        poll, where, result = self.poll, self.where, self.poll["result"]
        for key in RESULT_KEYS:
            if key in result:
                need(closed.get(key) == result[key], f"{where}: result {key} differs from poll_closed")
        if poll["kind"] == "election":
            return self.check_election(result)
        if poll["method"] == "unanimous_consent":
            need(
                not poll["leaves"] and result.get("outcome") == "adopted",
                f"{where}: unanimous consent without objection is adopted, with no ballots",
            )
            return "no objection: adopted (recomputed)"
        if poll["method"] == "show_of_hands":
            need(not poll["leaves"], f"{where}: a show of hands has no ballots")
            counts = {choice: result.get(choice) for choice in ("yes", "no", "abstain")}
            need(all(is_int(n) for n in counts.values()), f"{where}: the tellers' counts are missing")
            electorate = self.turnout.present + self.turnout.represented
            need(
                sum(counts.values()) <= electorate,
                f"{where}: the tellers count {sum(counts.values())} hands, "
                f"more than the electorate's {electorate} votes",
            )
            counts["blank"] = 0
        else:
            counts = {
                choice: sum(b["weight"] for b in self.ballots if b["choice"] == choice) for choice in MOTION_CHOICES
            }
        for choice in MOTION_CHOICES:
            need(
                result.get(choice, 0) == counts[choice],
                f"{where}: recorded {choice} {result.get(choice)}, recomputed {counts[choice]}",
            )
        chair = result.get("chair")
        chair_vote = (
            next((b["choice"] for b in self.ballots if b.get("member") == chair), None)
            if (poll["method"] == "roll_call" and chair)
            else None
        )
        outcome, arithmetic = rules.motion_outcome(
            self.majority,
            poll["tie_rule"],
            self.turnout,
            yes=counts["yes"],
            no=counts["no"],
            abstain=counts["abstain"],
            secret=poll["method"] == "secret",
            chair_vote=chair_vote,
        )
        recorded = result.get("outcome")
        if outcome == "tie_lot":
            # The server draws the lot as it closes the poll: the outcome it records is the lot drawn.
            need(recorded in DECISIONS, f"{where}: a tie decided by lot, but outcome {recorded!r}")
            lot = "yes" if recorded == "adopted" else "no"
            outcome, arithmetic = rules.motion_outcome(
                self.majority, poll["tie_rule"], self.turnout, yes=counts["yes"], no=counts["no"],
                abstain=counts["abstain"], secret=poll["method"] == "secret", chair_vote=chair_vote, lot=lot,
            )  # fmt: skip
            need(recorded == outcome, f"{where}: recorded outcome {recorded!r}, recomputed {outcome!r} ({arithmetic})")
        else:
            need(recorded == outcome, f"{where}: recorded outcome {recorded!r}, recomputed {outcome!r} ({arithmetic})")
        summary = f"{arithmetic}, blank {counts['blank']} -> {recorded} (recomputed)"

        def settles(choice: str) -> str:
            # The tie re-decided with the casting vote given, by the same rules.
            return rules.motion_outcome(
                self.majority, poll["tie_rule"], self.turnout, yes=counts["yes"], no=counts["no"],
                abstain=counts["abstain"], secret=poll["method"] == "secret", chair_vote=chair_vote,
                casting_vote=choice,
            )[0]  # fmt: skip

        return summary + self.check_casting_vote(outcome, lambda choice: choice in ("yes", "no"), settles)

    def check_election(self, result: dict[str, Any]) -> str:
        poll, where = self.poll, self.where
        candidates = poll["options"]["candidates"]
        counted = rules.election_round(
            method=poll["options"]["method"],
            round_number=poll["round"],
            seats=poll["seats"],
            majority=self.majority,
            candidates=candidates,
            ballots=[(ballot["marks"], ballot["weight"]) for ballot in self.ballots],
            turnout=self.turnout,
        )
        for key, value in (
            ("abstain", counted.abstain),
            ("blank", counted.blank),
            ("tally", {str(c): n for c, n in counted.votes.items()}),
        ):
            need(result.get(key) == value, f"{where}: recorded {key} {result.get(key)}, recomputed {value}")
        outcome = counted.outcome if counted.outcome != "tie" else rules.election_tie_outcome(poll["tie_rule"])
        recorded, elected = result.get("outcome"), result.get("elected")
        need(recorded == outcome, f"{where}: recorded outcome {recorded!r}, recomputed {outcome!r}")
        need(isinstance(elected, list) and all(is_int(c) for c in elected), f"{where}: malformed elected list")
        assert isinstance(elected, list)
        if counted.outcome == "tie" and poll["tie_rule"] == "lot":
            drawn = set(elected) - set(counted.elected)
            need(
                set(counted.elected) <= set(elected) and drawn <= set(counted.tied) and len(elected) == poll["seats"],
                f"{where}: elected {elected} is not {counted.elected} completed by lot among {counted.tied}",
            )
        else:
            need(
                sorted(elected) == sorted(counted.elected),
                f"{where}: recorded elected {elected}, recomputed {counted.elected}",
            )
        seats_left = poll["seats"] - len(counted.elected)

        def valid(choice: str) -> bool:
            chosen = choice.split(",")
            return len(set(chosen)) == len(chosen) == seats_left and {str(c) for c in counted.tied} >= set(chosen)

        names = {member["id"]: member["slug"] for member in self.bundle.members.values()}
        tally = ", ".join(f"{names.get(c, c)} {n}" for c, n in counted.votes.items())
        said = ", ".join(str(names.get(c, c)) for c in elected) or "no one"
        summary = f"{counted.arithmetic}; {tally} -> {recorded}: {said} (recomputed)"
        return summary + self.check_casting_vote(outcome, valid, lambda _choice: "elected")

    def check_casting_vote(self, outcome: str, valid: Callable[[str], bool], settles: Callable[[str], str]) -> str:
        cast = self.events.one("casting_vote", self.where, required=False)
        if cast is None:
            return ""
        need(outcome == "tie_casting_vote", f"{self.where}: a casting vote (event {cast.height}) where none is due")
        choice = cast.payload.get("choice")
        need(isinstance(choice, str) and valid(choice), f"{self.where}: casting vote {choice!r} is not a valid choice")
        assert isinstance(choice, str)
        office = cast.payload.get("office")
        need(isinstance(office, str) and office != "", f"{self.where}: casting vote by no named office")
        closed = self.events.one("poll_closed", self.where)
        assert closed is not None
        need(closed.height < cast.height, f"{self.where}: casting vote (event {cast.height}) before the poll closed")
        need(
            cast.payload.get("outcome") == settles(choice),
            f"{self.where}: casting vote {choice} records outcome {cast.payload.get('outcome')!r}",
        )
        return f"; casting vote ({cast.payload.get('office')}): {choice} -> {cast.payload.get('outcome')}"
