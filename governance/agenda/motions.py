"""Motions: proposed, seconded, debated, put to the vote, settled only by a vote; amendments
voted before their main motion, no deeper than the statutes allow; what an adopted motion
changes beyond itself (decision numbers, the amended text, the agenda, the item)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from governance import db
from governance.agenda.conduct import (
    OPEN_STATUSES,
    Row,
    _require_session,
    _rules,
    _said,
    change,
    drives,
    member_of,
    now,
)
from governance.agenda.items import get_item
from governance.agenda.schemas import MotionIn
from governance.agenda.tables import AgendaItem, Motion, MotionText
from governance.auth import Principal
from governance.db import reading
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.i18n import gettext as _
from governance.i18n import ngettext
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.meetings.tables import Meeting
from governance.organisations.tables import Body, Member
from governance.polls.voiding import void_open_polls
from governance.record import log
from governance.vocabulary import ItemStatus, MotionStatus, label

# Which status may follow which, and who moves it there ("chair" means whoever drives).
MOTION_TRANSITIONS: dict[tuple[str, str], str] = {
    ("proposed", "seconded"): "seconder",
    ("proposed", "debate"): "chair",  # only when the statutes need no seconder
    ("seconded", "debate"): "chair",
    ("debate", "voting"): "chair",
    # Back to debate (to amend, or after an objection to unanimous consent): an open
    # poll on the motion is void, since what it froze is about to change.
    ("voting", "debate"): "chair",
    # Outcomes come only from votes (DOMAIN rule 18): nobody, the chair included, declares
    # them; the polls context records them through ``settle`` when a poll on the motion
    # closes (or a casting vote settles its tie).
    ("voting", "adopted"): "vote",
    ("voting", "rejected"): "vote",
    ("proposed", "withdrawn"): "mover",
    ("seconded", "withdrawn"): "mover",
    ("debate", "withdrawn"): "mover",
    ("debate", "postponed"): "chair",
    ("debate", "referred"): "chair",
    ("seconded", "postponed"): "chair",
    ("seconded", "referred"): "chair",
}


# --- motions ----------------------------------------------------------------------------------


async def get_motion(context: MeetingContext, motion_id: int) -> Row:
    async with reading():
        row = (
            await Motion.select(
                *Motion.all_columns(),
                Motion.mover_member.name.as_alias("mover_name"),
                Motion.seconder_member.name.as_alias("seconder_name"),
            )
            .where((Motion.id == motion_id) & (Motion.meeting == context.meeting["id"]))
            .first()
        )
        if row is None:
            raise NotFound(_("No such motion in this meeting."))
        row["texts"] = await MotionText.select(MotionText.language, MotionText.text).where(
            (MotionText.motion == motion_id) & (MotionText.version == row["version"])
        )
    return row


async def list_motions(context: MeetingContext, item_id: int | None = None) -> list[Row]:
    """The motions (as ``get_motion`` gives each), in two statements rather than two per motion."""
    async with reading():
        query = (
            Motion.select(
                *Motion.all_columns(),
                Motion.mover_member.name.as_alias("mover_name"),
                Motion.seconder_member.name.as_alias("seconder_name"),
            )
            .where(Motion.meeting == context.meeting["id"])
            .order_by(Motion.id)
        )
        if item_id is not None:
            query = query.where(Motion.item == item_id)
        rows = await query
        texts: dict[tuple[int, int], list[Row]] = {}
        if rows:
            for text in (
                await MotionText.select(MotionText.motion, MotionText.version, MotionText.language, MotionText.text)
                .where(MotionText.motion.is_in([row["id"] for row in rows]))
                .order_by(MotionText.id)
            ):
                texts.setdefault((text["motion"], text["version"]), []).append(
                    {"language": text["language"], "text": text["text"]}
                )
    for row in rows:
        row["texts"] = texts.get((row["id"], row["version"]), [])
    return rows


def text_in(motion: Row, language: str) -> str:
    texts = {t["language"]: t["text"] for t in motion["texts"]}
    return texts.get(language) or texts.get(motion["authoritative_language"], "")


async def insert_first_texts(motion_id: int, texts: dict[str, str], person_id: int) -> None:
    """Version 1 of a new motion's text in each language given (empty ones skipped)."""
    rows = [
        MotionText(motion=motion_id, version=1, language=language, text=text, created_by=person_id)
        for language, text in texts.items()
        if text
    ]
    if rows:
        await MotionText.insert(*rows)


