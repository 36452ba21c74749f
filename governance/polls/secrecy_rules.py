"""Must this poll be secret, and why? A pure decision over plain values (no table, no request).

Three clauses of the rule set can require a secret ballot (rule 1, statutes first):

* ``secret_ballot_for_elections``: every election;
* ``secret_ballot_for_personal_matters``: decisions about persons, i.e. the decision types
  in :data:`PERSONAL_MATTERS` (an election, admitting a member, excluding one);
* ``secret_ballot_on_request_of``: a motion on which that many members asked for it.

:func:`required_method` says which applies first (or none); :func:`refusal` words the
refusal of another method, citing the article; :func:`request_refusal` words why a
request cannot be made under statutes that do not provide for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from governance.i18n import gettext as _
from governance.i18n import ngettext

SECRET = "secret"  # noqa: S105 - the poll method, not a password
# Decision types that concern a person (vocabulary: governance.vocabulary.DecisionType).
PERSONAL_MATTERS = frozenset({"election", "admission", "exclusion"})


class SecrecyReason(StrEnum):
    election = "election"
    personal_matter = "personal_matter"
    members_request = "members_request"


@dataclass(frozen=True, slots=True)
class SecretClauses:
    """The rule set's clauses on secret ballots, as plain values."""

    for_elections: bool
    for_personal_matters: bool
    on_request_of: int | None  # None: the statutes do not provide for a request
    article: str


@dataclass(frozen=True, slots=True)
class Secrecy:
    """The method the statutes impose (None: the chair chooses) and the clause that imposes it."""

    method: str | None
    reason: SecrecyReason | None
    requests: int = 0
    threshold: int | None = None


FREE = Secrecy(None, None)


def required_method(decision_type: str, clauses: SecretClauses, requests: int) -> Secrecy:
    """The method a poll on a motion of ``decision_type`` must use, given ``requests`` members'
    requests for a secret ballot on that motion."""
    if decision_type == "election" and clauses.for_elections:
        return Secrecy(SECRET, SecrecyReason.election)
    if decision_type in PERSONAL_MATTERS and clauses.for_personal_matters:
        return Secrecy(SECRET, SecrecyReason.personal_matter)
    threshold = clauses.on_request_of
    if threshold is not None and requests >= threshold:
        return Secrecy(SECRET, SecrecyReason.members_request, requests, threshold)
    return FREE


def refusal(secrecy: Secrecy, article: str) -> str:
    """Why a poll cannot be opened by another method than ``secrecy.method``."""
    if secrecy.reason is SecrecyReason.election:
        return _("The statutes require a secret ballot for elections ({article}).").format(article=article)
    if secrecy.reason is SecrecyReason.personal_matter:
        message = _("The statutes require a secret ballot on personal matters ({article}): the vote must be secret.")
        return message.format(article=article)
    if secrecy.reason is SecrecyReason.members_request:
        return ngettext(
            "{n} member asked for a secret ballot ({article}): the vote must be secret.",
            "{n} members asked for a secret ballot ({article}): the vote must be secret.",
            secrecy.requests,
        ).format(n=secrecy.requests, article=article)
    return ""


def request_refusal(clauses: SecretClauses) -> str | None:
    """Why members cannot ask for a secret ballot (None: they can)."""
    if clauses.on_request_of is None:
        return _("The statutes do not provide for a secret ballot on request.")
    return None
