"""The agenda, motions and recusals: JSON API and pages, over governance.agenda.services."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from governance.accounts.guards import principal_of
from governance.agenda import services
from governance.agenda.diff import word_diff
from governance.agenda.guards import driver, representative, representative_or_secretary
from governance.agenda.schemas import (
    EventOut,
    ItemIn,
    ItemOut,
    MotionIn,
    MotionOut,
    MotionTextOut,
    MotionTransitionIn,
    RecusalIn,
    RecusalOut,
)
from governance.errors import NotFound
from governance.forms import parse_form
from governance.i18n import gettext as _
from governance.meetings.attendance_controllers import page_action, render_meeting_page
from governance.meetings.guards import chair_or_secretary, meeting_of, participant
from governance.meetings.services import meeting_context
from governance.record import log

Req = Request[Any, Any, Any]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


async def form_action(request: Req, data: dict[str, str], action: Any) -> Template | Redirect:
    """``page_action`` for a form post: back to the page, or the page again with the reason."""
    response = await page_action(request, data, action)
    assert response is not None  # only a refuse_only check answers None
    return response


def item_out(row: dict[str, Any]) -> ItemOut:
    return ItemOut(**{k: row[k] for k in ItemOut.model_fields})


def motion_out(row: dict[str, Any]) -> MotionOut:
    return MotionOut(
        id=row["id"],
        item=row["item"],
        kind=row["kind"],
        procedure=row["procedure"],
        amends=row["amends"],
        depth=row["depth"],
        decision_type=row["decision_type"],
        seats=row.get("seats", 1),
        status=row["status"],
        version=row["version"],
        mover=row.get("mover_name"),
        seconder=row.get("seconder_name"),
        decision_number=row["decision_number"],
        authoritative_language=row["authoritative_language"],
        texts=[
            MotionTextOut(
                language=t["language"], text=t["text"], authoritative=t["language"] == row["authoritative_language"]
            )
            for t in row["texts"]
        ],
        outcome_note=row["outcome_note"],
    )


async def _context(request: Req) -> Any:
    # After a change the meeting row may differ (agenda adopted...): read it again.
    return await meeting_context(meeting_of(request).meeting["slug"], principal_of(request))


class AgendaApi(Controller):
    path = "/api/v1/meetings/{slug:str}"
    tags = ["agenda"]
    guards = [participant]

    @get("/agenda", summary="The agenda, in order")
    async def agenda(self, request: Req) -> list[ItemOut]:
        return [item_out(row) for row in await services.list_items(meeting_of(request))]

    @post(
        "/agenda/items",
        guards=[chair_or_secretary],
        summary="Add an item (the secretariat; after adoption only with an adopted motion)",
    )
    async def add_item(self, request: Req, data: ItemIn, parent: int | None = None) -> ItemOut:
        return item_out(await services.add_item(meeting_of(request), principal_of(request), data, parent))

    @post("/agenda/items/{item_id:int}/open", status_code=200, guards=[driver], summary="Take up an item (the chair)")
    async def open_item(self, request: Req, item_id: int) -> ItemOut:
        return item_out(await services.open_item(meeting_of(request), principal_of(request), item_id))

    @post(
        "/agenda/items/{item_id:int}/close",
        status_code=200,
        guards=[driver],
        summary="Close the current item (the chair)",
    )
    async def close_item(self, request: Req, item_id: int) -> ItemOut:
        return item_out(await services.close_item(meeting_of(request), principal_of(request), item_id))

    @post(
        "/agenda/items/{item_id:int}/recusals",
        guards=[representative_or_secretary],
        summary="Declare a conflict of interest on an item",
    )
    async def recuse(self, request: Req, item_id: int, data: RecusalIn) -> RecusalOut:
        row = await services.declare_recusal(
            meeting_of(request), principal_of(request), item_id, data.reason, data.member
        )
        return _recusal_out(row)

    @get("/recusals")
    async def recusals(self, request: Req) -> list[RecusalOut]:
        return [_recusal_out(row) for row in await services.list_recusals(meeting_of(request))]

    @get("/motions")
    async def motions(self, request: Req, item: int | None = None) -> list[MotionOut]:
        return [motion_out(row) for row in await services.list_motions(meeting_of(request), item)]

    @post(
        "/motions",
        guards=[representative_or_secretary],
        summary="Propose a motion, an amendment or a procedural motion",
    )
    async def propose(self, request: Req, data: MotionIn) -> MotionOut:
        return motion_out(await services.propose(meeting_of(request), principal_of(request), data))

    @get("/motions/{motion_id:int}")
    async def motion(self, request: Req, motion_id: int) -> MotionOut:
        return motion_out(await services.get_motion(meeting_of(request), motion_id))

    @get("/motions/{motion_id:int}/diff", summary="Word-level changes an amendment makes to its motion")
    async def diff(self, request: Req, motion_id: int, language: str | None = None) -> list[tuple[str, str]]:
        context = meeting_of(request)
        amendment = await services.get_motion(context, motion_id)
        if amendment["amends"] is None:
            raise NotFound(_("Only an amendment has changes to show."))
        main = await services.get_motion(context, amendment["amends"])
        lang = language or amendment["authoritative_language"]
        return word_diff(services.text_in(main, lang), services.text_in(amendment, lang))

    @post("/motions/{motion_id:int}/second", status_code=200, guards=[representative], summary="Second a motion")
    async def second(self, request: Req, motion_id: int) -> MotionOut:
        return motion_out(await services.second(meeting_of(request), principal_of(request), motion_id))

    @post(
        "/motions/{motion_id:int}/status",
        status_code=200,
        guards=[representative_or_secretary],
        summary="Move a motion along its workflow (the chair; the mover withdraws)",
        description="Never to adopted or rejected (409): a motion is adopted or rejected only by a vote on it "
        "(a poll, including unanimous consent: see agenda/items/{item_id}/question, or a casting vote).",
    )
    async def move(self, request: Req, motion_id: int, data: MotionTransitionIn) -> MotionOut:
        return motion_out(
            await services.move(meeting_of(request), principal_of(request), motion_id, data.status, data.note)
        )

    @get("/log", summary="The meeting log: who did what, when")
    async def meeting_log(self, request: Req) -> list[EventOut]:
        rows = await log.events(meeting_of(request).meeting["id"])
        return [EventOut(at=r["at"], kind=r["kind"], actor=r["actor_name"], payload=r["payload"]) for r in rows]


def _recusal_out(row: dict[str, Any]) -> RecusalOut:
    return RecusalOut(
        item=row["item"],
        member=row["member_slug"],
        member_name=row["member_name"],
        reason=row["reason"],
        declared_at=row["declared_at"],
    )


# --- pages -------------------------------------------------------------------------------


class AgendaPages(Controller):
    path = "/meetings/{slug:str}"
    include_in_schema = False

    @get("/agenda", guards=[chair_or_secretary])
    async def agenda_page(self, request: Req) -> Template:
        from governance.agenda.documents import documents_by_item

        return await render_meeting_page(
            request,
            "meetings/agenda.html",
            errors={},
            values={},
            documents_by_item=await documents_by_item(meeting_of(request)),
        )

    @post("/agenda/items", guards=[chair_or_secretary])
    async def add_item(self, request: Req, data: Form) -> Template | Redirect:
        async def act() -> None:
            await services.add_item(meeting_of(request), principal_of(request), parse_form(ItemIn, data))

        return await form_action(request, data, act)

    @post("/agenda/items/{item_id:int}/open", guards=[driver])
    async def open_item(self, request: Req, item_id: int, data: Form) -> Template | Redirect:
        return await form_action(
            request, data, lambda: services.open_item(meeting_of(request), principal_of(request), item_id)
        )

    @post("/agenda/items/{item_id:int}/close", guards=[driver])
    async def close_item(self, request: Req, item_id: int, data: Form) -> Template | Redirect:
        return await form_action(
            request, data, lambda: services.close_item(meeting_of(request), principal_of(request), item_id)
        )

    @post("/agenda/items/{item_id:int}/recuse", guards=[representative_or_secretary])
    async def recuse(self, request: Req, item_id: int, data: Form) -> Template | Redirect:
        return await form_action(
            request,
            data,
            lambda: services.declare_recusal(
                meeting_of(request), principal_of(request), item_id, data.get("reason", "")
            ),
        )

    @post("/motions", guards=[representative_or_secretary])
    async def propose(self, request: Req, data: Form) -> Template | Redirect:
        async def act() -> None:
            await services.propose(meeting_of(request), principal_of(request), parse_form(MotionIn, data))

        return await form_action(request, data, act)

    @post("/motions/{motion_id:int}/second", guards=[representative])
    async def second(self, request: Req, motion_id: int, data: Form) -> Template | Redirect:
        return await form_action(
            request, data, lambda: services.second(meeting_of(request), principal_of(request), motion_id)
        )

    @post("/motions/{motion_id:int}/{step:str}", guards=[representative_or_secretary])
    async def motion_step(self, request: Req, motion_id: int, step: str, data: Form) -> Template | Redirect:
        return await form_action(
            request,
            data,
            lambda: services.move(meeting_of(request), principal_of(request), motion_id, step, data.get("note", "")),
        )