async def propose(context: MeetingContext, principal: Principal, data: MotionIn) -> Row:
    rules = _rules(context)
    if context.meeting["status"] == "closed":
        raise Conflict(_("The meeting is closed."))
    texts = {lang: getattr(data, f"text_{lang}").strip() for lang in ("en", "fr", "es")}
    language = rules.authoritative_language.value
    if not texts[language]:
        message = _("Give the text in the authoritative language ({language}).").format(language=language)
        raise Invalid(message, fields={f"text_{language}": message})
    if (data.kind == "procedural") != (data.procedure is not None):
        message = _("A procedural motion says which procedure it proposes (and only it does).")
        raise Invalid(message, fields={"procedure": message})
    if (data.kind == "amendment") != (data.amends is not None):
        message = _("An amendment names the motion it changes (and only an amendment does).")
        raise Invalid(message, fields={"amends": message})
    secretary = MeetingRole.secretary in context.roles
    mover = member_of(context, principal)
    if data.mover is not None:
        if not secretary:
            raise Forbidden(_("Only the secretariat records a motion for another member."))
        found = (
            await Member.select(Member.id)
            .where((Member.slug == data.mover) & (Member.organisation == context.organisation["id"]))
            .first()
        )
        if found is None:
            raise Invalid(_("No such member."), fields={"mover": _("No such member.")})
        mover = found["id"]
    if mover is None and not secretary:
        raise Forbidden(_("Only a member's representative, or the secretariat, can propose a motion."))

    async def table() -> Row:
        item = await get_item(context, data.item)
        if item["status"] not in ("pending", "open"):
            raise Conflict(
                _("Item {number} is {status}: no motion can be made on it.").format(
                    number=item["number"], status=_said(ItemStatus, item["status"])
                )
            )
        depth = 0
        decision_type = item["decision_type"] or "ordinary"
        if data.kind == "amendment":
            target = await get_motion(context, data.amends)  # type: ignore[arg-type]
            if target["item"] != item["id"]:
                raise Invalid(_("An amendment belongs to the same item as the motion it changes."))
            if target["status"] not in ("proposed", "seconded", "debate"):
                raise Conflict(
                    _("That motion is {status}: it can no longer be amended.").format(
                        status=_said(MotionStatus, target["status"])
                    )
                )
            depth = target["depth"] + 1
            if depth > rules.amendment_max_depth:
                raise Conflict(
                    ngettext(
                        "The statutes allow amendments {depth} level deep ({article}): this would be {this}.",
                        "The statutes allow amendments {depth} levels deep ({article}): this would be {this}.",
                        rules.amendment_max_depth,
                    ).format(depth=rules.amendment_max_depth, article=rules.motions_article, this=depth)
                )
            decision_type = target["decision_type"]
        if data.kind == "procedural":
            decision_type = "agenda" if data.procedure == "amend_agenda" else "procedural"
        at = now()
        rows = await Motion.insert(
            Motion(
                meeting=context.meeting["id"],
                item=item["id"],
                kind=data.kind,
                procedure=data.procedure,
                amends=data.amends,
                depth=depth,
                decision_type=decision_type,
                authoritative_language=language,
                mover_member=mover,
                mover_person=principal.person_id,
                status="proposed",
                seats=data.seats if decision_type == "election" else 1,
                created_at=at,
                status_changed_at=at,
            )
        ).returning(Motion.id)
        motion_id = rows[0]["id"]
        await insert_first_texts(motion_id, texts, principal.person_id)
        await log.append(
            context.meeting["id"],
            "motion_proposed",
            principal.person_id,
            motion=motion_id,
            item=item["number"],
            kind=data.kind,
            procedure=data.procedure,
            amends=data.amends,
            mover=mover,
        )
        return motion_id

    motion_id = await change(context, table)
    return await get_motion(context, motion_id)


async def second(context: MeetingContext, principal: Principal, motion_id: int) -> Row:
    seconder = member_of(context, principal)
    if seconder is None:
        raise Forbidden(_("Only a member's representative can second a motion."))

    async def do() -> None:
        motion = await get_motion(context, motion_id)
        if motion["status"] != "proposed":
            raise Conflict(
                _("This motion is {status}: it cannot be seconded now.").format(
                    status=_said(MotionStatus, motion["status"])
                )
            )
        if motion["mover_member"] == seconder or motion["mover_person"] == principal.person_id:
            raise Conflict(_("Nobody can second their own motion."))
        await Motion.update(
            {
                Motion.status: "seconded",
                Motion.seconder_member: seconder,
                Motion.seconder_person: principal.person_id,
                Motion.status_changed_at: now(),
            }
        ).where((Motion.id == motion_id) & (Motion.status == "proposed"))
        await log.append(
            context.meeting["id"], "motion_seconded", principal.person_id, motion=motion_id, seconder=seconder
        )

    await change(context, do)
    return await get_motion(context, motion_id)


