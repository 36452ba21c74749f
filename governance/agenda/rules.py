"""The agenda context's rules: pure decisions over typed values (no table, no request, no page).

* **Who drives**: the chair; the secretary too where the statutes allow it. Before its
  adoption the secretariat prepares the agenda; once adopted, it changes only after an
  adopted "amend the agenda" motion, and then by whoever drives.
* **Items**: an item is taken up from ``pending`` (the agenda's adoption first), closed only
  when no motion is left on the floor; decisions and elections name their decision type.
* **Motions**: ``MOTION_TRANSITIONS`` says which status may follow which and who moves it
  there. Outcomes (adopted, rejected) come only from votes (DOMAIN 18); nobody seconds their
  own motion; seconding comes first where the statutes require it.
* **Amendments** are voted before their main motion (DOMAIN 12), no deeper than the statutes
  allow; they fall with it; an adopted one gives the main motion a new version of its text.
* **Recusal**: a recused member leaves the item's quorum unless the statutes keep them.
* **The speakers list**: a request's state, the queue in the order of the requests, and how
  long each speaker had the floor.

A refusal is a ``Refusal`` (409), a ``NotAllowed`` (403) or an ``InvalidInput`` (422, with
the fields at fault); the use cases raise it as the matching domain error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from governance.agenda.model import (
    OPEN_STATUSES,
    Actor,
    DecisionType,
    Item,
    ItemKind,
    ItemStatus,
    Motion,
    MotionKind,
    MotionStatus,
    Procedure,
    SpeakerState,
    Special,
)
from governance.i18n import gettext as _
from governance.i18n import ngettext
from governance.meetings.roles import MeetingRole
from governance.vocabulary import label


class Refusal(Exception):
    """A rule says no: the request conflicts with the statutes or the state (409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(Refusal):
    """Not this person's to do (403)."""


class InvalidInput(Refusal):
    """Input that breaks a rule (422); ``fields`` says which field and why (maybe none)."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


def invalid(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, {field: message})


def said(status: MotionStatus | ItemStatus | str, vocabulary: type[MotionStatus] | type[ItemStatus]) -> str:
    """A status code as words in the reader's language, for a sentence."""
    return label(vocabulary(status))


# --- who drives ------------------------------------------------------------------------------


def drives(roles: Collection[str], secretary_may_drive: bool) -> bool:
    """The chair drives the agenda; the secretary too where the statutes allow it."""
    return MeetingRole.chair in roles or (MeetingRole.secretary in roles and secretary_may_drive)


def require_driver(drives: bool) -> None:
    if not drives:
        raise NotAllowed(_("Only the chair drives the agenda at this meeting."))


def in_session(meeting_status: str) -> None:
    if meeting_status not in ("open", "suspended"):
        raise Refusal(_("The meeting is not in session."))


MANDATE_ORDER = {"principal": 0, "delegate": 1, "substitute": 2}


def represented_member(mandates: Iterable[Mapping[str, Any]]) -> int | None:
    """The member a person represents in the body (voting mandates first, observers never)."""
    mine = [m for m in mandates if m["office"] != "observer"]
    return int(min(mine, key=lambda m: MANDATE_ORDER[m["role"]])["member"]) if mine else None


# --- agenda items ----------------------------------------------------------------------------


def item_order(number: str) -> tuple[int, ...]:
    """ "3.10" comes after "3.9": items sort by their numbers' parts."""
    return tuple(int(part) for part in number.split("."))


def item_problems(kind: str, decision_type: str | None, special: str | None) -> dict[str, str]:
    """What is wrong with a new item's kind, decision type and standard role, by field."""
    problems: dict[str, str] = {}
    deciding = kind in (ItemKind.decision, ItemKind.election)
    if deciding and decision_type is None:
        problems["decision_type"] = _("Say which kind of decision this is: it selects the majority.")
    if not deciding and decision_type is not None:
        problems["decision_type"] = _("Only decisions and elections have a decision type.")
    if special and kind != ItemKind.decision:
        problems["special"] = _("Adopting the agenda and approving minutes are decisions.")
    if special == Special.agenda and decision_type not in (None, DecisionType.agenda):
        problems["decision_type"] = _("The adoption of the agenda is an agenda decision.")
    if special == Special.minutes and decision_type not in (None, DecisionType.minutes):
        problems["decision_type"] = _("The approval of minutes is a minutes decision.")
    return problems


def agenda_changeable(
    *, adopted: bool, unlocked: bool, secretary: bool, drives: bool, agenda_article: str | None
) -> bool:
    """May the agenda change now? True when it takes an adopted "amend the agenda" motion's
    unlock (which the change then uses up). ``agenda_article`` is None when the meeting's
    rules are not fixed yet."""
    if not adopted:
        if not secretary and not drives:
            raise NotAllowed(_("The secretariat prepares the agenda."))
        return False
    if not unlocked:
        if agenda_article is None:
            raise Refusal(_("The meeting is not convened yet: its rules are not fixed."))
        raise Refusal(
            _(
                "The agenda is adopted: changing it needs a decision ({article}). "
                "Propose a procedural motion to amend the agenda first."
            ).format(article=agenda_article)
        )
    if not drives:
        raise NotAllowed(_("Only the chair drives the agenda at this meeting."))
    return True


def take_up(item: Item, *, agenda_adopted: bool) -> None:
    """Whether the item can become the meeting's current item."""
    pending(item)
    agenda_first(item, agenda_adopted)


def pending(item: Item) -> None:
    if item.status != ItemStatus.pending:
        raise Refusal(
            _("Item {number} is {status}: it cannot be taken up.").format(
                number=item.number, status=said(item.status, ItemStatus)
            )
        )


def agenda_first(item: Item, agenda_adopted: bool) -> None:
    """Before its adoption, the agenda's own item is the only one taken up."""
    if not agenda_adopted and item.special != Special.agenda:
        raise Refusal(_("Adopt the agenda first: take up the item on the adoption of the agenda."))


def under_discussion(item: Item) -> None:
    if item.status != ItemStatus.open:
        raise Refusal(_("Item {number} is not under discussion.").format(number=item.number))


def closable(item: Item, on_floor: int, status: ItemStatus) -> None:
    """An item is closed once its motions are disposed of (postponing it takes them along)."""
    if on_floor and status == ItemStatus.closed:
        raise Refusal(
            _("Item {number} still has motions on the floor: dispose of them first.").format(number=item.number)
        )


# --- motions ---------------------------------------------------------------------------------

# Which status may follow which, and who moves it there.
MOTION_TRANSITIONS: Mapping[tuple[str, str], Actor] = {
    (MotionStatus.proposed, MotionStatus.seconded): Actor.seconder,
    (MotionStatus.proposed, MotionStatus.debate): Actor.chair,  # only when the statutes need no seconder
    (MotionStatus.seconded, MotionStatus.debate): Actor.chair,
    (MotionStatus.debate, MotionStatus.voting): Actor.chair,
    # Back to debate (to amend, or after an objection to unanimous consent): an open
    # poll on the motion is void, since what it froze is about to change.
    (MotionStatus.voting, MotionStatus.debate): Actor.chair,
    # Outcomes come only from votes (DOMAIN rule 18): nobody, the chair included, declares
    # them; the polls context records them through ``settle`` when a poll on the motion
    # closes (or a casting vote settles its tie).
    (MotionStatus.voting, MotionStatus.adopted): Actor.vote,
    (MotionStatus.voting, MotionStatus.rejected): Actor.vote,
    (MotionStatus.proposed, MotionStatus.withdrawn): Actor.mover,
    (MotionStatus.seconded, MotionStatus.withdrawn): Actor.mover,
    (MotionStatus.debate, MotionStatus.withdrawn): Actor.mover,
    (MotionStatus.debate, MotionStatus.postponed): Actor.chair,
    (MotionStatus.debate, MotionStatus.referred): Actor.chair,
    (MotionStatus.seconded, MotionStatus.postponed): Actor.chair,
    (MotionStatus.seconded, MotionStatus.referred): Actor.chair,
}
OUTCOMES = (MotionStatus.adopted, MotionStatus.rejected)


def outcome_refused() -> Refusal:
    return Refusal(_("A motion is adopted or rejected only by a vote: put the question or open a vote."))


def takes_motions(item: Item) -> None:
    if item.status not in (ItemStatus.pending, ItemStatus.open):
        raise Refusal(
            _("Item {number} is {status}: no motion can be made on it.").format(
                number=item.number, status=said(item.status, ItemStatus)
            )
        )


def motion_form(kind: str, procedure: str | None, amends: int | None) -> None:
    """A procedural motion names its procedure, an amendment its motion (and only they do)."""
    if (kind == MotionKind.procedural) != (procedure is not None):
        raise invalid(_("A procedural motion says which procedure it proposes (and only it does)."), "procedure")
    if (kind == MotionKind.amendment) != (amends is not None):
        raise invalid(_("An amendment names the motion it changes (and only an amendment does)."), "amends")


def amendment_depth(target: Motion, item: Item, max_depth: int, article: str) -> int:
    """The depth of an amendment to ``target`` (an amendment to an amendment is one deeper)."""
    if target.item != item.id:
        raise InvalidInput(_("An amendment belongs to the same item as the motion it changes."))
    if target.status not in (MotionStatus.proposed, MotionStatus.seconded, MotionStatus.debate):
        raise Refusal(
            _("That motion is {status}: it can no longer be amended.").format(status=said(target.status, MotionStatus))
        )
    depth = target.depth + 1
    if depth > max_depth:
        raise Refusal(
            ngettext(
                "The statutes allow amendments {depth} level deep ({article}): this would be {this}.",
                "The statutes allow amendments {depth} levels deep ({article}): this would be {this}.",
                max_depth,
            ).format(depth=max_depth, article=article, this=depth)
        )
    return depth


def motion_decision_type(item: Item, kind: str, procedure: str | None, target: Motion | None) -> DecisionType:
    """The decision type (and so the majority) a new motion is decided by."""
    if kind == MotionKind.procedural:
        return DecisionType.agenda if procedure == Procedure.amend_agenda else DecisionType.procedural
    if target is not None:
        return target.decision_type
    return item.decision_type or DecisionType.ordinary


def secondable(motion: Motion, seconder: int, person: int) -> None:
    if motion.status != MotionStatus.proposed:
        raise Refusal(
            _("This motion is {status}: it cannot be seconded now.").format(status=said(motion.status, MotionStatus))
        )
    if motion.mover_member == seconder or motion.mover_person == person:
        raise Refusal(_("Nobody can second their own motion."))


def transition(
    motion: Motion,
    target: str,
    *,
    by_vote: bool,
    person: int,
    secretary: bool,
    drives: bool,
    seconding_required: bool,
    motions_article: str,
) -> Actor:
    """Who may move ``motion`` to ``target`` (a status code, maybe not one), or why not."""
    current = motion.status
    actor = MOTION_TRANSITIONS.get((current, target))
    if actor == Actor.vote and not by_vote:
        raise outcome_refused()
    if actor is None or actor == Actor.seconder:
        raise Refusal(
            _("A motion that is {current} cannot become {target}.").format(
                current=label(current),
                target=label(MotionStatus(target)) if target in MotionStatus.__members__ else target,
            )
        )
    if actor == Actor.mover:
        if motion.mover_person != person and not secretary:
            raise NotAllowed(_("Only the mover can withdraw a motion."))
    elif actor == Actor.vote:
        pass  # the polls context checked who closed the vote or cast the deciding one
    elif not drives:
        raise NotAllowed(_("Only the chair moves motions along at this meeting."))
    if (current, target) == (MotionStatus.proposed, MotionStatus.debate) and seconding_required:
        raise Refusal(_("This motion needs a seconder first ({article}).").format(article=motions_article))
    return actor


def needs_the_floor(target: MotionStatus) -> bool:
    """Debate and votes happen in session, on the item under discussion."""
    return target in (MotionStatus.debate, MotionStatus.voting)


def item_taken_up(item: Item) -> None:
    if item.status != ItemStatus.open:
        raise Refusal(_("Take up item {number} first.").format(number=item.number))


def amendments_voted_first(pending: int) -> None:
    """A motion goes to the vote only once every amendment to it is settled (DOMAIN 12)."""
    if pending:
        raise Refusal(
            ngettext(
                "{n} amendment to this motion is still pending: amendments are voted first.",
                "{n} amendments to this motion are still pending: amendments are voted first.",
                pending,
            ).format(n=pending)
        )


def pending_amendments(motion_id: int, motions: Iterable[Motion]) -> int:
    """How many amendments to the motion are still open."""
    return sum(1 for m in motions if m.amends == motion_id and m.status in OPEN_STATUSES)


def takes_decision_number(motion: Motion, target: MotionStatus) -> bool:
    """Adopted main and procedural motions are numbered decisions; amendments are not."""
    return target == MotionStatus.adopted and motion.kind != MotionKind.amendment


def decision_number(prefix: str, year: int, sequence: int) -> str:
    """The body's decision number for the year: BoD-2012-07."""
    return f"{prefix}-{year}-{sequence:02d}"


def amendment_fate(outcome: MotionStatus) -> MotionStatus:
    """Amendments fall with the motion they change: withdrawn with a withdrawn or rejected
    one, postponed or referred with it."""
    return MotionStatus.withdrawn if outcome in (MotionStatus.withdrawn, MotionStatus.rejected) else outcome


def disposes_amendments(target: MotionStatus) -> bool:
    return target in (MotionStatus.postponed, MotionStatus.referred, MotionStatus.withdrawn, MotionStatus.rejected)


def procedure_outcome(procedure: Procedure | None) -> MotionStatus | None:
    """What an adopted postponing procedure does to the item's other open motions."""
    if procedure in (Procedure.postpone, Procedure.table):
        return MotionStatus.postponed
    if procedure == Procedure.refer:
        return MotionStatus.referred
    return None


def postpones_item(item: Item) -> bool:
    """An adopted postponing procedure postpones its item, unless it is already over."""
    return item.status in (ItemStatus.open, ItemStatus.pending)


def amended_text(main: Sequence[tuple[str, str]], amendment: Mapping[str, str]) -> list[tuple[str, str]]:
    """The main motion's next version once an amendment is adopted: each language of the main
    text, replaced where the amendment gives one, then the amendment's new languages."""
    languages = [language for language, _text in main]
    return [(language, amendment.get(language, text)) for language, text in main] + [
        (language, text) for language, text in amendment.items() if language not in languages
    ]


def text_in(texts: Iterable[Mapping[str, str]], language: str, authoritative: str) -> str:
    """A motion's text in the language, else in its authoritative language."""
    by_language = {t["language"]: t["text"] for t in texts}
    return by_language.get(language) or by_language.get(authoritative, "")


# --- recusals --------------------------------------------------------------------------------


def recusal_declarant(found: int | None, own: int | None, *, secretary: bool, named: bool) -> int:
    """The member whose recusal is declared: the one the declarant represents, or the one
    named (by its own representative, or by the secretariat)."""
    if named:
        if found is None:
            raise invalid(_("No such member."), "member")
        if found != own and not secretary:
            raise NotAllowed(_("Only the member's own representative, or the secretariat, declares its recusal."))
        own = found
    if own is None:
        if secretary:
            raise invalid(_("Say which member declares the recusal."), "member")
        raise NotAllowed(_("Only a member's representative, or the secretariat, declares a recusal."))
    return own


def recusable(item: Item) -> None:
    if item.status in (ItemStatus.closed, ItemStatus.withdrawn):
        raise Refusal(_("Item {number} is {status}.").format(number=item.number, status=said(item.status, ItemStatus)))


def not_yet_recused(already: bool) -> None:
    if already:
        raise Refusal(_("This recusal is already declared."))


def quorum_excludes(recused: Collection[int], recused_count_for_quorum: bool) -> frozenset[int]:
    """The members the item's quorum leaves out: the recused, unless the statutes keep them."""
    return frozenset() if recused_count_for_quorum else frozenset(recused)


# --- the speakers list -----------------------------------------------------------------------


def state(row: Mapping[str, Any]) -> SpeakerState:
    """``waiting``, ``speaking``, ``spoken`` or ``withdrawn``."""
    if row["withdrawn_at"] is not None:
        return SpeakerState.withdrawn
    if row["given_at"] is None:
        return SpeakerState.waiting
    return SpeakerState.speaking if row["ended_at"] is None else SpeakerState.spoken


def duration(row: Mapping[str, Any]) -> dt.timedelta | None:
    """How long a speaker had the floor (None until the floor is ended)."""
    if row["given_at"] is None or row["ended_at"] is None:
        return None
    spoke: dt.timedelta = row["ended_at"] - row["given_at"]
    return spoke


def format_duration(seconds: int | float | None) -> str:
    """``4:05``, or ``1:02:03`` past the hour; empty when unknown."""
    if seconds is None:
        return ""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def speaker_entry(row: Mapping[str, Any], position: int | None = None) -> dict[str, Any]:
    spoke = duration(row)
    seconds = round(spoke.total_seconds()) if spoke is not None else None
    return {
        **row,
        "state": state(row).value,
        "position": position,
        "since": row["given_at"],
        "duration": spoke,
        "duration_seconds": seconds,
        "duration_text": format_duration(seconds),
    }


def order_waiting(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The waiting requests, first asked first, each with its place in the queue (1 = next)."""
    waiting = sorted((r for r in rows if state(r) == "waiting"), key=lambda r: (r["requested_at"], r["id"]))
    return [speaker_entry(row, position) for position, row in enumerate(waiting, start=1)]


def build_queue(rows: Iterable[Mapping[str, Any]], item_id: int | None) -> dict[str, Any]:
    """What the speakers list shows: who has the floor (in the whole meeting: the chair
    must be able to end it even after the item closed), who waits on the current item
    (in order), and who has spoken on it (in order, with durations)."""
    rows = list(rows)
    on_item = [r for r in rows if item_id is not None and r["item"] == item_id]
    current = next((r for r in rows if state(r) == "speaking"), None)
    spoken = sorted((r for r in on_item if state(r) == "spoken"), key=lambda r: (r["given_at"], r["id"]))
    spoken_entries = [speaker_entry(row) for row in spoken]
    total = sum(entry["duration_seconds"] for entry in spoken_entries)
    return {
        "item": item_id,
        "current": speaker_entry(current) if current is not None else None,
        "waiting": order_waiting(on_item),
        "spoken": spoken_entries,
        "spoken_seconds": total,
        "spoken_text": format_duration(total) if spoken_entries else "",
    }


def mine(queue: Mapping[str, Any], person_id: int) -> dict[str, Any]:
    """Where a person stands in the queue: their waiting request (and its place), or the floor."""
    waiting = next((entry for entry in queue["waiting"] if entry["person"] == person_id), None)
    current = queue["current"]
    return {
        "waiting": waiting,
        "position": waiting["position"] if waiting else None,
        "speaking": current is not None and current["person"] == person_id,
    }
