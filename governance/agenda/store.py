"""The agenda context's store: the only module of the agenda's use cases that reads and
writes the agenda tables (items, motions and their texts, recusals), and the meeting's
agenda columns (adopted, unlocked).

Each function is one statement (or one read of a few), so the use cases keep the query
counts that ``tests/test_query_counts.py`` pins down: a motion with its texts is two reads,
a list of motions with theirs two as well, never two per motion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from governance import db
from governance.agenda.model import OPEN_STATUSES, MotionKind, MotionStatus
from governance.agenda.rules import item_order
from governance.agenda.tables import AgendaDocument, AgendaItem, Motion, MotionText, Recusal, SpeakerRequest
from governance.meetings.tables import Meeting
from governance.organisations.tables import Body, Member

Row = dict[str, Any]


def _codes(statuses: Iterable[str]) -> list[str]:
    return [str(status) for status in statuses]


OPEN = _codes(OPEN_STATUSES)


# --- the meeting ------------------------------------------------------------------------------


async def agenda_state(meeting_id: int) -> Row:
    """When the agenda was adopted, and the adopted motion that unlocks one change of it."""
    row = (
        await Meeting.select(Meeting.agenda_adopted_at, Meeting.agenda_unlocked_by)
        .where(Meeting.id == meeting_id)
        .first()
    )
    assert row is not None  # the meeting of a resolved context
    return row


async def agenda_adopted(meeting_id: int) -> bool:
    row = await Meeting.select(Meeting.agenda_adopted_at).where(Meeting.id == meeting_id).first()
    assert row is not None
    return row["agenda_adopted_at"] is not None


async def set_agenda_adopted(meeting_id: int, at: dt.datetime) -> None:
    await Meeting.update({Meeting.agenda_adopted_at: at}).where(Meeting.id == meeting_id)


async def set_agenda_unlocked_by(meeting_id: int, motion_id: int | None) -> None:
    await Meeting.update({Meeting.agenda_unlocked_by: motion_id}).where(Meeting.id == meeting_id)


async def member_id(organisation_id: int, slug: str) -> int | None:
    found = (
        await Member.select(Member.id).where((Member.slug == slug) & (Member.organisation == organisation_id)).first()
    )
    return None if found is None else int(found["id"])


# --- items ----------------------------------------------------------------------------------


async def items(meeting_id: int) -> list[Row]:
    rows = await AgendaItem.select().where(AgendaItem.meeting == meeting_id)
    return sorted(rows, key=lambda row: item_order(row["number"]))


async def item(meeting_id: int, item_id: int) -> Row | None:
    return await AgendaItem.select().where((AgendaItem.id == item_id) & (AgendaItem.meeting == meeting_id)).first()


async def current_item(meeting_id: int) -> Row | None:
    return await AgendaItem.select().where((AgendaItem.meeting == meeting_id) & (AgendaItem.status == "open")).first()


async def number_taken(meeting_id: int, number: str) -> bool:
    return bool(await AgendaItem.exists().where((AgendaItem.meeting == meeting_id) & (AgendaItem.number == number)))


async def siblings(meeting_id: int, parent_id: int | None) -> int:
    return int(
        await AgendaItem.count().where(
            (AgendaItem.meeting == meeting_id)
            & (AgendaItem.parent.is_null() if parent_id is None else AgendaItem.parent == parent_id)
        )
    )


async def insert_item(meeting_id: int, parent_id: int | None, position: int, values: Mapping[str, Any]) -> Row:
    rows = await AgendaItem.insert(
        AgendaItem(meeting=meeting_id, parent=parent_id, position=position, **values)
    ).returning(*AgendaItem.all_columns())
    return rows[0]


async def set_item_open(item_id: int, at: dt.datetime) -> None:
    await AgendaItem.update({AgendaItem.status: "open", AgendaItem.opened_at: at}).where(AgendaItem.id == item_id)


async def set_item_ended(item_id: int, status: str, at: dt.datetime) -> None:
    """Closed or postponed, at ``at``."""
    await AgendaItem.update({AgendaItem.status: str(status), AgendaItem.closed_at: at}).where(AgendaItem.id == item_id)


async def end_floor_on_item(item_id: int, at: dt.datetime) -> list[int]:
    """End the speaker's floor on the item (waiting requests stay); the requests ended."""
    ended = (
        await SpeakerRequest.update({SpeakerRequest.ended_at: at})
        .where(
            (SpeakerRequest.item == item_id) & SpeakerRequest.given_at.is_not_null() & SpeakerRequest.ended_at.is_null()
        )
        .returning(SpeakerRequest.id)
    )
    return [int(row["id"]) for row in ended]


