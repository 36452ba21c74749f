"""Motions: proposed, seconded, debated, put to the vote, settled only by a vote; amendments
voted before their main motion, no deeper than the statutes allow; what an adopted motion
changes beyond itself (decision numbers, the amended text, the agenda, the item).

Each use case reads: load (``store``), decide (``rules``, over ``model`` and the statutes),
write (``store``), log, notify. Which status may follow which, and who moves it there, is
``rules.MOTION_TRANSITIONS``.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from governance.agenda import rules, store
from governance.agenda.conduct import (
    Row,
    _require_session,
    _rules,
    change,
    drives,
    enforced,
    member_of,
    now,
    secretary,
)
from governance.agenda.items import get_item
from governance.agenda.model import Item, Motion, MotionKind, MotionStatus, Procedure, Special
from governance.agenda.rules import MOTION_TRANSITIONS, outcome_refused
from governance.agenda.schemas import MotionIn
from governance.auth import Principal
from governance.db import reading
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.i18n import gettext as _
from governance.meetings.services import MeetingContext
from governance.record import log

__all__ = ["MOTION_TRANSITIONS", "outcome_refused"]


async def get_motion(context: MeetingContext, motion_id: int) -> Row:
    async with reading():
        row = await store.motion(context.meeting["id"], motion_id)
    if row is None:
        raise NotFound(_("No such motion in this meeting."))
    return row


async def list_motions(context: MeetingContext, item_id: int | None = None) -> list[Row]:
    """The motions (as ``get_motion`` gives each), in two statements rather than two per motion."""
    async with reading():
        return await store.motions(context.meeting["id"], item_id)


def text_in(motion: Row, language: str) -> str:
    return rules.text_in(motion["texts"], language, motion["authoritative_language"])


async def insert_first_texts(motion_id: int, texts: dict[str, str], person_id: int) -> None:
    """Version 1 of a new motion's text in each language given (empty ones skipped)."""
    await store.insert_texts(motion_id, 1, texts.items(), person_id)


@enforced
async def propose(context: MeetingContext, principal: Principal, data: MotionIn) -> Row:
    statutes = _rules(context)
    if context.meeting["status"] == "closed":
        raise Conflict(_("The meeting is closed."))
    texts = {lang: getattr(data, f"text_{lang}").strip() for lang in ("en", "fr", "es")}
    language = statutes.authoritative_language.value
    if not texts[language]:
        message = _("Give the text in the authoritative language ({language}).").format(language=language)
        raise Invalid(message, fields={f"text_{language}": message})
    rules.motion_form(data.kind, data.procedure, data.amends)
    mover = member_of(context, principal)
    if data.mover is not None:
        if not secretary(context):
            raise Forbidden(_("Only the secretariat records a motion for another member."))
        mover = await store.member_id(context.organisation["id"], data.mover)
        if mover is None:
            raise Invalid(_("No such member."), fields={"mover": _("No such member.")})
    if mover is None and not secretary(context):
        raise Forbidden(_("Only a member's representative, or the secretariat, can propose a motion."))

    async def table() -> int:
        row = await get_item(context, data.item)
        item = Item.from_row(row)
        rules.takes_motions(item)
        depth, target = 0, None
        if data.kind == MotionKind.amendment and data.amends is not None:
            target = Motion.from_row(await get_motion(context, data.amends))
            depth = rules.amendment_depth(target, item, statutes.amendment_max_depth, statutes.motions_article)
        decision_type = rules.motion_decision_type(item, data.kind, data.procedure, target)
        at = now()
        motion_id = await store.insert_motion(
            {
                "meeting": context.meeting["id"],
                "item": item.id,
                "kind": data.kind,
                "procedure": data.procedure,
                "amends": data.amends,
                "depth": depth,
                "decision_type": decision_type.value,
                "authoritative_language": language,
                "mover_member": mover,
                "mover_person": principal.person_id,
                "status": MotionStatus.proposed.value,
                "seats": data.seats if decision_type == "election" else 1,
                "created_at": at,
                "status_changed_at": at,
            }
        )
        await insert_first_texts(motion_id, texts, principal.person_id)
        await log.append(
            context.meeting["id"],
            "motion_proposed",
            principal.person_id,
            motion=motion_id,
            item=item.number,
            kind=data.kind,
            procedure=data.procedure,
            amends=data.amends,
            mover=mover,
        )
        return motion_id

    motion_id = await change(context, table)
    return await get_motion(context, motion_id)


@enforced
async def second(context: MeetingContext, principal: Principal, motion_id: int) -> Row:
    seconder = member_of(context, principal)
    if seconder is None:
        raise Forbidden(_("Only a member's representative can second a motion."))

    async def do() -> None:
        motion = Motion.from_row(await get_motion(context, motion_id))
        rules.secondable(motion, seconder, principal.person_id)
        await store.set_seconded(motion_id, seconder, principal.person_id, now())
        await log.append(
            context.meeting["id"], "motion_seconded", principal.person_id, motion=motion_id, seconder=seconder
        )

    await change(context, do)
    return await get_motion(context, motion_id)


@enforced
async def move(context: MeetingContext, principal: Principal, motion_id: int, target: str, note: str = "") -> Row:
    """Move a motion along its workflow (the chair; the mover withdraws). Never to an outcome:
    a motion is adopted or rejected only by a vote (``settle``)."""
    if target in rules.OUTCOMES:
        raise outcome_refused()
    return await _move(context, principal, motion_id, target, note)


