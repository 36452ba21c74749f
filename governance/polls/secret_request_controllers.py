"""Requests for a secret ballot: the JSON API and the tablet's form post."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from governance.accounts.guards import principal_of
from governance.agenda.guards import representative
from governance.meetings.attendance_controllers import page_action
from governance.meetings.guards import meeting_of, participant
from governance.polls import secret_requests
from governance.schemas import Slug

Req = Request[Any, Any, Any]
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class SecretBallotRequestIn(BaseModel):
    member: Slug = Field(description="The member asking (yours, or one whose proxy you hold)")


class SecretBallotRequestsOut(BaseModel):
    motion: int
    requests: int = Field(description="Members who asked for a secret ballot on this motion")
    threshold: int | None = Field(description="Requests that make the vote secret (null: the statutes provide none)")
    members: list[str] = Field(description="The members who asked, in the order they asked")
    secret_required: bool = Field(description="The next vote on this motion must be a secret ballot")
    reason: str | None = Field(description="Why: election, personal_matter or members_request")
    recorded: bool = Field(description="This call added a request (false: it was already counted)")


def _out(state: secret_requests.RequestState) -> SecretBallotRequestsOut:
    return SecretBallotRequestsOut(
        motion=state.motion,
        requests=state.requests,
        threshold=state.threshold,
        members=state.members,
        secret_required=state.secrecy.method == "secret",
        reason=state.secrecy.reason.value if state.secrecy.reason else None,
        recorded=state.recorded,
    )


class SecretBallotRequestApi(Controller):
    path = "/api/v1/meetings/{slug:str}/motions/{motion_id:int}/secret-ballot-requests"
    tags = ["polls"]
    guards = [participant]

    @get("/", summary="How many members asked for a secret ballot on this motion")
    async def list_requests(self, request: Req, motion_id: int) -> SecretBallotRequestsOut:
        return _out(await secret_requests.list_requests(meeting_of(request), motion_id))

    @post(
        "/",
        guards=[representative],
        summary="Ask for a secret ballot for a member you speak for (a second time: 200, counted once)",
    )
    async def make_request(
        self, request: Req, motion_id: int, data: SecretBallotRequestIn
    ) -> Response[SecretBallotRequestsOut]:
        state = await secret_requests.request(meeting_of(request), principal_of(request), motion_id, data.member)
        return Response(_out(state), status_code=201 if state.recorded else 200)


class SecretBallotRequestPages(Controller):
    path = "/meetings/{slug:str}/motions/{motion_id:int}/secret-ballot-requests"
    include_in_schema = False
    guards = [participant]

    @post("/", guards=[representative])
    async def make_request(self, request: Req, motion_id: int, data: Form) -> Template | Redirect:
        page = await page_action(
            request,
            data,
            lambda: secret_requests.request(
                meeting_of(request), principal_of(request), motion_id, data.get("member", "")
            ),
        )
        assert page is not None  # page_action returns None only with refuse_only=True
        return page
