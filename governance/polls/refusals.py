"""Why a casting vote is refused, in words a chair can act on (DOMAIN rule 7).

A casting vote settles only a decisive tie of a poll whose statutes give one to a named office:
not a secret ballot's tie under "the chair's vote prevails" (it never prevails there: the
motion is rejected), not a tie that one more yes would not carry (simply a rejection), not a
poll the statutes settle otherwise, still open, void, or already settled.
"""

from __future__ import annotations

from typing import Any

from governance.i18n import gettext as _
from governance.organisations.statutes import Statutes
from governance.vocabulary import TieRule, label

Row = dict[str, Any]


def no_office(statutes: Statutes | None, poll: Row | None = None) -> str | None:
    """The refusal when the statutes name no office that casts a deciding vote, else None;
    with the poll at hand, the reason that poll's tie was settled without one."""
    if statutes is not None and statutes.casting_vote_office:
        return None
    article = statutes.tie_article if statutes else ""
    tie_rule = poll["tie_rule"] if poll is not None else (statutes.tie_rule.value if statutes else None)
    if poll is not None and poll["method"] == "secret" and tie_rule == TieRule.chair_prevails:
        return _secret(article)
    return _("The statutes name no office that casts a deciding vote ({article}). Their tie rule: {rule}.").format(
        article=article, rule=_rule(tie_rule)
    )


def _secret(article: str) -> str:
    return _(
        "This was a secret ballot: the chair's vote never prevails there, and a tie rejects the motion ({article})."
    ).format(article=article)


def casting_vote_refusal(poll: Row, statutes: Statutes | None) -> str:
    """Why ``poll`` does not wait for a casting vote."""
    tie_article = statutes.tie_article if statutes else ""
    article = poll.get("majority_article") or tie_article
    if poll["casting_vote"] is not None:
        return _("The casting vote on this vote is already recorded.")
    if poll["status"] == "void":
        return _("This vote was declared void: there is no tie to settle.")
    if poll["status"] != "closed":
        return _("The vote is still open: a casting vote settles a tie only after the count.")
    tied = poll.get("yes") is not None and poll["yes"] == poll["no"] and poll["yes"] > 0
    if poll["method"] == "secret" and poll["tie_rule"] == TieRule.chair_prevails:
        return _secret(tie_article)
    if poll["tie_rule"] != TieRule.casting_vote:
        message = _("The statutes settle a tie otherwise ({article}): no casting vote. Their tie rule: {rule}.")
        return message.format(rule=_rule(poll["tie_rule"]), article=tie_article)
    if tied and poll["outcome"] == "rejected":
        return _(
            "This tie is not decisive: one more yes would not reach the required majority ({article}), "
            "so the motion is rejected without a casting vote."
        ).format(article=article)
    return _("This vote was not tied: its outcome stands without a casting vote.")


def _rule(code: str | None) -> str:
    try:
        return label(TieRule(code or ""))
    except ValueError:
        return code or ""