def outcome_refused() -> Conflict:
    return Conflict(_("A motion is adopted or rejected only by a vote: put the question or open a vote."))


async def move(context: MeetingContext, principal: Principal, motion_id: int, target: str, note: str = "") -> Row:
    """Move a motion along its workflow (the chair; the mover withdraws). Never to an outcome:
    a motion is adopted or rejected only by a vote (``settle``)."""
    if target in ("adopted", "rejected"):
        raise outcome_refused()
    return await _move(context, principal, motion_id, target, note)


async def settle(context: MeetingContext, principal: Principal, motion_id: int, outcome: str, note: str) -> Row:
    """The outcome of a vote on the motion (a closed poll, a casting vote, or an election the
    statutes declare without a vote when candidates do not outnumber seats): called by the polls
    context only, never from a request. Outcomes take effect here (decision numbers...)."""
    if outcome not in ("adopted", "rejected"):
        raise ValueError(outcome)
    return await _move(context, principal, motion_id, outcome, note, by_vote=True)


async def _move(
    context: MeetingContext, principal: Principal, motion_id: int, target: str, note: str = "", *, by_vote: bool = False
) -> Row:
    rules = _rules(context)

    async def do() -> None:
        motion = await get_motion(context, motion_id)
        current = motion["status"]
        who = MOTION_TRANSITIONS.get((current, target))
        if who == "vote" and not by_vote:
            raise outcome_refused()
        if who is None or who == "seconder":
            raise Conflict(
                _("A motion that is {current} cannot become {target}.").format(
                    current=label(MotionStatus(current)),
                    target=label(MotionStatus(target)) if target in MotionStatus.__members__ else target,
                )
            )
        if who == "mover":
            if motion["mover_person"] != principal.person_id and MeetingRole.secretary not in context.roles:
                raise Forbidden(_("Only the mover can withdraw a motion."))
        elif who == "vote":
            pass  # the polls context checked who closed the vote or cast the deciding one
        elif not drives(context):
            raise Forbidden(_("Only the chair moves motions along at this meeting."))
        if (current, target) == ("proposed", "debate") and rules.seconding_required:
            raise Conflict(_("This motion needs a seconder first ({article}).").format(article=rules.motions_article))
        if target in ("debate", "voting"):
            _require_session(context)
            item = await get_item(context, motion["item"])
            if item["status"] != "open":
                raise Conflict(_("Take up item {number} first.").format(number=item["number"]))
        if target == "voting":
            pending = await Motion.count().where(
                (Motion.amends == motion_id) & Motion.status.is_in(list(OPEN_STATUSES))
            )
            if pending:
                raise Conflict(
                    ngettext(
                        "{n} amendment to this motion is still pending: amendments are voted first.",
                        "{n} amendments to this motion are still pending: amendments are voted first.",
                        pending,
                    ).format(n=pending)
                )
        values: dict[Any, Any] = {
            Motion.status: target,
            Motion.status_changed_at: now(),
            Motion.outcome_note: note[:300],
        }
        if target == "adopted" and motion["kind"] != "amendment":
            values.update(await _decision_number(context))
        updated = (
            await Motion.update(values)
            .where((Motion.id == motion_id) & (Motion.status == current))
            .returning(Motion.id)
        )
        if not updated:
            raise Conflict(_("The motion changed meanwhile; reload the page."))
        await log.append(
            context.meeting["id"],
            f"motion_{target}",
            principal.person_id,
            motion=motion_id,
            note=note or None,
            decision=values.get(Motion.decision_number),
        )
        if (current, target) == ("voting", "debate"):
            await void_open_polls(context.meeting["id"], motion_id, principal.person_id, "motion taken back to debate")
        if target == "adopted":
            await _take_effect(context, principal, motion)
        if target in ("postponed", "referred", "withdrawn", "rejected"):
            await _dispose_amendments(context, principal, motion_id, target)

    await change(context, do)
    return await get_motion(context, motion_id)


