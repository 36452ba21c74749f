"""The agenda and its motions: who may do what, in which order, and what follows.

Rules (DOMAIN 12 and the rule set's clauses): the secretariat prepares the agenda; the
chair (or the secretary, where the statutes allow) drives it in session; once adopted,
the agenda changes only after an adopted "amend the agenda" motion. Motions follow
``proposed -> seconded -> debate -> voting -> adopted | rejected`` (or are withdrawn,
postponed, referred); amendments are voted before their main motion, no deeper than the
statutes allow; nobody seconds their own motion. Adopted main and procedural motions
get the body's next decision number for the year (e.g. BoD-2012-07).
Every change is written to the meeting log in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from governance import clock, db
from governance.agenda.schemas import ItemIn, MotionIn
from governance.agenda.tables import AgendaItem, Motion, MotionText, Recusal, SpeakerRequest
from governance.auth import Principal
from governance.db import reading, writing
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.i18n import gettext as _
from governance.i18n import ngettext
from governance.meetings import live
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.meetings.tables import Meeting
from governance.organisations.statutes import Statutes
from governance.organisations.tables import Body, Member
from governance.polls.voiding import void_open_polls, void_open_polls_on_item
from governance.record import log
from governance.vocabulary import DecisionType, ItemStatus, MotionStatus, label

Row = dict[str, Any]
OPEN_STATUSES = ("proposed", "seconded", "debate", "voting")
FINAL_STATUSES = ("adopted", "rejected", "withdrawn", "postponed", "referred")

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


def _said(vocabulary: type[MotionStatus] | type[ItemStatus], code: str) -> str:
    """A status code as words in the reader's language, for a sentence."""
    return label(vocabulary(code))


def now() -> dt.datetime:
    return clock.now()


def _rules(context: MeetingContext) -> Statutes:
    if context.statutes is None:
        raise Conflict(_("The meeting is not convened yet: its rules are not fixed."))
    return context.statutes


def drives(context: MeetingContext) -> bool:
    """The chair drives the agenda; the secretary too where the statutes allow it."""
    statutes = context.statutes
    return MeetingRole.chair in context.roles or (
        MeetingRole.secretary in context.roles and statutes is not None and statutes.secretary_may_drive_agenda
    )


def _require_driver(context: MeetingContext) -> None:
    if not drives(context):
        raise Forbidden(_("Only the chair drives the agenda at this meeting."))


def _require_session(context: MeetingContext) -> None:
    if context.meeting["status"] not in ("open", "suspended"):
        raise Conflict(_("The meeting is not in session."))


async def _lock(context: MeetingContext) -> None:
    if not db.is_sqlite():
        await Meeting.select(Meeting.id).where(Meeting.id == context.meeting["id"]).lock_rows()


async def change(context: MeetingContext, action: Callable[[], Awaitable[Any]]) -> Any:
    """One atomic change (with its log entries), then live pages refresh."""
    async with writing():
        await _lock(context)
        result = await action()
    live.meeting_changed(context.meeting["id"])
    return result


def member_of(context: MeetingContext, principal: Principal) -> int | None:
    """The member the principal represents in this body (voting mandates first)."""
    order = {"principal": 0, "delegate": 1, "substitute": 2}
    mine = [m for m in context.mandates_for(principal.person_id) if m["office"] != "observer"]
    return min(mine, key=lambda m: order[m["role"]])["member"] if mine else None


# --- agenda items -------------------------------------------------------------------------