@enforced
async def settle(context: MeetingContext, principal: Principal, motion_id: int, outcome: str, note: str) -> Row:
    """The outcome of a vote on the motion (a closed poll, a casting vote, or an election the
    statutes declare without a vote when candidates do not outnumber seats): called by the polls
    context only, never from a request. Outcomes take effect here (decision numbers...)."""
    if outcome not in rules.OUTCOMES:
        raise ValueError(outcome)
    return await _move(context, principal, motion_id, outcome, note, by_vote=True)


async def _move(
    context: MeetingContext, principal: Principal, motion_id: int, target: str, note: str = "", *, by_vote: bool = False
) -> Row:
    statutes = _rules(context)
    meeting_id = context.meeting["id"]

    async def do() -> None:
        row = await get_motion(context, motion_id)
        motion = Motion.from_row(row)
        current = motion.status
        rules.transition(
            motion,
            target,
            by_vote=by_vote,
            person=principal.person_id,
            secretary=secretary(context),
            drives=drives(context),
            seconding_required=statutes.seconding_required,
            motions_article=statutes.motions_article,
        )
        status = MotionStatus(target)  # an allowed transition leads to a status
        if rules.needs_the_floor(status):
            _require_session(context)
            rules.item_taken_up(Item.from_row(await get_item(context, motion.item)))
        if status == MotionStatus.voting:
            rules.amendments_voted_first(await store.pending_amendments(motion_id))
        decision: dict[str, Any] = {}
        if rules.takes_decision_number(motion, status):
            decision = await _decision_number(context)
        if not await store.move_motion(motion_id, current, status, now(), note[:300], decision):
            raise Conflict(_("The motion changed meanwhile; reload the page."))
        await log.append(
            meeting_id,
            f"motion_{status}",
            principal.person_id,
            motion=motion_id,
            note=note or None,
            decision=decision.get("decision_number"),
        )
        if (current, status) == (MotionStatus.voting, MotionStatus.debate):
            # The polls sit above the agenda (they import it): voiding is called upward at run time,
            # never imported at module level (tests/test_architecture.py forbids the cycle).
            from governance.polls.voiding import void_open_polls

            await void_open_polls(meeting_id, motion_id, principal.person_id, "motion taken back to debate")
        if status == MotionStatus.adopted:
            await _take_effect(context, principal, row)
        if rules.disposes_amendments(status):
            await _dispose_amendments(context, principal, motion_id, status)

    await change(context, do)
    return await get_motion(context, motion_id)


async def _decision_number(context: MeetingContext) -> dict[str, Any]:
    """The body's next decision number for the meeting's year: BoD-2012-07."""
    body = context.body
    year = context.meeting["starts_at"].astimezone(ZoneInfo(context.meeting["time_zone"])).year
    sequence = await store.next_decision_sequence(body["id"], year)
    return {
        "decision_body": body["id"],
        "decision_year": year,
        "decision_sequence": sequence,
        "decision_number": rules.decision_number(body["decision_prefix"], year, sequence),
    }


async def _take_effect(context: MeetingContext, principal: Principal, row: Row) -> None:
    """What an adopted motion changes beyond itself."""
    meeting_id = context.meeting["id"]
    motion = Motion.from_row(row)
    item = Item.from_row(await get_item(context, motion.item))
    if motion.kind == MotionKind.amendment and motion.amends is not None:
        # The main motion takes the amended text as a new version (the old one is kept).
        main = await get_motion(context, motion.amends)
        version = main["version"] + 1
        amended = {t["language"]: t["text"] for t in row["texts"]}
        for language, text in rules.amended_text([(t["language"], t["text"]) for t in main["texts"]], amended):
            await store.insert_text(main["id"], version, language, text, principal.person_id)
        await store.set_version(main["id"], version)
        await log.append(
            meeting_id, "motion_amended", principal.person_id, motion=main["id"], by=motion.id, version=version
        )
        return
    if item.special == Special.agenda and motion.kind == MotionKind.main:
        await store.set_agenda_adopted(meeting_id, now())
        await log.append(meeting_id, "agenda_adopted", principal.person_id, motion=motion.id)
    if (outcome := rules.procedure_outcome(motion.procedure)) is not None:
        for other in await store.other_open_motions(item.id, motion.id):
            await store.set_status(other, outcome, now())
            await log.append(meeting_id, f"motion_{outcome}", principal.person_id, motion=other, by=motion.id)
        if rules.postpones_item(item):
            await store.set_item_ended(item.id, "postponed", now())
            await log.append(meeting_id, "item_postponed", principal.person_id, number=item.number, by=motion.id)
    elif motion.procedure == Procedure.close_debate:
        for main_id in await store.mains_under_debate(item.id):
            await store.set_status(main_id, MotionStatus.voting, now())
            await log.append(meeting_id, "motion_voting", principal.person_id, motion=main_id, by=motion.id)
    elif motion.procedure == Procedure.amend_agenda:
        await store.set_agenda_unlocked_by(meeting_id, motion.id)
        await log.append(meeting_id, "agenda_unlocked", principal.person_id, motion=motion.id)


async def _dispose_amendments(
    context: MeetingContext, principal: Principal, motion_id: int, outcome: MotionStatus
) -> None:
    """Amendments fall with the motion they change."""
    status = rules.amendment_fate(outcome)
    for amendment in await store.open_amendments(motion_id):
        await store.set_status(amendment, status, now())
        await log.append(context.meeting["id"], f"motion_{status}", principal.person_id, motion=amendment, by=motion_id)
