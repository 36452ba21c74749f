"""Polls: JSON API over governance.polls.services."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from litestar import Controller, Request, get, post
from pydantic import BaseModel, Field

from governance.accounts.guards import principal_of
from governance.agenda.guards import driver, representative
from governance.meetings.guards import meeting_of, participant
from governance.polls import services
from governance.schemas import Slug

Req = Request[Any, Any, Any]


class PollIn(BaseModel):
    motion: int
    method: Literal["roll_call", "secret"] = "roll_call"


class BallotIn(BaseModel):
    member: Slug = Field(description="The member whose vote this is (yours, or one whose proxy you hold)")
    choice: Literal["yes", "no", "abstain"]
    token: str = Field(min_length=16, max_length=100, description="Client-generated, reused on retry")


class ReceiptOut(BaseModel):
    poll: int
    receipt: str


class MyBallotOut(BaseModel):
    member: str
    name: str
    by_proxy: bool
    voted: bool


class PollOut(BaseModel):
    id: int
    motion: int
    round: int
    method: str
    status: str
    question: str
    majority: str
    electorate: int
    voted: int
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    secrecy_warning: bool
    # Only once closed: per-option counts are never visible while the poll is open.
    yes: int | None
    no: int | None
    abstain: int | None
    outcome: str | None
    arithmetic: str | None
    mine: list[MyBallotOut]


class PublishedBallotOut(BaseModel):
    id: str | None = None
    member: str | None = None
    choice: str
    weight: int


async def poll_out(request: Req, row: dict[str, Any]) -> PollOut:
    voted, size = await services.progress(row["id"])
    closed = row["status"] == "closed"
    mine = await services.my_ballots(meeting_of(request), principal_of(request), row["id"])
    more = "more than" if row["strict"] else "at least"
    return PollOut(
        id=row["id"],
        motion=row["motion"],
        round=row["round"],
        method=row["method"],
        status=row["status"],
        question=row["question"],
        majority=f"{more} {row['threshold_numerator']}/{row['threshold_denominator']} ({row['base']}), "
        f"{row['majority_article']}",
        electorate=size,
        voted=voted,
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
        secrecy_warning=services.secrecy_warning(row),
        yes=row["yes"] if closed else None,
        no=row["no"] if closed else None,
        abstain=row["abstain"] if closed else None,
        outcome=row["outcome"],
        arithmetic=row["arithmetic"],
        mine=[
            MyBallotOut(member=m["slug"], name=m["name"], by_proxy=m["proxy_holder"] is not None, voted=m["voted"])
            for m in mine
        ],
    )


class PollApi(Controller):
    path = "/api/v1/meetings/{slug:str}/polls"
    tags = ["polls"]
    guards = [participant]

    @get("/", summary="Polls of the meeting (open ones show only how many have voted)")
    async def list_polls(self, request: Req) -> list[PollOut]:
        return [await poll_out(request, row) for row in await services.list_polls(meeting_of(request))]

    @post("/", guards=[driver], summary="Open a vote on a motion put to the vote (the chair)")
    async def open_poll(self, request: Req, data: PollIn) -> PollOut:
        row = await services.open_poll(meeting_of(request), principal_of(request), data.motion, data.method)
        return await poll_out(request, row)

    @get("/{poll_id:int}")
    async def get_poll(self, request: Req, poll_id: int) -> PollOut:
        return await poll_out(request, await services.get_poll(meeting_of(request), poll_id))

    @post("/{poll_id:int}/ballots", guards=[representative], summary="Cast a ballot (retry with the same token)")
    async def cast(self, request: Req, poll_id: int, data: BallotIn) -> ReceiptOut:
        receipt = await services.cast(
            meeting_of(request), principal_of(request), poll_id, data.member, data.choice, data.token
        )
        return ReceiptOut(**receipt)

    @post("/{poll_id:int}/close", status_code=200, guards=[driver], summary="Close the vote and count (the chair)")
    async def close_poll(self, request: Req, poll_id: int) -> PollOut:
        return await poll_out(request, await services.close_poll(meeting_of(request), principal_of(request), poll_id))

    @get("/{poll_id:int}/ballots", summary="The ballots of a closed poll (secret ones sorted by id, never by time)")
    async def ballots(self, request: Req, poll_id: int) -> list[PublishedBallotOut]:
        return [PublishedBallotOut(**row) for row in await services.published_ballots(meeting_of(request), poll_id)]