# --- motions --------------------------------------------------------------------------------


def _motion_select() -> Any:
    return Motion.select(
        *Motion.all_columns(),
        Motion.mover_member.name.as_alias("mover_name"),
        Motion.seconder_member.name.as_alias("seconder_name"),
    )


async def motion(meeting_id: int, motion_id: int) -> Row | None:
    """The motion with its movers' names and its current text (``texts``: language, text)."""
    row: Row | None = await _motion_select().where((Motion.id == motion_id) & (Motion.meeting == meeting_id)).first()
    if row is None:
        return None
    row["texts"] = await MotionText.select(MotionText.language, MotionText.text).where(
        (MotionText.motion == motion_id) & (MotionText.version == row["version"])
    )
    return row


async def motions(meeting_id: int, item_id: int | None = None) -> list[Row]:
    """The motions (as ``motion`` gives each), in two statements rather than two per motion."""
    query = _motion_select().where(Motion.meeting == meeting_id).order_by(Motion.id)
    if item_id is not None:
        query = query.where(Motion.item == item_id)
    rows: list[Row] = await query
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


async def insert_motion(values: Mapping[str, Any]) -> int:
    rows = await Motion.insert(Motion(**values)).returning(Motion.id)
    return int(rows[0]["id"])


async def insert_texts(motion_id: int, version: int, texts: Iterable[tuple[str, str]], person_id: int) -> None:
    """One version of a motion's text, in one statement (empty texts skipped)."""
    rows = [
        MotionText(motion=motion_id, version=version, language=language, text=text, created_by=person_id)
        for language, text in texts
        if text
    ]
    if rows:
        await MotionText.insert(*rows)


async def insert_text(motion_id: int, version: int, language: str, text: str, person_id: int) -> None:
    await MotionText.insert(
        MotionText(motion=motion_id, version=version, language=language, text=text, created_by=person_id)
    )


async def set_version(motion_id: int, version: int) -> None:
    await Motion.update({Motion.version: version}).where(Motion.id == motion_id)


async def set_seconded(motion_id: int, seconder: int, person_id: int, at: dt.datetime) -> None:
    await Motion.update(
        {
            Motion.status: "seconded",
            Motion.seconder_member: seconder,
            Motion.seconder_person: person_id,
            Motion.status_changed_at: at,
        }
    ).where((Motion.id == motion_id) & (Motion.status == "proposed"))


async def move_motion(
    motion_id: int, current: str, target: str, at: dt.datetime, note: str, decision: Mapping[str, Any]
) -> bool:
    """Move the motion on if it is still ``current`` (False when it changed meanwhile)."""
    values: dict[Any, Any] = {Motion.status: str(target), Motion.status_changed_at: at, Motion.outcome_note: note}
    values.update({getattr(Motion, column): value for column, value in decision.items()})
    updated = (
        await Motion.update(values)
        .where((Motion.id == motion_id) & (Motion.status == str(current)))
        .returning(Motion.id)
    )
    return bool(updated)


async def set_status(motion_id: int, status: str, at: dt.datetime) -> None:
    await Motion.update({Motion.status: str(status), Motion.status_changed_at: at}).where(Motion.id == motion_id)


async def on_floor(item_id: int) -> int:
    return int(
        await Motion.count().where(
            (Motion.item == item_id) & Motion.status.is_in([MotionStatus.debate.value, MotionStatus.voting.value])
        )
    )


