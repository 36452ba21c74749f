"""Attendance's typed values: the closed vocabularies of the register (how a member attends,
its state, a proxy's scope, steps and what it lacks, why it was revoked, what triggered a
quorum check), the register itself, and their words in the reader's language.

The enums are ``StrEnum``: their members are the strings stored in the tables and written
in the log, so a value read from a row compares equal to its member.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from governance.i18n import gettext as _
from governance.meetings.quorum import QuorumResult
from governance.vocabulary import MemberCategory, label

if TYPE_CHECKING:
    from governance.meetings.services import MeetingContext

Row = dict[str, Any]


class PresenceMode(StrEnum):
    """How a member's representative attends (a stay's ``mode``)."""

    present = "present"
    remote = "remote"


class MemberState(StrEnum):
    """A member's line in the register."""

    present = "present"
    remote = "remote"
    represented = "represented"  # its proxy counts
    excused = "excused"
    absent = "absent"


class ProxyScope(StrEnum):
    meeting = "meeting"  # the whole meeting: counts in the quorum
    items = "items"  # listed agenda items only: counts in their polls, not in the quorum


class ProxyStep(StrEnum):
    """A step of a proxy after it is given (the consent state machine, attendance_rules)."""

    accept = "accept"  # the holder's representative accepts it
    accept_in_room = "accept-in-room"  # the secretariat records the present holder's acceptance
    confirm = "confirm"  # the grantor's representative confirms one the secretariat recorded
    validate = "validate"  # the secretariat validates it
    revoke = "revoke"


class Missing(StrEnum):
    """What a live proxy may still lack before it counts (issue 17, item 6)."""

    grantor = "grantor"  # neither the grantor's signed form nor its own confirmation
    holder = "holder"  # the holder has not accepted it (itself, or in the room)
    validation = "validation"  # the secretariat has not validated it


class Revocation(StrEnum):
    """Revocation reasons the system writes (a person's own reason is free text)."""

    grantor_arrived = "grantor_arrived"
    revoked = "revoked"


class QuorumTrigger(StrEnum):
    """What a quorum check was recorded for (its ``trigger`` is ``kind:slug[:slug]``)."""

    arrival = "arrival"
    arrival_undone = "arrival-undone"
    departure = "departure"
    excusal = "excusal"
    proxy_given = "proxy-given"
    proxy_accepted = "proxy-accepted"
    proxy_accepted_in_room = "proxy-accepted-in-room"
    proxy_confirmed = "proxy-confirmed"
    proxy_form = "proxy-form"
    proxy_validated = "proxy-validated"
    proxy_revoked = "proxy-revoked"
    second_convocation = "second-convocation"
    poll = "poll"  # before a vote opens (polls)
    question = "question"  # a question put without quorum (agenda)


def trigger(kind: QuorumTrigger, *slugs: str) -> str:
    """A quorum check's trigger: its kind and the members concerned."""
    return ":".join((kind.value, *slugs))


@dataclass
class MemberLine:
    id: int
    slug: str
    name: str
    category: str
    votes: bool
    # Why the member may not vote, as a code ("category:observer", "arrears:2012") and the
    # articles to cite: put into words when read, in the reader's language (the register is
    # cached across requests and readers).
    no_vote_code: str | None
    state: MemberState
    representative: str | None = None  # who is checked in for the member
    representative_role: str | None = None
    since: dt.datetime | None = None
    proxy_to: str | None = None  # the member holding its live proxy
    proxy_counts: bool = False
    holds: list[str] = field(default_factory=list)  # members whose proxy it holds (and that count)
    stays: int = 0
    # What the proxy it gave still lacks before it can count, and the proxies it holds that
    # lack something: (grantor's name, what it lacks).
    proxy_missing: list[Missing] = field(default_factory=list)
    holds_pending: list[tuple[str, list[Missing]]] = field(default_factory=list)
    no_vote_articles: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def no_vote_reason(self) -> str | None:
        return no_vote_reason(self.no_vote_code, self.no_vote_articles)


@dataclass
class Register:
    context: MeetingContext
    lines: list[MemberLine]
    quorum: QuorumResult
    proxies: list[Row]
    names: dict[int, str]
    voters: set[int]
    attending: dict[int, str]
    last_check: Row | None
    # member -> the person checked in for it; grantor -> holder for proxies that count.
    representatives: dict[int, int] = field(default_factory=dict)
    represented_by: dict[int, int] = field(default_factory=dict)
    # Indexes of ``lines``, built once per load (pages look up a few lines among thousands).
    by_id: dict[int, MemberLine] = field(default_factory=dict, repr=False)
    names_by_slug: dict[str, str] = field(default_factory=dict, repr=False)

    def line(self, slug: str) -> MemberLine:
        from governance.errors import NotFound  # the errors know the database's; the model does not

        for line in self.lines:
            if line.slug == slug:
                return line
        raise NotFound(_("This member has no seat in this meeting's body."))


# --- in the reader's language -----------------------------------------------------------------


def no_vote_reason(code: str | None, articles: Mapping[str, Any]) -> str | None:
    if code is None:
        return None
    kind, _sep, detail = code.partition(":")
    if kind == "category":
        return _("{category}: no vote ({article}).").format(
            category=label(MemberCategory(detail)), article=articles["voting_categories_article"]
        )
    return _("Fee for {year} not paid ({article}).").format(year=detail, article=articles["arrears_article"])


def revocation_reason(reason: str) -> str:
    """A proxy's revocation reason in the reader's language (free text stays as typed)."""
    words: dict[str, str] = {Revocation.grantor_arrived: _("the grantor arrived"), Revocation.revoked: _("revoked")}
    return words.get(reason, reason)


def missing_sentences(codes: list[Missing] | list[str]) -> list[str]:
    """What a proxy lacks, in the reader's language."""
    sentences = {
        Missing.grantor: _("awaiting the grantor's confirmation or signed proxy form"),
        Missing.holder: _("awaiting the holder's acceptance"),
        Missing.validation: _("awaiting the secretariat's validation"),
    }
    return [sentences[Missing(code)] for code in codes]


def describe_trigger(trigger: str, names_by_slug: Mapping[str, str]) -> str:
    """A quorum check's trigger in words, in the reader's language."""
    kind, _sep, rest = trigger.partition(":")
    parts = [names_by_slug.get(p, p) for p in rest.split(":")] if rest else []
    sentences: dict[str, str] = {
        QuorumTrigger.arrival: _("Arrival of {0}"),
        QuorumTrigger.arrival_undone: _("Arrival of {0} undone"),
        QuorumTrigger.departure: _("Departure of {0}"),
        QuorumTrigger.excusal: _("Apologies from {0}"),
        QuorumTrigger.proxy_given: _("Proxy of {0} given to {1}"),
        QuorumTrigger.proxy_accepted: _("Proxy of {0} accepted by {1}"),
        QuorumTrigger.proxy_accepted_in_room: _(
            "Proxy of {0} accepted by {1} in the room, recorded by the secretariat"
        ),
        QuorumTrigger.proxy_confirmed: _("Proxy of {0} to {1} confirmed by its grantor"),
        QuorumTrigger.proxy_form: _("Signed proxy form of {0} to {1} attached"),
        QuorumTrigger.proxy_validated: _("Proxy of {0} to {1} validated"),
        QuorumTrigger.proxy_revoked: _("Proxy of {0} to {1} revoked"),
        QuorumTrigger.second_convocation: _("Second convocation"),
        QuorumTrigger.poll: _("Quorum checked before a vote"),
    }
    template = sentences.get(kind)
    if template is None:
        return trigger
    return template.format(*parts, *([""] * 2))