async def _decision_number(context: MeetingContext) -> dict[Any, Any]:
    """The body's next decision number for the meeting's year: BoD-2012-07."""
    body = context.body
    if not db.is_sqlite():
        await Body.select(Body.id).where(Body.id == body["id"]).lock_rows()
    year = context.meeting["starts_at"].astimezone(ZoneInfo(context.meeting["time_zone"])).year
    last = (
        await Motion.select(Motion.decision_sequence)
        .where(
            (Motion.decision_body == body["id"])
            & (Motion.decision_year == year)
            & Motion.decision_sequence.is_not_null()
        )
        .order_by(Motion.decision_sequence, ascending=False)
        .first()
    )
    sequence = (last["decision_sequence"] if last else 0) + 1
    return {
        Motion.decision_body: body["id"],
        Motion.decision_year: year,
        Motion.decision_sequence: sequence,
        Motion.decision_number: f"{body['decision_prefix']}-{year}-{sequence:02d}",
    }


async def _take_effect(context: MeetingContext, principal: Principal, motion: Row) -> None:
    """What an adopted motion changes beyond itself."""
    meeting_id = context.meeting["id"]
    item = await get_item(context, motion["item"])
    if motion["kind"] == "amendment":
        # The main motion takes the amended text as a new version (the old one is kept).
        main = await get_motion(context, motion["amends"])
        version = main["version"] + 1
        amended = {t["language"]: t["text"] for t in motion["texts"]}
        for text in main["texts"]:
            new_text = amended.get(text["language"], text["text"])
            await MotionText.insert(
                MotionText(
                    motion=main["id"],
                    version=version,
                    language=text["language"],
                    text=new_text,
                    created_by=principal.person_id,
                )
            )
        for language, new_text in amended.items():
            if language not in {t["language"] for t in main["texts"]}:
                await MotionText.insert(
                    MotionText(
                        motion=main["id"],
                        version=version,
                        language=language,
                        text=new_text,
                        created_by=principal.person_id,
                    )
                )
        await Motion.update({Motion.version: version}).where(Motion.id == main["id"])
        await log.append(
            meeting_id, "motion_amended", principal.person_id, motion=main["id"], by=motion["id"], version=version
        )
        return
    if item["special"] == "agenda" and motion["kind"] == "main":
        await Meeting.update({Meeting.agenda_adopted_at: now()}).where(Meeting.id == meeting_id)
        await log.append(meeting_id, "agenda_adopted", principal.person_id, motion=motion["id"])
    procedure = motion["procedure"]
    if procedure in ("postpone", "refer", "table"):
        outcome = {"postpone": "postponed", "refer": "referred", "table": "postponed"}[procedure]
        others = await Motion.select(Motion.id).where(
            (Motion.item == item["id"]) & (Motion.id != motion["id"]) & Motion.status.is_in(list(OPEN_STATUSES))
        )
        for other in others:
            await Motion.update({Motion.status: outcome, Motion.status_changed_at: now()}).where(
                Motion.id == other["id"]
            )
            await log.append(meeting_id, f"motion_{outcome}", principal.person_id, motion=other["id"], by=motion["id"])
        if item["status"] in ("open", "pending"):
            await AgendaItem.update({AgendaItem.status: "postponed", AgendaItem.closed_at: now()}).where(
                AgendaItem.id == item["id"]
            )
            await log.append(meeting_id, "item_postponed", principal.person_id, number=item["number"], by=motion["id"])
    elif procedure == "close_debate":
        mains = await Motion.select(Motion.id).where(
            (Motion.item == item["id"]) & (Motion.kind != "procedural") & (Motion.status == "debate")
        )
        for main in mains:
            await Motion.update({Motion.status: "voting", Motion.status_changed_at: now()}).where(
                Motion.id == main["id"]
            )
            await log.append(meeting_id, "motion_voting", principal.person_id, motion=main["id"], by=motion["id"])
    elif procedure == "amend_agenda":
        await Meeting.update({Meeting.agenda_unlocked_by: motion["id"]}).where(Meeting.id == meeting_id)
        await log.append(meeting_id, "agenda_unlocked", principal.person_id, motion=motion["id"])


async def _dispose_amendments(context: MeetingContext, principal: Principal, motion_id: int, outcome: str) -> None:
    """Amendments fall with the motion they change."""
    pending = await Motion.select(Motion.id).where(
        (Motion.amends == motion_id) & Motion.status.is_in(list(OPEN_STATUSES))
    )
    for amendment in pending:
        status = "withdrawn" if outcome in ("withdrawn", "rejected") else outcome
        await Motion.update({Motion.status: status, Motion.status_changed_at: now()}).where(
            Motion.id == amendment["id"]
        )
        await log.append(
            context.meeting["id"], f"motion_{status}", principal.person_id, motion=amendment["id"], by=motion_id
        )