async def pending_amendments(motion_id: int) -> int:
    return int(await Motion.count().where((Motion.amends == motion_id) & Motion.status.is_in(OPEN)))


async def open_amendments(motion_id: int) -> list[int]:
    rows = await Motion.select(Motion.id).where((Motion.amends == motion_id) & Motion.status.is_in(OPEN))
    return [int(row["id"]) for row in rows]


async def other_open_motions(item_id: int, motion_id: int) -> list[int]:
    rows = await Motion.select(Motion.id).where(
        (Motion.item == item_id) & (Motion.id != motion_id) & Motion.status.is_in(OPEN)
    )
    return [int(row["id"]) for row in rows]


async def mains_under_debate(item_id: int) -> list[int]:
    rows = await Motion.select(Motion.id).where(
        (Motion.item == item_id) & (Motion.kind != MotionKind.procedural.value) & (Motion.status == "debate")
    )
    return [int(row["id"]) for row in rows]


async def next_decision_sequence(body_id: int, year: int) -> int:
    """The body's next decision sequence for the year (the body locked first on PostgreSQL,
    so two adoptions never take the same number)."""
    await db.take_lock(Body.select(Body.id).where(Body.id == body_id))
    last = (
        await Motion.select(Motion.decision_sequence)
        .where(
            (Motion.decision_body == body_id) & (Motion.decision_year == year) & Motion.decision_sequence.is_not_null()
        )
        .order_by(Motion.decision_sequence, ascending=False)
        .first()
    )
    return (int(last["decision_sequence"]) if last else 0) + 1


# --- recusals -------------------------------------------------------------------------------


async def recused(item_id: int, member_id: int) -> bool:
    return bool(await Recusal.exists().where((Recusal.item == item_id) & (Recusal.member == member_id)))


async def insert_recusal(meeting_id: int, item_id: int, member_id: int, reason: str, person_id: int) -> None:
    await Recusal.insert(
        Recusal(meeting=meeting_id, item=item_id, member=member_id, reason=reason, declared_by=person_id)
    )


async def recusals(meeting_id: int, item_id: int | None = None) -> list[Row]:
    query = (
        Recusal.select(
            Recusal.item,
            Recusal.member,
            Recusal.member.slug.as_alias("member_slug"),
            Recusal.member.name.as_alias("member_name"),
            Recusal.reason,
            Recusal.declared_at,
        )
        .where(Recusal.meeting == meeting_id)
        .order_by(Recusal.id)
    )
    if item_id is not None:
        query = query.where(Recusal.item == item_id)
    rows: list[Row] = await query
    return rows


# --- the speakers list ----------------------------------------------------------------------


def _requests() -> Any:
    return SpeakerRequest.select(
        *SpeakerRequest.all_columns(),
        SpeakerRequest.person.full_name.as_alias("person_name"),
        SpeakerRequest.member.name.as_alias("member_name"),
        SpeakerRequest.member.slug.as_alias("member_slug"),
        SpeakerRequest.item.number.as_alias("item_number"),
    )


def _on_the_floor() -> Any:
    return SpeakerRequest.given_at.is_not_null() & SpeakerRequest.ended_at.is_null()


def _waiting() -> Any:
    return SpeakerRequest.given_at.is_null() & SpeakerRequest.withdrawn_at.is_null()


async def meeting_status(meeting_id: int) -> str:
    row = await Meeting.select(Meeting.status).where(Meeting.id == meeting_id).first()
    assert row is not None  # the meeting of a resolved context
    return str(row["status"])


async def item_under_discussion(meeting_id: int) -> Row | None:
    """The item under discussion, its id and number (at most one: a unique index says so)."""
    return (
        await AgendaItem.select(AgendaItem.id, AgendaItem.number)
        .where((AgendaItem.meeting == meeting_id) & (AgendaItem.status == "open"))
        .first()
    )


async def current_speaker(meeting_id: int) -> Row | None:
    row: Row | None = await _requests().where((SpeakerRequest.meeting == meeting_id) & _on_the_floor()).first()
    return row


