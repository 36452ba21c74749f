"""The speakers list: JSON API and page actions, over governance.agenda.speakers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from governance.accounts.guards import principal_of
from governance.agenda import speakers
from governance.agenda.controllers import form_action
from governance.agenda.guards import driver, representative
from governance.errors import Invalid
from governance.i18n import gettext as _
from governance.meetings.guards import meeting_of, participant

Req = Request[Any, Any, Any]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class SpeakerOut(BaseModel):
    id: int
    item: int
    item_number: str
    person_name: str
    member: str | None = Field(description="The member's code (None if the speaker represents none)")
    member_name: str | None
    state: Literal["waiting", "speaking", "spoken", "withdrawn"]
    position: int | None = Field(description="Place in the queue while waiting (1 = next)")
    requested_at: dt.datetime
    given_at: dt.datetime | None
    ended_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    duration_seconds: int | None = Field(description="ended_at - given_at, once the floor is ended")


class SpeakersOut(BaseModel):
    item: int | None = Field(description="The item under discussion")
    item_number: str | None
    current: SpeakerOut | None = Field(description="Who has the floor")
    waiting: list[SpeakerOut] = Field(description="Who asked for the floor on the item, first asked first")
    spoken: list[SpeakerOut] = Field(description="Who has spoken on the item, in order")
    spoken_seconds: int


def speaker_out(entry: dict[str, Any]) -> SpeakerOut:
    return SpeakerOut(
        id=entry["id"],
        item=entry["item"],
        item_number=entry["item_number"],
        person_name=entry["person_name"],
        member=entry["member_slug"],
        member_name=entry["member_name"],
        state=entry["state"],
        position=entry["position"],
        requested_at=entry["requested_at"],
        given_at=entry["given_at"],
        ended_at=entry["ended_at"],
        withdrawn_at=entry["withdrawn_at"],
        duration_seconds=entry["duration_seconds"],
    )


def speakers_out(queue: dict[str, Any]) -> SpeakersOut:
    return SpeakersOut(
        item=queue["item"],
        item_number=queue["item_number"],
        current=speaker_out(queue["current"]) if queue["current"] else None,
        waiting=[speaker_out(entry) for entry in queue["waiting"]],
        spoken=[speaker_out(entry) for entry in queue["spoken"]],
        spoken_seconds=queue["spoken_seconds"],
    )


class SpeakersApi(Controller):
    path = "/api/v1/meetings/{slug:str}"
    tags = ["speakers"]
    guards = [participant]

    @get("/speakers", summary="The speakers list: who has the floor, who waits, who has spoken")
    async def speakers_list(self, request: Req) -> SpeakersOut:
        return speakers_out(await speakers.queue(meeting_of(request)))

    @post("/speakers", guards=[representative], summary="Ask for the floor on the item under discussion")
    async def request_floor(self, request: Req) -> SpeakerOut:
        return speaker_out(await speakers.request_floor(meeting_of(request), principal_of(request)))

    @post(
        "/speakers/{request_id:int}/withdraw",
        status_code=200,
        guards=[representative],
        summary="Withdraw my request for the floor",
    )
    async def withdraw(self, request: Req, request_id: int) -> SpeakerOut:
        return speaker_out(await speakers.withdraw(meeting_of(request), principal_of(request), request_id))

    @post(
        "/speakers/{request_id:int}/give",
        status_code=200,
        guards=[driver],
        summary="Give the floor (the chair); whoever speaks now is ended first",
    )
    async def give(self, request: Req, request_id: int) -> SpeakerOut:
        return speaker_out(await speakers.give_floor(meeting_of(request), principal_of(request), request_id))

    @post("/speakers/end", status_code=200, guards=[driver], summary="End the current speaker's floor (the chair)")
    async def end(self, request: Req, request_id: int | None = None) -> SpeakerOut:
        """With ``request_id``, only if that request still has the floor."""
        return speaker_out(await speakers.end_floor(meeting_of(request), principal_of(request), request_id))


def _request_id(data: dict[str, str]) -> int | None:
    value = data.get("request_id", "").strip()
    if not value:
        return None
    if not value.isdigit():
        message = _("Enter a whole number.")
        raise Invalid(message, fields={"request_id": message})
    return int(value)


class SpeakersPages(Controller):
    """Form posts from the tablet and the console; back to the page they came from (``back``)."""

    path = "/meetings/{slug:str}"
    include_in_schema = False

    @post("/speakers", guards=[representative])
    async def request_floor(self, request: Req, data: Form) -> Template | Redirect:
        return await form_action(
            request, data, lambda: speakers.request_floor(meeting_of(request), principal_of(request))
        )

    @post("/speakers/{request_id:int}/withdraw", guards=[representative])
    async def withdraw(self, request: Req, request_id: int, data: Form) -> Template | Redirect:
        return await form_action(
            request, data, lambda: speakers.withdraw(meeting_of(request), principal_of(request), request_id)
        )

    @post("/speakers/{request_id:int}/give", guards=[driver])
    async def give(self, request: Req, request_id: int, data: Form) -> Template | Redirect:
        return await form_action(
            request, data, lambda: speakers.give_floor(meeting_of(request), principal_of(request), request_id)
        )

    @post("/speakers/end", guards=[driver])
    async def end(self, request: Req, data: Form) -> Template | Redirect:
        async def act() -> None:
            await speakers.end_floor(meeting_of(request), principal_of(request), _request_id(data))

        return await form_action(request, data, act)