def item_order(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


async def list_items(context: MeetingContext) -> list[Row]:
    async with reading():
        rows = await AgendaItem.select().where(AgendaItem.meeting == context.meeting["id"])
    return sorted(rows, key=lambda row: item_order(row["number"]))


async def get_item(context: MeetingContext, item_id: int) -> Row:
    async with reading():
        row = (
            await AgendaItem.select()
            .where((AgendaItem.id == item_id) & (AgendaItem.meeting == context.meeting["id"]))
            .first()
        )
    if row is None:
        raise NotFound(_("No such agenda item in this meeting."))
    return row


def _item_problems(data: ItemIn) -> dict[str, str]:
    problems: dict[str, str] = {}
    if data.kind in ("decision", "election") and data.decision_type is None:
        problems["decision_type"] = _("Say which kind of decision this is: it selects the majority.")
    if data.kind not in ("decision", "election") and data.decision_type is not None:
        problems["decision_type"] = _("Only decisions and elections have a decision type.")
    if data.special and data.kind != "decision":
        problems["special"] = _("Adopting the agenda and approving minutes are decisions.")
    if data.special == "agenda" and data.decision_type not in (None, "agenda"):
        problems["decision_type"] = _("The adoption of the agenda is an agenda decision.")
    if data.special == "minutes" and data.decision_type not in (None, "minutes"):
        problems["decision_type"] = _("The approval of minutes is a minutes decision.")
    return problems


async def _check_agenda_changeable(context: MeetingContext) -> bool:
    """May the agenda change now? Returns True when an adopted motion's unlock is used."""
    meeting = (
        await Meeting.select(Meeting.agenda_adopted_at, Meeting.agenda_unlocked_by)
        .where(Meeting.id == context.meeting["id"])
        .first()
    )
    if meeting["agenda_adopted_at"] is None:
        if MeetingRole.secretary not in context.roles and not drives(context):
            raise Forbidden(_("The secretariat prepares the agenda."))
        return False
    if meeting["agenda_unlocked_by"] is None:
        rules = _rules(context)
        raise Conflict(
            _(
                "The agenda is adopted: changing it needs a decision ({article}). "
                "Propose a procedural motion to amend the agenda first."
            ).format(article=rules.agenda_article)
        )
    if not drives(context):
        raise Forbidden(_("Only the chair drives the agenda at this meeting."))
    return True


async def add_item(context: MeetingContext, principal: Principal, data: ItemIn, parent_id: int | None = None) -> Row:
    if data.special and data.decision_type is None:
        # The standard items carry their own decision type (and so their majority).
        data = data.model_copy(update={"decision_type": DecisionType(data.special)})
    if problems := _item_problems(data):
        raise Invalid(_("Please correct the fields marked below."), fields=problems)
    _rules(context)
    values = data.model_dump(mode="python")
    if context.meeting["status"] == "closed":
        raise Conflict(_("The meeting is closed."))

    async def add() -> Row:
        unlocked = await _check_agenda_changeable(context)
        if parent_id is not None:
            await get_item(context, parent_id)
        if await AgendaItem.exists().where(
            (AgendaItem.meeting == context.meeting["id"]) & (AgendaItem.number == data.number)
        ):
            message = _("There is already an item {number}.").format(number=data.number)
            raise Conflict(message, fields={"number": message})
        siblings = await AgendaItem.count().where(
            (AgendaItem.meeting == context.meeting["id"])
            & (AgendaItem.parent.is_null() if parent_id is None else AgendaItem.parent == parent_id)
        )
        rows = await AgendaItem.insert(
            AgendaItem(meeting=context.meeting["id"], parent=parent_id, position=siblings + 1, **values)
        ).returning(*AgendaItem.all_columns())
        if unlocked:
            await Meeting.update({Meeting.agenda_unlocked_by: None}).where(Meeting.id == context.meeting["id"])
        await log.append(
            context.meeting["id"],
            "item_added",
            principal.person_id,
            number=data.number,
            title=data.title_en,
            kind=data.kind,
            after_adoption=unlocked,
        )
        return rows[0]

    return await change(context, add)


async def open_item(context: MeetingContext, principal: Principal, item_id: int) -> Row:
    """Take up an item: it becomes the meeting's current item."""
    _require_driver(context)
    _require_session(context)

    async def take_up() -> Row:
        item = await get_item(context, item_id)
        if item["status"] != "pending":
            raise Conflict(
                _("Item {number} is {status}: it cannot be taken up.").format(
                    number=item["number"], status=_said(ItemStatus, item["status"])
                )
            )
        meeting = await Meeting.select(Meeting.agenda_adopted_at).where(Meeting.id == context.meeting["id"]).first()
        if meeting["agenda_adopted_at"] is None and item["special"] != "agenda":
            raise Conflict(_("Adopt the agenda first: take up the item on the adoption of the agenda."))
        current = (
            await AgendaItem.select()
            .where((AgendaItem.meeting == context.meeting["id"]) & (AgendaItem.status == "open"))
            .first()
        )
        if current is not None:
            await _close(context, principal, current)
        await AgendaItem.update({AgendaItem.status: "open", AgendaItem.opened_at: now()}).where(
            AgendaItem.id == item_id
        )
        await log.append(context.meeting["id"], "item_opened", principal.person_id, number=item["number"])
        return await get_item(context, item_id)

    return await change(context, take_up)


async def _close(context: MeetingContext, principal: Principal, item: Row, status: str = "closed") -> None:
    on_floor = await Motion.count().where((Motion.item == item["id"]) & Motion.status.is_in(["debate", "voting"]))
    if on_floor and status == "closed":
        raise Conflict(
            _("Item {number} still has motions on the floor: dispose of them first.").format(number=item["number"])
        )
    at = now()
    await AgendaItem.update({AgendaItem.status: status, AgendaItem.closed_at: at}).where(AgendaItem.id == item["id"])
    await log.append(context.meeting["id"], f"item_{status}", principal.person_id, number=item["number"])
    # The debate on the item is over: its speaker's floor ends (waiting requests stay
    # on that item's list, which the screens no longer show).
    ended = (
        await SpeakerRequest.update({SpeakerRequest.ended_at: at})
        .where(
            (SpeakerRequest.item == item["id"])
            & SpeakerRequest.given_at.is_not_null()
            & SpeakerRequest.ended_at.is_null()
        )
        .returning(SpeakerRequest.id)
    )
    for row in ended:
        await log.append(
            context.meeting["id"], "floor_ended", principal.person_id, request=row["id"], reason="item closed"
        )


async def close_item(context: MeetingContext, principal: Principal, item_id: int) -> Row:
    _require_driver(context)

    async def close() -> Row:
        item = await get_item(context, item_id)
        if item["status"] != "open":
            raise Conflict(_("Item {number} is not under discussion.").format(number=item["number"]))
        await _close(context, principal, item)
        return await get_item(context, item_id)

    return await change(context, close)


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
            raise Conflict(
                _("This motion needs a seconder first ({article}).").format(article=rules.motions_article)
            )
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


# --- recusals --------------------------------------------------------------------------------


async def declare_recusal(
    context: MeetingContext, principal: Principal, item_id: int, reason: str, member_slug: str | None = None
) -> Row:
    """A member declares a conflict of interest on an item (its representative, or the secretariat)."""
    secretary = MeetingRole.secretary in context.roles
    member_id = member_of(context, principal)
    if member_slug is not None:
        found = (
            await Member.select(Member.id)
            .where((Member.slug == member_slug) & (Member.organisation == context.organisation["id"]))
            .first()
        )
        if found is None:
            raise Invalid(_("No such member."), fields={"member": _("No such member.")})
        if found["id"] != member_id and not secretary:
            raise Forbidden(_("Only the member's own representative, or the secretariat, declares its recusal."))
        member_id = found["id"]
    if member_id is None:
        if secretary:
            message = _("Say which member declares the recusal.")
            raise Invalid(message, fields={"member": message})
        raise Forbidden(_("Only a member's representative, or the secretariat, declares a recusal."))

    async def declare() -> None:
        item = await get_item(context, item_id)
        if item["status"] in ("closed", "withdrawn"):
            raise Conflict(
                _("Item {number} is {status}.").format(number=item["number"], status=_said(ItemStatus, item["status"]))
            )
        if await Recusal.exists().where((Recusal.item == item_id) & (Recusal.member == member_id)):
            raise Conflict(_("This recusal is already declared."))
        await Recusal.insert(
            Recusal(
                meeting=context.meeting["id"],
                item=item_id,
                member=member_id,
                reason=reason.strip()[:300],
                declared_by=principal.person_id,
            )
        )
        # The electorate of an open poll on this item was frozen without the recusal.
        await void_open_polls_on_item(context.meeting["id"], item_id, principal.person_id, "recusal declared")
        await log.append(
            context.meeting["id"],
            "recusal_declared",
            principal.person_id,
            item=item["number"],
            member=member_id,
            reason=reason,
        )

    await change(context, declare)
    return (await list_recusals(context, item_id))[-1]


async def list_recusals(context: MeetingContext, item_id: int | None = None) -> list[Row]:
    async with reading():
        query = (
            Recusal.select(
                Recusal.item,
                Recusal.member,
                Recusal.member.slug.as_alias("member_slug"),
                Recusal.member.name.as_alias("member_name"),
                Recusal.reason,
                Recusal.declared_at,
            )
            .where(Recusal.meeting == context.meeting["id"])
            .order_by(Recusal.id)
        )
        if item_id is not None:
            query = query.where(Recusal.item == item_id)
        return await query
