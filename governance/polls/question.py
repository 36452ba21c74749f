""" "Put the question": the chair asks the meeting for unanimous consent in one gesture.

A real Board adopts its agenda with "Is the agenda adopted? It is." Here that gesture is a
poll like any other (DOMAIN rules 4 and 18): the motion on the current item goes to the
vote if it is not there yet, and a ``unanimous_consent`` poll opens through the polls
context, so the quorum is re-checked and recorded first. The chair then closes it (no
objection: adopted) or a member objects from the tablet (the chair takes a real vote).

When no member has typed a motion, the question itself becomes the motion: the text the
chair or the secretariat gives, or, for a standard item (adoption of the agenda, approval of
the previous minutes), the standard question in English, French and Spanish. Its mover is
the person who puts it (the member they represent, if any); it needs no seconder, and the
log says it was put as a question. The secretariat, where it does not drive the agenda,
prepares such a question (the motion, on the floor) and the chair puts it.
"""

from __future__ import annotations

from typing import Any

from governance.agenda import services as agenda
from governance.agenda import store
from governance.agenda.views import item_quorum_for
from governance.auth import Principal
from governance.db import reading, writing
from governance.errors import Conflict, Forbidden, Invalid
from governance.i18n import gettext as _
from governance.meetings import attendance, attendance_store, live
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.polls.tables import Poll
from governance.record import log
from governance.vocabulary import ItemStatus, MotionStatus, label

Row = dict[str, Any]
LANGUAGES = ("en", "fr", "es")

# The standard question of each standard item, in the three languages of the record (these
# are the motion's texts, not interface strings: every language is stored, whoever reads).
STANDARD_QUESTIONS: dict[str, dict[str, str]] = {
    "agenda": {
        "en": "The agenda of the meeting is adopted.",
        "fr": "L'ordre du jour de la réunion est adopté.",
        "es": "Se aprueba el orden del día de la reunión.",
    },
    "minutes": {
        "en": "The minutes of the previous meeting are approved.",
        "fr": "Le procès-verbal de la réunion précédente est approuvé.",
        "es": "Se aprueba el acta de la reunión anterior.",
    },
}


def standard_question(item: Row) -> dict[str, str] | None:
    return STANDARD_QUESTIONS.get(item.get("special") or "")


async def put_the_question(
    context: MeetingContext,
    principal: Principal,
    item_id: int,
    *,
    motion_id: int | None = None,
    texts: dict[str, str] | None = None,
    countdown: int | None = None,
) -> tuple[Row, Row | None]:
    """Put the question on the current item; returns (the motion, the consent poll opened).

    The poll is None when the secretariat, not driving the agenda, only prepared the question."""
    # Imported here: the polls context builds on the agenda's services.
    from governance.polls import services as polls

    driving = agenda.drives(context)
    if not driving and MeetingRole.secretary not in context.roles:
        raise Forbidden(_("Only the chair or the secretariat puts a question."))
    rules = agenda._rules(context)
    if context.meeting["status"] != "open":
        raise Conflict(_("The meeting is not in session."))
    item = await agenda.get_item(context, item_id)
    if item["status"] != "open":
        raise Conflict(_("Take up item {number} first.").format(number=item["number"]))
    motion = await _motion_for(context, item, motion_id)
    if motion is not None and not driving:
        raise Forbidden(_("Only the chair puts a motion to the vote at this meeting."))
    new_texts: dict[str, str] = {}
    if motion is None:
        new_texts = _question_texts(item, texts or {}, str(rules.authoritative_language))
    elif motion_id is None and any((text or "").strip() for text in (texts or {}).values()):
        # A typed question would become a second motion beside the one on the floor.
        raise Conflict(
            _(
                "A motion is already on the floor of item {number}: put the question on it, or dispose of it first."
            ).format(number=item["number"])
        )
    if driving:
        async with reading():
            open_polls = await Poll.count().where((Poll.meeting == context.meeting["id"]) & (Poll.status == "open"))
        if open_polls:
            raise Conflict(_("A vote is already open: close it before putting another question."))
        await _check_quorum(context, item)

    async def put() -> tuple[int, int | None]:
        chosen = motion["id"] if motion is not None else await _table_question(context, principal, item, new_texts)
        if not driving:
            return chosen, None
        current = (await agenda.get_motion(context, chosen))["status"]
        path = {"proposed": ("debate", "voting"), "seconded": ("debate", "voting"), "debate": ("voting",)}
        for step in path.get(current, ()):
            await agenda.move(context, principal, chosen, step)
        poll = await polls.open_poll(context, principal, chosen, "unanimous_consent", countdown)
        return chosen, poll["id"]

    chosen, poll_id = await agenda.change(context, put)
    live.meeting_changed(context.meeting["id"])
    return await agenda.get_motion(context, chosen), (await polls.get_poll(context, poll_id) if poll_id else None)


