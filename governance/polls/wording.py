"""A poll's words in the reader's language: pure functions over the poll's numbers.

A poll's arithmetic is stored as English text (``Poll.arithmetic``, for the log and the
verifier); the live pages and the minutes say it again in their reader's language from the
structured numbers (threshold, base, counts, outcome, tie, casting vote) with
:func:`arithmetic`. Results agree with the noun they qualify (``pgettext`` contexts "motion",
"amendment"). Numbers go through Babel in the reader's language.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from babel.numbers import format_decimal

from governance.i18n import gettext as _
from governance.i18n import ngettext, pgettext
from governance.polls import majority

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
        else:
            sentences.append(_("The votes are tied."))
    if outcome in ("adopted", "rejected"):
        kind = poll.get("motion_kind") or "main"
        sentences.append(_("Result: {result}.").format(result=result(kind, outcome)))
    return " ".join(sentences)
