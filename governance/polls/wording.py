"""A poll's words in the reader's language: pure functions over the poll's numbers.

A poll's arithmetic is stored as English text (``Poll.arithmetic``, for the log and the
verifier); the live pages and the minutes say it again in their reader's language from the
structured numbers (threshold, base, counts, outcome, tie, casting vote) with
:func:`arithmetic`. Results agree with the noun they qualify (``pgettext`` contexts "motion",
"amendment"). Numbers go through Babel in the reader's language.

An election round is said from its facts (:func:`election_round`: tally, valid and blank
ballots, seats, majority, elected, tie and what settled it, the next round), recomputed from
the stored tally with the same rule the count used (``elections.decide_round``). "Elected"
agrees with *member* (the candidate is a member city or government, whatever its own
name's gender: "élu", "elegido"), in the plural when several are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from fractions import Fraction
from typing import Any, cast

from babel.numbers import format_decimal

from governance.i18n import gettext as _
from governance.i18n import ngettext, npgettext, pgettext
from governance.polls import elections, majority

Row = dict[str, Any]


def number(value: Any, language: str) -> str:
    """An integer as the language writes it (1 000 in French, 1,000 in English, 1.000 in Spanish)."""
    try:
        return format_decimal(int(value), locale=language)
    except (TypeError, ValueError):
        return str(value if value is not None else "—")


def result(kind: str, status: str) -> str:
    """A motion's or an amendment's status, agreeing with its noun."""
    if kind == "amendment":
        words = {
            "adopted": pgettext("amendment", "adopted"),
            "rejected": pgettext("amendment", "rejected"),
            "withdrawn": pgettext("amendment", "withdrawn"),
            "postponed": pgettext("amendment", "postponed"),
            "proposed": pgettext("amendment", "not put to the vote"),
            "seconded": pgettext("amendment", "not put to the vote"),
            "debate": pgettext("amendment", "not put to the vote"),
            "voting": pgettext("amendment", "not put to the vote"),
            "referred": pgettext("amendment", "referred"),
        }
    else:
        words = {
            "adopted": pgettext("motion", "adopted"),
            "rejected": pgettext("motion", "rejected"),
            "withdrawn": pgettext("motion", "withdrawn"),
            "postponed": pgettext("motion", "postponed"),
            "proposed": pgettext("motion", "not put to the vote"),
            "seconded": pgettext("motion", "not put to the vote"),
            "debate": pgettext("motion", "not put to the vote"),
            "voting": pgettext("motion", "not put to the vote"),
            "referred": pgettext("motion", "referred"),
        }
    return words.get(status, status)


def choice(value: str) -> str:
    return {
        "yes": pgettext("ballot", "for"),
        "no": pgettext("ballot", "against"),
        "abstain": pgettext("ballot", "abstention"),
        "blank": pgettext("ballot", "blank"),
    }.get(value, value)


def _base(base: str, total: int, language: str) -> str:
    n = number(total, language)
    if base == "cast_excluding_abstentions":
        text = ngettext("%(num)s vote cast, abstentions not counted", "%(num)s votes cast, abstentions not counted",
                        total)  # fmt: skip
    elif base == "cast_including_abstentions":
        text = ngettext("%(num)s vote cast, abstentions included", "%(num)s votes cast, abstentions included", total)
    elif base == "present":
        text = ngettext("%(num)s member present", "%(num)s members present", total)
    elif base == "present_or_represented":
        text = ngettext("%(num)s member present or represented", "%(num)s members present or represented", total)
    else:
        text = ngettext("%(num)s member", "%(num)s members", total)
    return text % {"num": n}


def arithmetic(language: str, poll: Row) -> str | None:
    """The arithmetic of a yes/no poll in ``language`` (gettext must speak it), or None when the
    poll row lacks the numbers (minutes drafted before they were kept: the stored text serves)."""
    if poll.get("method") == "unanimous_consent":
        if poll.get("outcome") == "adopted" and poll.get("electorate_size") is not None:
            return _("No objection among {n} members entitled to vote: adopted by unanimous consent.").format(
                n=number(poll["electorate_size"], language)
            )
        if poll.get("outcome") == "objection" and poll.get("objection"):
            return _("Objection by {member}: no unanimous consent; the chair takes a vote.").format(
                member=poll["objection"]
            )
        return None
    if poll.get("kind") == "election":
        facts = poll.get("election")
        return election_arithmetic(language, facts) if isinstance(facts, Mapping) else None
    needed = ("threshold_numerator", "threshold_denominator", "strict", "base", "yes", "no")
    if any(poll.get(key) is None for key in needed):
        return None
    yes, no, abstain, blank = poll["yes"], poll["no"], poll.get("abstain") or 0, poll.get("blank") or 0
    count = majority.Count(
        yes=yes, no=no, abstain=abstain, blank=blank, present=poll.get("present_weight") or 0,
        represented=poll.get("represented_weight") or 0, members=poll.get("members_weight") or 0,
    )  # fmt: skip
    rule = majority.Majority(
        Fraction(poll["threshold_numerator"], poll["threshold_denominator"]), bool(poll["strict"]), poll["base"]
    )
    total = majority.base_total(rule, count)
    required = majority.required_yes(rule, total)
    fraction = f"{poll['threshold_numerator']}/{poll['threshold_denominator']}"
    threshold = (_("more than {fraction}") if rule.strict else _("at least {fraction}")).format(fraction=fraction)
    needs = ngettext("%(num)s vote in favour", "%(num)s votes in favour", required) % {
        "num": number(required, language)
    }
    sentences = [
        _("Majority required: {threshold} of {base}, that is {needed}.").format(
            threshold=threshold, base=_base(rule.base, total, language), needed=needs
        )
    ]
    counts = _("For {yes}, against {no}, abstentions {abstain}").format(
        yes=number(yes, language), no=number(no, language), abstain=number(abstain, language)
    )
    if blank:
        counts += _(", blank {blank}").format(blank=number(blank, language))
    sentences.append(counts + ".")
    adopted = total > 0 and yes >= required
    outcome = poll.get("outcome")
    if majority.is_tie(count, adopted):
        if not majority.is_decisive(count, required):
            sentences.append(_("The tie is not decisive: one more vote in favour would still fall short."))
        elif poll.get("casting_vote"):
            sentences.append(
                _("The tie was settled by the casting vote ({choice}).").format(choice=choice(poll["casting_vote"]))
            )
        elif outcome == "tie_new_round":
            sentences.append(_("The tie calls for a new round."))
        elif poll.get("tie_rule") == "lot" and outcome in ("adopted", "rejected"):
            sentences.append(_("The tie was settled by lot."))
        else:
            sentences.append(_("The votes are tied."))
    if poll.get("tellers"):
        sentences.append(_("Counted by {tellers}.").format(tellers=poll["tellers"]))
    if outcome in ("adopted", "rejected"):
        kind = poll.get("motion_kind") or "main"
        sentences.append(_("Result: {result}.").format(result=result(kind, outcome)))
    return " ".join(sentences)


# --- the words around a vote ----------------------------------------------------------------


def office_title(office: str | None) -> str:
    """An office in running text (the minutes' words for it: "Président", not "Président(e)")."""
    titles = {
        "president": pgettext("office", "President"),
        "co_president": pgettext("office", "Co-President"),
        "vice_president": pgettext("office", "Vice-President"),
        "treasurer": pgettext("office", "Treasurer"),
        "secretary_general": pgettext("office", "Secretary General"),
    }
    return titles.get(office or "", (office or "").replace("_", " "))


def void_reason(reason: str | None) -> str:
    """Why a poll was voided: the system's own reasons (stored in English, as the log has them)
    in the reader's language; a reason the chair typed, as typed."""
    known = {
        "motion taken back to debate": _("motion taken back to debate"),
        "recusal declared": _("recusal declared"),
        "candidates changed": _("candidates changed"),
    }
    return known.get(reason or "", reason or "")


def elected_word(n: int) -> str:
    """ "Elected" as a result, agreeing with *member* (masculine in French and Spanish), plural
    when ``n`` members are elected together (``n`` 0: the word alone)."""
    return npgettext("election", "Elected", "Elected", max(n, 1))


# --- elections ------------------------------------------------------------------------------


def _json(value: Any, default: Any) -> Any:
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str) else value


