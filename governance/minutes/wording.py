"""The minutes' words in the document's language: pure functions over the record's numbers.

A poll's arithmetic is stored as English text (``Poll.arithmetic``, for the log and the
verifier); the minutes say it again in their own language from the structured numbers
(threshold, base, counts, outcome, tie, casting vote) with :func:`arithmetic`. Results and
statuses agree with the noun they qualify (``pgettext`` contexts: "motion", "amendment",
"minutes version"): in French an amendment is "adopté", a motion "adoptée", a version
"approuvée". Numbers and dates go through Babel in the document's language.
"""

from __future__ import annotations

from typing import Any

from governance.i18n import gettext as _
from governance.i18n import npgettext, pgettext

# The poll's words (its arithmetic, choices, results) belong to polls: the live pages say them too.
from governance.polls.wording import arithmetic, choice, number, result

__all__ = ["arithmetic", "attendance", "choice", "colon", "item_not_taken_up", "number", "office_title", "result",
           "signatory_title", "version_status"]  # fmt: skip

Row = dict[str, Any]


def version_status(status: str) -> str:
    """The status of a version of the minutes ("version" is feminine in French and Spanish)."""
    return {
        "draft": pgettext("minutes version", "draft"),
        "circulated": pgettext("minutes version", "circulated"),
        "approved": pgettext("minutes version", "approved"),
        "signed": pgettext("minutes version", "signed"),
        "published": pgettext("minutes version", "published"),
    }.get(status, status)


def signatory_title(office: str, acting: bool = False) -> str:
    """The office as the statutes name it at the foot of the minutes ("Le Président")."""
    titles = {
        "president": pgettext("signatory", "The President"),
        "co_president": pgettext("signatory", "The Co-President"),
        "vice_president": pgettext("signatory", "The Vice-President"),
        "treasurer": pgettext("signatory", "The Treasurer"),
        "secretary_general": pgettext("signatory", "The Secretary General"),
    }
    title = titles.get(office, office.replace("_", " ").capitalize())
    return _("{office} (acting)").format(office=title) if acting else title


def colon(label: str) -> str:
    """``label`` followed by a colon as the language writes it (French puts a space before it)."""
    return pgettext("label", "{label}:").format(label=label)


def office_title(office: str | None) -> str:
    """An office as the statutes name it, in running text ("Président", not "Président(e)")."""
    titles = {
        "president": pgettext("office", "President"),
        "co_president": pgettext("office", "Co-President"),
        "vice_president": pgettext("office", "Vice-President"),
        "treasurer": pgettext("office", "Treasurer"),
        "secretary_general": pgettext("office", "Secretary General"),
    }
    return titles.get(office or "", (office or "").replace("_", " "))


def attendance(state: str, n: int) -> str:
    """The heading of one attendance paragraph, agreeing with its number ("Présents (26)")."""
    words = {
        "present": npgettext("attendance", "Present (%(num)s)", "Present (%(num)s)", n),
        "remote": npgettext("attendance", "Remote (%(num)s)", "Remote (%(num)s)", n),
        "represented": npgettext("attendance", "Represented (%(num)s)", "Represented (%(num)s)", n),
        "excused": npgettext("attendance", "Excused (%(num)s)", "Excused (%(num)s)", n),
        "absent": npgettext("attendance", "Absent (%(num)s)", "Absent (%(num)s)", n),
    }
    return words.get(state, state + " (%(num)s)") % {"num": n}


def item_not_taken_up(status: str) -> str | None:
    """What the minutes say of an item left at the close (None for an item dealt with)."""
    return {
        "pending": _("This item was not dealt with."),
        "open": _("This item was not concluded before the close."),
        "postponed": _("This item was postponed to a later meeting."),
        "withdrawn": _("This item was withdrawn from the agenda."),
    }.get(status)
