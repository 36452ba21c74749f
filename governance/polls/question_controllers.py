""" "Put the question" (governance.polls.question): the JSON API and the console's button."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from governance.accounts.guards import principal_of
from governance.agenda.controllers import form_action, motion_out
from governance.agenda.guards import driver_or_secretary
from governance.agenda.schemas import MotionOut
from governance.errors import Conflict, Forbidden, Invalid
from governance.forms import parse_form
from governance.meetings.guards import meeting_of, participant
from governance.polls.controllers import PollOut, poll_out
from governance.polls.question import put_the_question
from governance.schemas import PlainText

Req = Request[Any, Any, Any]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class QuestionIn(BaseModel):
    motion: int | None = Field(
        default=None,
        description="The motion to put; default: the only motion on the floor of the item. With none on the "
        "floor, the question below (or the item's standard question) becomes the motion.",
    )
    text_en: PlainText = Field(default="", max_length=20_000, description="The question, when no motion exists")
    text_fr: PlainText = Field(default="", max_length=20_000)
    text_es: PlainText = Field(default="", max_length=20_000)
    countdown: int | None = Field(default=None, description="Seconds the chair gives for objections (10 to 3600)")


class QuestionOut(BaseModel):
    motion: MotionOut
    poll: PollOut | None = Field(description="The call for unanimous consent (None: prepared by the secretariat)")


def _texts(data: QuestionIn) -> dict[str, str]:
    return {"en": data.text_en, "fr": data.text_fr, "es": data.text_es}


class QuestionApi(Controller):
    path = "/api/v1/meetings/{slug:str}/agenda/items/{item_id:int}/question"
    tags = ["agenda"]
    guards = [participant]

    @post(
        "/",
        guards=[driver_or_secretary],
        raises=[Forbidden, Conflict, Invalid],  # type: ignore[list-item]  # only their status_code is read
        summary="Put the question: ask for unanimous consent on the current item",
        description=(
            'One gesture for "Is the agenda adopted? It is.": the motion on the floor of the current item '
            "(or the one named) goes to the vote if it is not there yet, and a unanimous_consent poll opens, "
            "after the quorum is re-checked and recorded (no quorum: 409, nothing changes but the recorded "
            "check). The chair then closes it (no objection: adopted), or a member objects (the chair takes a "
            "vote). With no motion on the floor, the text given, or the standard question of a standard item "
            "(adoption of the agenda, approval of the previous minutes) in EN/FR/ES, becomes the motion, moved "
            "by the person who puts it, without a seconder. The secretariat, where it does not drive the "
            "agenda, only prepares such a question (poll: null); the chair puts it. A motion is never declared "
            "adopted or rejected otherwise."
        ),
    )
    async def put(self, request: Req, item_id: int, data: QuestionIn) -> QuestionOut:
        motion, poll = await put_the_question(
            meeting_of(request),
            principal_of(request),
            item_id,
            motion_id=data.motion,
            texts=_texts(data),
            countdown=data.countdown,
        )
        return QuestionOut(motion=motion_out(motion), poll=await poll_out(request, poll) if poll else None)


class QuestionPages(Controller):
    path = "/meetings/{slug:str}/agenda/items/{item_id:int}/question"
    include_in_schema = False

    @post("/", guards=[driver_or_secretary])
    async def put(self, request: Req, item_id: int, data: Form) -> Template | Redirect:
        async def act() -> None:
            form = parse_form(QuestionIn, data)
            await put_the_question(
                meeting_of(request),
                principal_of(request),
                item_id,
                motion_id=form.motion,
                texts=_texts(form),
                countdown=form.countdown,
            )

        return await form_action(request, data, act)