async def speaker_request(meeting_id: int, request_id: int) -> Row | None:
    row: Row | None = (
        await _requests().where((SpeakerRequest.id == request_id) & (SpeakerRequest.meeting == meeting_id)).first()
    )
    return row


async def waiting_on_item(item_id: int) -> list[Row]:
    """The requests waiting on the item (what their order needs)."""
    rows: list[Row] = await SpeakerRequest.select(
        SpeakerRequest.id,
        SpeakerRequest.requested_at,
        SpeakerRequest.given_at,
        SpeakerRequest.ended_at,
        SpeakerRequest.withdrawn_at,
    ).where((SpeakerRequest.item == item_id) & _waiting())
    return rows


async def speaker_requests(meeting_id: int, item_id: int | None) -> list[Row]:
    """The requests on the item (if any), and whoever has the floor in the meeting."""
    query = _requests().where(SpeakerRequest.meeting == meeting_id)
    if item_id is not None:
        query = query.where((SpeakerRequest.item == item_id) | _on_the_floor())
    else:
        query = query.where(_on_the_floor())
    rows: list[Row] = await query
    return rows


async def has_the_floor(meeting_id: int, person_id: int) -> bool:
    return bool(
        await SpeakerRequest.exists().where(
            (SpeakerRequest.meeting == meeting_id) & (SpeakerRequest.person == person_id) & _on_the_floor()
        )
    )


async def waits_on_item(item_id: int, person_id: int) -> bool:
    return bool(
        await SpeakerRequest.exists().where(
            (SpeakerRequest.item == item_id) & (SpeakerRequest.person == person_id) & _waiting()
        )
    )


async def insert_speaker_request(
    meeting_id: int, item_id: int, member_id: int | None, person_id: int, at: dt.datetime
) -> int:
    rows = await SpeakerRequest.insert(
        SpeakerRequest(meeting=meeting_id, item=item_id, member=member_id, person=person_id, requested_at=at)
    ).returning(SpeakerRequest.id)
    return int(rows[0]["id"])


async def withdraw_request(request_id: int, at: dt.datetime) -> None:
    await SpeakerRequest.update({SpeakerRequest.withdrawn_at: at}).where((SpeakerRequest.id == request_id) & _waiting())


async def give_floor(request_id: int, at: dt.datetime) -> None:
    await SpeakerRequest.update({SpeakerRequest.given_at: at}).where((SpeakerRequest.id == request_id) & _waiting())


async def end_floor(request_id: int, at: dt.datetime) -> None:
    await SpeakerRequest.update({SpeakerRequest.ended_at: at}).where(
        (SpeakerRequest.id == request_id) & SpeakerRequest.ended_at.is_null()
    )


# --- documents --------------------------------------------------------------------------------


def _documents() -> Any:
    return AgendaDocument.select(
        *AgendaDocument.all_columns(),
        AgendaDocument.item.number.as_alias("item_number"),
        AgendaDocument.uploaded_by.full_name.as_alias("uploaded_by_name"),
    )


async def last_document_version(item_id: int, name: str) -> int:
    last = (
        await AgendaDocument.select(AgendaDocument.version)
        .where((AgendaDocument.item == item_id) & (AgendaDocument.name == name))
        .order_by(AgendaDocument.version, ascending=False)
        .first()
    )
    return int(last["version"]) if last else 0


async def insert_document(item_id: int, values: Mapping[str, Any]) -> Row:
    rows = await AgendaDocument.insert(AgendaDocument(item=item_id, **values)).returning(*AgendaDocument.all_columns())
    return rows[0]


async def documents(meeting_id: int, item_id: int | None = None) -> list[Row]:
    query = _documents().where(AgendaDocument.item.meeting == meeting_id)
    if item_id is not None:
        query = query.where(AgendaDocument.item == item_id)
    rows: list[Row] = await query
    return rows


async def document(meeting_id: int, document_id: int) -> Row | None:
    row: Row | None = (
        await _documents()
        .where((AgendaDocument.id == document_id) & (AgendaDocument.item.meeting == meeting_id))
        .first()
    )
    return row