def election_round(poll: Mapping[str, Any], names: Mapping[int, str]) -> Row | None:
    """The facts of a closed election round as plain JSON values, names in the record's language
    (what the minutes keep and the pages say), or None when the row lacks them (a round closed
    before its valid ballots were kept: the stored text serves)."""
    if poll.get("kind") != "election" or poll.get("status") != "closed":
        return None
    if poll.get("tally") is None or poll.get("valid") is None:
        return None
    options = _json(poll.get("options"), {})
    candidates = [int(c) for c in options.get("candidates", [])]
    votes = {int(c): int(n) for c, n in _json(poll["tally"], {}).items()}
    candidates += [c for c in votes if c not in candidates]
    method = cast(elections.Method, options.get("method") or "repeat_all")
    rule = majority.Majority(
        Fraction(int(poll["threshold_numerator"]), int(poll["threshold_denominator"])),
        bool(poll["strict"]),
        poll["base"],
    )
    abstain, blank, valid = int(poll.get("abstain") or 0), int(poll.get("blank") or 0), int(poll["valid"])
    count = majority.Count(
        yes=valid,
        no=0,
        abstain=abstain,
        blank=blank,
        present=int(poll.get("present_weight") or 0),
        represented=int(poll.get("represented_weight") or 0),
        members=int(poll.get("members_weight") or 0),
    )
    round_number, seats = int(poll.get("round") or 1), int(poll.get("seats") or 1)
    decided = elections.decide_round(
        method=method,
        round_number=round_number,
        seats=seats,
        majority=rule,
        candidates=candidates,
        votes=votes,
        valid=valid,
        blank=blank,
        turnout=elections.Turnout(abstain, count.present, count.represented, count.members),
    )
    elected = [int(c) for c in _json(poll.get("elected"), [])]
    following = [int(c) for c in _json(poll.get("next_candidates"), [])]
    outcome = str(poll.get("outcome") or "")
    tied = list(decided.tied) if decided.outcome == "tie" else []
    chosen = [c for c in elected if c not in decided.elected]
    settled: str | None = None
    if tied:
        if poll.get("casting_vote"):
            settled = "casting_vote"
        elif outcome == "elected" and chosen:
            settled = "lot"
        elif outcome == "not_elected":
            settled = "no_one"
        elif outcome == "tie_new_round":
            settled = "new_round"
        elif outcome == "tie_casting_vote":
            settled = "casting_awaited"

    def named(ids: Any) -> list[str]:
        return [names.get(c, str(c)) for c in ids]

    relative = elections.is_relative_round(method, round_number)
    return {
        "round": round_number,
        "seats": seats,
        "relative": relative,
        "threshold_numerator": rule.fraction.numerator,
        "threshold_denominator": rule.fraction.denominator,
        "strict": rule.strict,
        "base": rule.base,
        "total": majority.base_total(rule, count),
        "required": decided.required,
        "valid": valid,
        "blank": blank,
        "abstain": abstain,
        "votes": [[names.get(c, str(c)), votes.get(c, 0)] for c in elections.ranked(candidates, votes)],
        "elected": named(elected),
        "tied": named(tied),
        "tied_seats": seats - len(decided.elected) if tied else 0,
        "settled": settled,
        "chosen": named(chosen),
        "casting_vote_office": poll.get("casting_vote_office"),
        "next_candidates": named(following) if outcome == "next_round" else [],
        "seats_left": seats - len(elected),
        "outcome": outcome,
    }