async def _motion_for(context: MeetingContext, item: Row, motion_id: int | None) -> Row | None:
    """The motion the question is put on: the one named, or the only one on the floor, or none."""
    if motion_id is not None:
        motion = await agenda.get_motion(context, motion_id)
        if motion["item"] != item["id"]:
            raise Invalid(_("This motion belongs to another item."), fields={"motion": _("This value is not valid.")})
        if motion["status"] not in agenda.OPEN_STATUSES:
            raise Conflict(
                _("This motion is {status}: no question can be put on it.").format(
                    status=label(MotionStatus(motion["status"]))
                )
            )
        return motion
    on_floor = [m for m in await agenda.list_motions(context, item["id"]) if m["status"] in agenda.OPEN_STATUSES]
    if len(on_floor) > 1:
        message = _("{n} motions are on the floor of item {number}: say which one the question is put on.").format(
            n=len(on_floor), number=item["number"]
        )
        raise Conflict(message, fields={"motion": message})
    return on_floor[0] if on_floor else None


def _question_texts(item: Row, given: dict[str, str], language: str) -> dict[str, str]:
    """The question's texts: those given, else the item's standard question."""
    texts = {lang: (given.get(lang) or "").strip() for lang in LANGUAGES}
    if not any(texts.values()):
        standard = standard_question(item)
        if standard is not None:
            return dict(standard)
        message = _("Item {number} has no standard question: give the text of the question.").format(
            number=item["number"]
        )
        raise Invalid(message, fields={f"text_{language}": message})
    if not texts[language]:
        message = _("Give the text in the authoritative language ({language}).").format(language=language)
        raise Invalid(message, fields={f"text_{language}": message})
    return texts


async def _check_quorum(context: MeetingContext, item: Row) -> None:
    """Without quorum no poll opens (rule 4): the failed check is recorded, and nothing else is."""
    register = await attendance.load_register(context)
    recused = {r["member"] for r in await agenda.list_recusals(context, item["id"])}
    quorum = item_quorum_for(context, register, recused)
    if quorum.met:
        return  # the poll's own opening re-checks and records it
    async with writing():
        await attendance_store.record_quorum_check(
            context.meeting["id"], at=agenda.now(), trigger=f"question:{item['number']}",
            convocation=context.meeting["convocation"], quorum=quorum,
        )  # fmt: skip
    live.meeting_changed(context.meeting["id"])
    raise Conflict(
        _("No quorum ({counted} of {required}): the vote cannot open.").format(
            counted=quorum.counted, required=quorum.required
        )
    )


async def _table_question(context: MeetingContext, principal: Principal, item: Row, texts: dict[str, str]) -> int:
    """The question becomes the motion, on the floor (debate): no seconder, its mover the person
    who puts it; the log says it was put as a question (the standard one, where it is)."""
    item = await agenda.get_item(context, item["id"])  # again, under the meeting's lock
    if item["status"] != "open":
        raise Conflict(
            _("Item {number} is {status}: no motion can be made on it.").format(
                number=item["number"], status=label(ItemStatus(item["status"]))
            )
        )
    at = agenda.now()
    mover = agenda.member_of(context, principal)
    rules = agenda._rules(context)
    motion_id = await store.insert_motion(
        {
            "meeting": context.meeting["id"],
            "item": item["id"],
            "kind": "main",
            "decision_type": item["decision_type"] or "ordinary",
            "authoritative_language": str(rules.authoritative_language),
            "mover_member": mover,
            "mover_person": principal.person_id,
            "status": "debate",
            "created_at": at,
            "status_changed_at": at,
        }
    )
    await agenda.insert_first_texts(motion_id, texts, principal.person_id)
    await log.append(
        context.meeting["id"],
        "motion_proposed",
        principal.person_id,
        motion=motion_id,
        item=item["number"],
        kind="main",
        procedure=None,
        amends=None,
        mover=mover,
        question=True,
        standard=item["special"] if texts == standard_question(item) else None,
    )
    return motion_id