def _names(names: Any) -> str:
    return ", ".join(str(n) for n in names)


def election_arithmetic(language: str, facts: Mapping[str, Any]) -> str:
    """An election round's arithmetic in ``language`` (gettext must speak it), from
    :func:`election_round`'s facts: the rule, the ballots, each candidate's votes, the tie and
    what settled it, and who stands in the next round."""
    seats = int(facts["seats"])
    head = ngettext("Round %(round)s, %(num)s seat", "Round %(round)s, %(num)s seats", seats) % {
        "round": number(facts["round"], language),
        "num": number(seats, language),
    }
    required = facts.get("required")
    if facts.get("relative"):
        rule = _("relative majority: the most votes win")
    elif required is None:
        rule = _("no vote counts towards the majority: no one can reach it")
    else:
        fraction = f"{facts['threshold_numerator']}/{facts['threshold_denominator']}"
        threshold = (_("more than {fraction}") if facts["strict"] else _("at least {fraction}")).format(
            fraction=fraction
        )
        needs = ngettext("%(num)s vote", "%(num)s votes", int(required)) % {"num": number(required, language)}
        rule = _("majority required: {threshold} of {base}, that is {needed}").format(
            threshold=threshold, base=_base(facts["base"], int(facts["total"]), language), needed=needs
        )
    sentences = [_("{round}; {rule}.").format(round=head, rule=rule)]
    valid = int(facts["valid"])
    sentences.append(
        (ngettext("%(num)s valid ballot", "%(num)s valid ballots", valid) % {"num": number(valid, language)})
        + _(", blank {blank}, abstentions {abstain}.").format(
            blank=number(facts["blank"], language), abstain=number(facts["abstain"], language)
        )
    )
    listing = ", ".join(
        _("{name} {votes}").format(name=name, votes=number(votes, language)) for name, votes in facts["votes"]
    )
    if listing:
        sentences.append(_("Votes per candidate: {list}.").format(list=listing))
    outcome = facts.get("outcome")
    if facts.get("tied"):
        if facts["elected"] and facts.get("settled") in (None, "new_round", "casting_awaited", "no_one"):
            sentences.append(
                _("{word}: {names}.").format(word=elected_word(len(facts["elected"])), names=_names(facts["elected"]))
            )
        tied_seats = int(facts.get("tied_seats") or 1)
        sentences.append(
            ngettext("Tie between %(names)s for %(num)s seat.", "Tie between %(names)s for %(num)s seats.", tied_seats)
            % {"names": _names(facts["tied"]), "num": number(tied_seats, language)}
        )
        settled = facts.get("settled")
        if settled == "lot":
            sentences.append(_("Lot drawn: {names}.").format(names=_names(facts["chosen"])))
        elif settled == "casting_vote":
            sentences.append(
                _("Casting vote ({office}): {names}.").format(
                    office=office_title(facts.get("casting_vote_office")), names=_names(facts["chosen"])
                )
            )
        elif settled == "no_one":
            sentences.append(
                ngettext("No one is elected to the tied seat.", "No one is elected to the tied seats.", tied_seats)
            )
        elif settled == "new_round":
            sentences.append(_("The tie calls for a new round."))
        elif settled == "casting_awaited":
            sentences.append(_("The casting vote settles the tie."))
    elif outcome == "next_round" and facts["elected"]:
        sentences.append(
            _("{word}: {names}.").format(word=elected_word(len(facts["elected"])), names=_names(facts["elected"]))
        )
    if outcome in ("next_round", "tie_new_round") and facts.get("next_candidates") is not None:
        left = int(facts["seats_left"])
        following = ngettext(
            "%(num)s seat to fill in round %(round)s", "%(num)s seats to fill in round %(round)s", left
        ) % {"num": number(left, language), "round": number(int(facts["round"]) + 1, language)}
        if facts["next_candidates"]:
            following = _("{seats}, between {names}").format(seats=following, names=_names(facts["next_candidates"]))
        sentences.append(following + ".")
    return " ".join(sentences)
